import type { Baseline } from './monitoring';

/**
 * A release deploys one version of one app to one environment. It is stored as
 * JSON; `revision` grows by one on every write so that a stale copy cannot
 * overwrite a newer one (see ReleaseStore).
 */
export const RELEASE_TYPES = ['hotfix', 'minor', 'major'] as const;
export type ReleaseType = (typeof RELEASE_TYPES)[number];

/** The runbook's release steps, in order. */
export const RELEASE_STEP_NAMES = [
  'preflight',
  'backup',
  'baseline',
  'migrate',
  'deploy',
  'verify',
  'monitor',
] as const;
/**
 * The runbook's "Rollback Database", each its own separately approved release:
 * the migration's rollback command, or (last resort) the pre-release snapshot
 * restored into a new instance.
 */
export const DATABASE_ROLLBACK_STEP_NAMES = ['migrate_down', 'restore'] as const;
export const STEP_NAMES = [...RELEASE_STEP_NAMES, ...DATABASE_ROLLBACK_STEP_NAMES] as const;
export type StepName = (typeof STEP_NAMES)[number];

/**
 * `queued`: waiting its turn in the app and environment's deploy queue (see
 * src/domain/deploy-queue.ts). It holds no lock and runs nothing; people may
 * tick its checklist meanwhile. At the head of the queue it becomes
 * `awaiting_start` and its preflight runs.
 */
export type ReleaseState =
  'queued' | 'awaiting_start' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'rolled_back';
export type StepState = 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface StepError {
  code: string;
  message: string;
}

export interface StepRecord {
  name: StepName;
  state: StepState;
  /** Why a step is skipped, in words for the checklist message. */
  reason?: string;
  startedAt?: number;
  finishedAt?: number;
  /** How many times a worker began this step (resumes and retries included). */
  runs: number;
  /** What a step has done so far, so that a resumed run continues instead of repeating. */
  progress: { [key: string]: Json };
  /** One line for chat: what the step found or did. */
  summary?: string;
  /** Longer detail for the thread (log tail, check list). */
  details?: string[];
  error?: StepError;
}

/** Facts that later steps (and rollback) rely on. Written once, never changed. */
export interface ReleaseFacts {
  snapshotId?: string;
  /** service name -> task definition ARN it ran before this release. */
  previousTaskDefinitions: Record<string, string>;
  /** service name -> task definition ARN this release registered for it. */
  targetTaskDefinitions: Record<string, string>;
  migrationTaskArn?: string;
  /** Health and error-log figures measured before the deploy. */
  baseline?: Baseline;
  /** The rollback monitoring proposed for this release, once a rule fired. */
  rollbackProposal?: string;
  /**
   * When the change this release ships came to exist, for DORA's lead time:
   * the image's push time in ECR (preflight reads it), or a better-known time
   * (the image's `org.opencontainers.image.created` label, a commit time).
   */
  changeAt?: { at: number; source: 'ecr-push' | 'image-label' | 'commit' };
  /** When monitoring first saw a failing sample (a rule fired), for DORA's time to restore. */
  firstFailingAt?: number;
}

/**
 * Break-glass: a release requested against the release policy (outside its
 * window, during a freeze) by someone allowed to override it. Shown as a
 * banner on its message, told to the channel, audited, and marked in the
 * deployment log and the DORA figures.
 */
export interface PolicyOverride {
  by: string;
  /** The overrider's own words: why this could not wait. */
  reason: string;
  /** What the policy said, e.g. "minor releases to production run Mon–Fri 09:00–17:00 Europe/Berlin". */
  overrode: string;
  at: number;
}

/** A queued release's place: when it joined and, for `--at`, when it may run at the earliest. */
export interface QueuePlace {
  queuedAt: number;
  queuedBy: string;
  /** `--at`: not before this time (epoch ms). */
  notBefore?: number;
  /** Why it was queued, in words: "behind r… (v1.2.0)", "outside its window", "scheduled for Tue 14:00 Europe/Berlin". */
  why: string;
  /** When it left the queue (its turn came): its wait for Start counts from here, not from its request. */
  dequeuedAt?: number;
}

/** When a release began waiting for its Start: its request, or for a queued one, the moment its turn came. */
export function awaitingSince(release: Release): number {
  return release.queue?.dequeuedAt ?? release.createdAt;
}

/** The runbook's post-deployment review, as answered in its modal. */
export interface ReleaseReview {
  by: string;
  at: number;
  wentWell: string;
  couldImprove: string;
  unexpectedIssues: string;
  followUpActions: string;
}

/**
 * A database rollback (runbook "Rollback Database"): `downgrade` runs the
 * migration's rollback command as a task of the reverted release's own image
 * (only that code knows how to undo its migration); `restore` restores the
 * pre-release snapshot into a new instance and never touches the live one.
 */
export interface DatabaseRollback {
  action: 'downgrade' | 'restore';
  /** restore: the snapshot the reverted release took before its migration. */
  snapshotId?: string;
  /** restore: the new instance (or cluster) the snapshot becomes. */
  restoreInto?: string;
  /** restore: the first of its two confirmations; the second starts it. */
  confirmedBy?: { by: string; at: number };
}

