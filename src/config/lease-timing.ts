import { writtenDuration } from './duration-field';

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

/** One contradiction: the engine setting to change, and why, in words for the operator. */
export interface LeaseTimingProblem {
  setting: 'reconcileInterval' | 'lockTtl' | 'startTimeout';
  message: string;
}

/** Every way the lease timings contradict each other; [] when they hold. */
export function leaseTimingProblems(config: LeaseTimingInput): LeaseTimingProblem[] {
  const { lockTtl, startTimeout } = config.engine;
  const interval = reconcileIntervalOf(config);
  const problems: LeaseTimingProblem[] = [];
  if (interval < MIN_RECONCILE_INTERVAL_MS) {
    problems.push({
      setting: 'reconcileInterval',
      message: `${writtenDuration(interval)} is too short: at least ${writtenDuration(MIN_RECONCILE_INTERVAL_MS)}, as every sweep reads every active release`,
    });
  }
  const needed = SWEEPS_A_LOCK_OUTLIVES * interval;
  if (lockTtl < needed) {
    problems.push({
      setting: 'lockTtl',
      message: `${writtenDuration(lockTtl)} is too short: at least ${SWEEPS_A_LOCK_OUTLIVES} reconcile intervals (${writtenDuration(needed)}), as the lock is heartbeated once a sweep and must survive a missed one or two`,
    });
  }
  if (startTimeout < interval) {
    problems.push({
      setting: 'startTimeout',
      message: `${writtenDuration(startTimeout)} is too short: at least the reconcile interval (${writtenDuration(interval)}), as the sweep expires releases awaiting Start and would let them live up to twice as long`,
    });
  }
  return problems;
}
