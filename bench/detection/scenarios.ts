import type { ReleaseEffect } from './traffic-model';

/** Average requests per second; 2 and 5 are there to show "inconclusive" rather than a guess. */
export const LEVELS = [2, 5, 10, 50, 100, 500] as const;
/** The monitor's sampling intervals, seconds. */
export const INTERVALS_S = [5, 60] as const;

export interface Scenario {
  name: string;
  /** What the release changes from the deploy on; healthy: nothing. */
  release: ReleaseEffect;
}

export const HEALTHY: Scenario = { name: 'healthy', release: {} };

/**
 * Bad releases, bad from the deploy on. 2 % errors and 1.5x p99 are below the
 * runbook's thresholds (5 %, 2x): a rule that "detects" them is firing below
 * its own threshold. 2x p99 sits exactly on the threshold.
 */
export const BAD: readonly Scenario[] = [
  { name: '5xx 2%', release: { errorShare: 0.02 } },
  { name: '5xx 5%', release: { errorShare: 0.05 } },
  { name: '5xx 12%', release: { errorShare: 0.12 } },
  { name: 'p99 1.5x', release: { latencyFactor: 1.5 } },
  { name: 'p99 2x', release: { latencyFactor: 2 } },
  { name: 'p99 3x', release: { latencyFactor: 3 } },
];

/** Every scenario with a stable index (part of each window's seed). */
export const SCENARIOS: readonly Scenario[] = [HEALTHY, ...BAD];
