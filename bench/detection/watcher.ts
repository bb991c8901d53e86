import type { Baseline, Sample } from '../../src/domain/monitoring';

/**
 * A rollback rule as the monitor runs it: fed the window's samples one by one,
 * in slot order, right after each slot ends; the first proposal is the one
 * that counts (the monitor stops and asks a human).
 */
export interface Watcher {
  observe(sample: Sample): Observation;
}

export interface Observation {
  /** Why the rule proposes a rollback now; undefined: no proposal. */
  proposal?: string;
  /** The rule said it had too little evidence to judge (only the noise-aware rule says so). */
  inconclusive?: boolean;
}

/** A rule for one window. Invariant: `baseline.at` is the deploy, the window's start. */
export type WatcherFactory = (baseline: Baseline) => Watcher;
