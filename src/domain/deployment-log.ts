import { auditEvents } from './deployment-log-audit';
import { releaseEvents, rollbackEvents, stepEvents } from './deployment-log-events';
import { formatDuration } from './duration';
import {
  releaseKind,
  type PolicyOverride,
  type QueuePlace,
  type Release,
  type ReleaseReview,
  type StepName,
  type StepState,
} from './release';
import { SHOWN_WORDS, shownState } from './release-status';

/**
 * The deployment log of one release (runbook "Documentation: update the
 * deployment log"): what it shipped, who asked, ticked, started, approved or
 * overrode, when each step ran, what went wrong, which rollbacks followed,
 * what the follow-ups found and what the review said — as data, for chat, the
 * command line and the export alike.
 *
 * The release record is the source of truth; the audit log adds what the
 * record forgets (unticks, refusals, starts without required items).
 */

/** What the log needs of an audit entry; src/ports/audit-log.ts's AuditEntry is one. */
export interface AuditRecord {
  at: number;
  actor: string;
  action: string;
  detail?: string;
}

export type LogEventKind =
  | 'request'
  | 'queue'
  | 'override'
  | 'checklist'
  | 'start'
  | 'step'
  | 'issue'
  | 'end'
  | 'rollback'
  | 'follow-up'
  | 'review'
  | 'audit';

/** One thing that happened to the release: when, who (a principal, `deploybot` for the bot), what in words. */
export interface LogEvent {
  at: number;
  who: string;
  kind: LogEventKind;
  what: string;
}

export interface StepTimes {
  name: StepName;
  state: StepState;
  startedAt?: number;
  finishedAt?: number;
  /** The step's summary, error or skip reason. */
  note?: string;
}

/** A rollback of the release (of its services, or of its database), as the log tells it. */
export interface RollbackOutcome {
  id: string;
  /** `rollback`, `migration rollback`, `snapshot restore`. */
  kind: string;
  /** Its state as people read it: succeeded, failed, superseded, awaiting approval… */
  state: string;
  requestedBy: string;
  requestedAt: number;
  reason?: string;
  approvedBy?: { by: string; at: number };
  endedAt?: number;
}

export interface FollowUpFinding {
  kind: string;
  afterMs: number;
  at: number;
  lines: string[];
}

export interface DeploymentLog {
  id: string;
  app: string;
  environment: string;
  version: string;
  /** The release type, or which rollback it is (see releaseKind). */
  kind: string;
  /** Its state as people read it (see shownState). */
  state: string;
  requestedBy: string;
  requestedAt: number;
  startedBy?: string;
  startedAt?: number;
  endedAt?: number;
  /** Who approved it, for a rollback (its approval is its start). */
  approvedBy?: { by: string; at: number };
  cancelledBy?: string;
  override?: PolicyOverride;
  queued?: QueuePlace;
  promotedFrom?: { releaseId: string; environment: string };
  /** For a rollback: the release it reverts. */
  rollbackOf?: { releaseId: string; version: string; reason?: string };
  steps: StepTimes[];
  /** Checklist ticks as stored: item id, who, when (and why, when deploybot ticked it). */
  ticks: { item: string; by: string; at: number; note?: string }[];
  /** What went wrong, in words: failures, step errors, rules that fired, proposals closed undecided. */
  issues: string[];
  rollbacks: RollbackOutcome[];
  followUps: FollowUpFinding[];
  review?: ReleaseReview;
  /** Everything above as a timeline, oldest first. */
  events: LogEvent[];
}

/**
 * The log of `release`. `rollbacks` are the releases that revert it (the one
 * named by `rolledBackBy` and any database rollbacks; others are ignored);
 * `audit` are the audit entries about it, in any order.
 */
