import { formatDuration } from './duration';
import { RUNS_BEFORE_START } from './plan';
import { awaitingSince, nextRunnableStep, type Release, type StepName } from './release';

/**
 * What the reconciler decides for one active release, without I/O: the
 * adapters read the release and its queue job, this says what to do.
 */

/** Where the job a release needs stands in the queue. */
export type JobPresence =
  /** waiting, active, delayed, prioritized or waiting-children: something will run it. */
  | 'live'
  /** completed or failed while the release still needs that step: it will not run again by itself. */
  | 'finished'
  | 'missing';

export interface ReconcileTiming {
  startTimeoutMs: number;
  /**
   * How long a release must have gone unwritten before a missing job counts as
   * lost. A step that hands over to the next writes the release, then queues the
   * next job a moment later; a sweep in between sees the job "missing". Every
   * run writes the release, so a release quiet for this long has no run in
   * flight that is about to queue its job.
   */
  quietMs: number;
}

export type ReconcileAction =
  { kind: 'expire' } | { kind: 'enqueue'; step: StepName; replaceFinished: boolean } | { kind: 'none' };

/** A rollback proposal waits for an approver, not for Start, and has its own expiry. */
export function isUndecidedProposal(release: Release): boolean {
  return release.rollbackOf !== undefined && !release.proposal?.approvedBy;
}

/** Whether the release holds its app's lock: running, or awaiting Start (a claimed rollback included). */
export function holdsLock(release: Release): boolean {
  if (release.state === 'running') return true;
  return release.state === 'awaiting_start' && !isUndecidedProposal(release);
}

/** A release nobody started within `startTimeoutMs` of its request. */
export function startExpired(release: Release, now: number, startTimeoutMs: number): boolean {
  return (
    release.state === 'awaiting_start' &&
    release.rollbackOf === undefined &&
    now - awaitingSince(release) >= startTimeoutMs
  );
}

/**
 * The step whose job must exist for the release to move on: the next step to
 * run; when every step is done but the release still runs (its worker died
 * between the two writes), the last one, whose run completes the release.
 * Before Start only the checks that run before Start; after them, nothing.
 */
export function stepToKeepMoving(release: Release): StepName | undefined {
  if (release.state === 'awaiting_start') {
    if (release.rollbackOf) return undefined;
    const next = nextRunnableStep(release);
    return next && RUNS_BEFORE_START.includes(next.name) && next.state !== 'failed' ? next.name : undefined;
  }
  if (release.state !== 'running') return undefined;
  const next = nextRunnableStep(release);
  if (next) return next.state === 'failed' ? undefined : next.name;
  return release.steps.at(-1)?.name;
}

/** Why deploybot cancelled a release nobody started, e.g. "expired: nobody pressed Start within 2h". */
export function expiryText(afterMs: number): string {
  return `expired: nobody pressed Start within ${formatDuration(afterMs)}`;
}

/** How long the release lock is extended for: before Start, until the release would expire. */
export function lockTtlFor(
  release: Release,
  now: number,
  engine: { lockTtl: number; startTimeout: number },
): number {
  if (release.state !== 'awaiting_start') return engine.lockTtl;
  return Math.max(engine.lockTtl, awaitingSince(release) + engine.startTimeout - now);
}

export function reconcileAction(
  release: Release,
  job: JobPresence | undefined,
  now: number,
  timing: ReconcileTiming,
): ReconcileAction {
  if (startExpired(release, now, timing.startTimeoutMs)) return { kind: 'expire' };
  const step = stepToKeepMoving(release);
  if (!step || job === undefined || job === 'live') return { kind: 'none' };
  if (now - release.updatedAt < timing.quietMs) return { kind: 'none' };
  return { kind: 'enqueue', step, replaceFinished: job === 'finished' };
}
