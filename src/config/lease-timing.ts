import { formatDuration } from '../domain/duration';

/**
 * The release lock is kept alive by the reconciler's heartbeat, once a sweep
 * (src/engine/reconciler.ts), whatever the release waits for: a ten-minute gap
 * between two monitoring samples does not matter, the sweep interval does.
 * These are the timings the lock relies on, checked when the configuration is
 * loaded so that a lock that would lapse between heartbeats is refused before
 * any release starts.
 */
export const DEFAULT_RECONCILE_INTERVAL_MS = 60_000;

/**
 * Heartbeats a lock must outlive: a sweep may run late or fail (a worker
 * restarting, Redis away for a minute) and the lock must still be there for the
 * next one.
 */
export const SWEEPS_A_LOCK_OUTLIVES = 3;

/** Shortest sweep interval: every sweep reads every active release. */
export const MIN_RECONCILE_INTERVAL_MS = 1_000;

/** The part of the configuration these checks read; `reconcileInterval` defaults to a minute. */
export interface LeaseTimingInput {
  engine: { lockTtl: number; startTimeout: number; reconcileInterval?: number };
}

export function reconcileIntervalOf(config: LeaseTimingInput): number {
  return config.engine.reconcileInterval ?? DEFAULT_RECONCILE_INTERVAL_MS;
}

/** Every way the lease timings contradict each other, in words for the operator; [] when they hold. */
export function leaseTimingProblems(config: LeaseTimingInput): string[] {
  const { lockTtl, startTimeout } = config.engine;
  const interval = reconcileIntervalOf(config);
  const problems: string[] = [];
  if (interval < MIN_RECONCILE_INTERVAL_MS) {
    problems.push(
      `engine.reconcileInterval ${formatDuration(interval)} is shorter than ${formatDuration(MIN_RECONCILE_INTERVAL_MS)}: every sweep reads every active release`,
    );
  }
  const needed = SWEEPS_A_LOCK_OUTLIVES * interval;
  if (lockTtl < needed) {
    problems.push(
      `engine.lockTtl ${formatDuration(lockTtl)} must be at least ${SWEEPS_A_LOCK_OUTLIVES} reconcile intervals (${formatDuration(needed)}): the lock is heartbeated once per sweep and must survive a missed one or two`,
    );
  }
  if (startTimeout < interval) {
    problems.push(
      `engine.startTimeout ${formatDuration(startTimeout)} is shorter than the reconcile interval ${formatDuration(interval)}: releases awaiting Start are expired by the sweep, so they would live up to twice as long as configured`,
    );
  }
  return problems;
}