export function deploymentLog(
  release: Release,
  rollbacks: readonly Release[],
  audit: readonly AuditRecord[],
): DeploymentLog {
  const own = rollbacks
    .filter((r) => r.rollbackOf?.releaseId === release.id)
    .sort((a, b) => a.createdAt - b.createdAt);
  const replacing = own.find((r) => r.id === release.rolledBackBy);
  const steps = release.steps.map(stepTimes);
  const events = [
    ...releaseEvents(release),
    ...steps.flatMap(stepEvents),
    ...own.flatMap(rollbackEvents),
    ...auditEvents(release, audit),
  ];
  return {
    id: release.id,
    app: release.app,
    environment: release.environment,
    version: release.version,
    kind: releaseKind(release),
    state: SHOWN_WORDS[shownState(release, replacing)],
    requestedBy: release.requestedBy,
    requestedAt: release.createdAt,
    ...optional('startedBy', release.startedBy),
    ...optional('startedAt', release.startedAt),
    ...optional('endedAt', release.endedAt),
    ...optional('approvedBy', release.proposal?.approvedBy),
    ...optional('cancelledBy', release.cancelledBy),
    ...optional('override', release.override),
    ...optional('queued', release.queue),
    ...optional('promotedFrom', release.promotedFrom),
    ...optional(
      'rollbackOf',
      release.rollbackOf && {
        releaseId: release.rollbackOf.releaseId,
        version: release.rollbackOf.version,
        ...optional('reason', release.rollbackOf.reason),
      },
    ),
    steps,
    ticks: Object.entries(release.checklist)
      .map(([item, t]) => ({ item, by: t.by, at: t.at, ...optional('note', t.note) }))
      .sort((a, b) => a.at - b.at),
    issues: issuesOf(release, own),
    rollbacks: own.map(rollbackOutcome),
    followUps: [...(release.followUps ?? [])].sort((a, b) => a.at - b.at),
    ...optional('review', release.review),
    // Array.prototype.sort is stable: events of one instant keep the order they are told in.
    events: events.filter((e) => Number.isFinite(e.at)).sort((a, b) => a.at - b.at),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [k in K]?: V };
}

function stepTimes(step: Release['steps'][number]): StepTimes {
  const note =
    step.state === 'failed' ? step.error?.message : step.state === 'skipped' ? step.reason : step.summary;
  return {
    name: step.name,
    state: step.state,
    ...optional('startedAt', step.startedAt),
    ...optional('finishedAt', step.finishedAt),
    ...optional('note', note),
  };
}

function rollbackOutcome(r: Release): RollbackOutcome {
  return {
    id: r.id,
    kind: releaseKind(r),
    state: SHOWN_WORDS[shownState(r)],
    requestedBy: r.requestedBy,
    requestedAt: r.createdAt,
    ...optional('reason', r.rollbackOf?.reason),
    ...optional('approvedBy', r.proposal?.approvedBy),
    ...optional('endedAt', r.endedAt),
  };
}

function issuesOf(r: Release, rollbacks: readonly Release[]): string[] {
  const issues: string[] = [];
  if (r.failure) issues.push(`failed${r.failure.step ? ` at ${r.failure.step}` : ''}: ${r.failure.message}`);
  for (const step of r.steps) {
    if (step.error && step.error.message !== r.failure?.message)
      issues.push(`${step.name}: ${step.error.message}`);
  }
  if (r.facts.firstFailingAt !== undefined) {
    issues.push(`monitoring saw a failing sample at ${new Date(r.facts.firstFailingAt).toISOString()}`);
  }
  if (r.facts.rollbackProposal) issues.push(`monitoring proposed a rollback: ${r.facts.rollbackProposal}`);
  if (r.expired) issues.push(`expired: nobody pressed Start within ${formatDuration(r.expired.afterMs)}`);
  if (r.proposal?.closed) issues.push(`proposal ${r.proposal.closed.how}: ${r.proposal.closed.text}`);
  if (r.rolledBackBy && !rollbacks.some((b) => b.id === r.rolledBackBy)) {
    issues.push(`rolled back by release ${r.rolledBackBy}, whose record is gone`);
  }
  for (const b of rollbacks) {
    if (b.state === 'failed')
      issues.push(`${releaseKind(b)} ${b.id} failed${b.failure ? `: ${b.failure.message}` : ''}`);
  }
  return issues;
}