/**
 * What a rollback proposal expected when it was made, and how it was decided.
 * Approval is a compare-and-swap against `expects` and the app's history, so a
 * proposal that the world has moved past cannot be approved (it is closed as
 * superseded instead).
 */
export interface RollbackProposal {
  /**
   * service name -> task definition ARN it ran when proposed (the reverted
   * release's targets). Empty for a database rollback: it touches no service.
   */
  expects: Record<string, string>;
  /** The newest release of the app and environment when the proposal was made. */
  newestReleaseId?: string;
  /** The one approval that claimed the decision; set once, by compare-and-set on the record. */
  approvedBy?: { by: string; at: number };
  /** Set when the proposal was closed undecided; its state is then `cancelled`. */
  closed?: ProposalClosing;
}

/** Why a proposal nobody approved ended: it went stale, was withdrawn, or expired. */
export interface ProposalClosing {
  how: 'superseded' | 'withdrawn' | 'expired';
  /** The whole reason as people read it, e.g. "superseded by v1.3.0 (r…): backend-service now runs backend:9, not backend:8". */
  text: string;
  at: number;
}

export interface Release {
  id: string;
  app: string;
  environment: string;
  version: string;
  type: ReleaseType;
  /** Slack user id, or `cli:<user>` for the command line. */
  requestedBy: string;
  state: ReleaseState;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  endedAt?: number;
  revision: number;
  steps: StepRecord[];
  facts: ReleaseFacts;
  failure?: StepError & { step?: StepName };
  cancelledBy?: string;
  /**
   * Set when nobody pressed Start within `engine.startTimeout` of the request:
   * deploybot cancelled it (`cancelledBy` is deploybot) and freed the lock.
   */
  expired?: { afterMs: number; at: number };
  /** Who pressed Start (for a rollback: who approved it). */
  startedBy?: string;
  /**
   * Set on a rollback: the release it reverts. Without `database` it points the
   * services back at their previous revisions; with it, it reverts the database.
   */
  rollbackOf?: {
    releaseId: string;
    version: string;
    requestedBy: string;
    reason?: string;
    database?: DatabaseRollback;
  };
  /** Set on a rollback: what its proposal expected, and its decision. Absent on proposals stored before it existed. */
  proposal?: RollbackProposal;
  /** Set on a release that a rollback replaced. */
  rolledBackBy?: string;
  /** Set on a release requested with `--override`: see PolicyOverride. */
  override?: PolicyOverride;
  /** Set on a release that was queued (it keeps it after it leaves the queue). */
  queue?: QueuePlace;
  /** Set on a release made by `/deploy promote`: the release in the earlier environment it promotes. */
  promotedFrom?: { releaseId: string; environment: string };
  /** Answers to the post-deployment review, once someone submitted them. */
  review?: ReleaseReview;
  /**
   * What the runbook's follow-ups found (+1 h, +24 h, +1 week summaries; the
   * post-mortem reminder), oldest first, for the deployment log: the thread
   * posts are not a record. One entry per follow-up (a retried job replaces
   * its own), capped by src/engine/follow-ups.ts.
   */
  followUps?: { kind: string; afterMs: number; at: number; lines: string[] }[];
  /**
   * Checklist items: item id -> who ticked it and when. `note` says why an item
   * was ticked by deploybot rather than a person (promotion: the release that proves it).
   */
  checklist: Record<string, { by: string; at: number; note?: string }>;
  /** Where the release's message lives in chat, once posted. */
  chat?: { channel: string; ts: string };
}

export function isReleaseType(text: string): text is ReleaseType {
  return (RELEASE_TYPES as readonly string[]).includes(text);
}

export function findStep(release: Release, name: StepName): StepRecord {
  const step = release.steps.find((s) => s.name === name);
  if (!step) throw new Error(`release ${release.id} has no step ${name}`);
  return step;
}

/** The first step after `name` that is still to run, or undefined when none is left. */
export function nextRunnableStep(release: Release, after?: StepName): StepRecord | undefined {
  const start = after ? release.steps.findIndex((s) => s.name === after) + 1 : 0;
  return release.steps.slice(start).find((s) => s.state !== 'skipped' && s.state !== 'succeeded');
}

export function isFinished(release: Release): boolean {
  return (
    release.state === 'succeeded' ||
    release.state === 'failed' ||
    release.state === 'cancelled' ||
    release.state === 'rolled_back'
  );
}

/**
 * What kind of change a release is, in words for history and status: its type,
 * or which rollback it is, so an incident reads as one in the history.
 */
export function releaseKind(release: Release): string {
  const database = release.rollbackOf?.database;
  if (database) return database.action === 'downgrade' ? 'migration rollback' : 'snapshot restore';
  return release.rollbackOf ? 'rollback' : release.type;
}

/**
 * A release's state as the end of a refusal's sentence: "is awaiting its
 * start", "is already running", "has already finished (rolled back)".
 */
export function stateSentence(release: Release): string {
  if (release.state === 'queued') return 'is queued';
  if (release.state === 'awaiting_start') return 'is awaiting its start';
  if (release.state === 'running') return 'is already running';
  return `has already finished (${release.state === 'rolled_back' ? 'rolled back' : release.state})`;
}
