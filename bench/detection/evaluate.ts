import type { Sample } from '../../src/domain/monitoring';
import { DEFAULT_THRESHOLDS } from '../../src/domain/verdict';
import { legacyWatcher } from './legacy-rule';
import { minuteWatcher } from './minute-rule';
import { noiseAwareWatcher } from './noise-aware-rule';
import type { Watcher, WatcherFactory } from './watcher';
import { type SimulatedWindow, samplesOf } from './window';

/** The three rules compared, in the order the tables show them. */
export const RULES = ['new', 'today', 'minute'] as const;
export type RuleKey = (typeof RULES)[number];

export const RULE_TITLES: Record<RuleKey, string> = {
  new: 'new judge',
  today: "today's rule",
  minute: 'once a minute',
};

const FACTORIES: Record<RuleKey, WatcherFactory> = {
  new: (b) => noiseAwareWatcher(b),
  today: (b) => legacyWatcher(b),
  minute: (b) => minuteWatcher(b),
};

/** The judge's traffic window never reaches further back than this (src/domain/rules/rule.ts). */
const LOOKBACK_MS = 300_000;

export interface WindowOutcome {
  /** Per rule: ms from the deploy to its first proposal (the end of the sample it came on); absent: none. */
  proposalAfterMs: Partial<Record<RuleKey, number>>;
  /** Per rule: what its first proposal said. */
  proposal: Partial<Record<RuleKey, string>>;
  /** Samples the new judge judged, and how many of them it called inconclusive. */
  judged: number;
  inconclusive: number;
  /**
   * Samples on which the new judge gave a verdict other than inconclusive
   * although the last five minutes held fewer requests than it needs (a guess).
   */
  guesses: number;
}

/**
 * Runs the three rules over one window's samples at one interval. With
 * `untilAllPropose` (bad releases) it stops once every rule has proposed;
 * healthy windows run to the end, since any proposal there is a false one.
 */
export function evaluateWindow(
  window: SimulatedWindow,
  intervalS: number,
  untilAllPropose: boolean,
): WindowOutcome {
  const samples = samplesOf(window, intervalS);
  const watchers = RULES.map((key): [RuleKey, Watcher] => [key, FACTORIES[key](window.baseline)]);
  const outcome: WindowOutcome = {
    proposalAfterMs: {},
    proposal: {},
    judged: 0,
    inconclusive: 0,
    guesses: 0,
  };
  const minRequests = DEFAULT_THRESHOLDS.minRequests;
  for (const [i, sample] of samples.entries()) {
    for (const [key, watcher] of watchers) {
      if (outcome.proposalAfterMs[key] !== undefined) continue;
      const seen = watcher.observe(sample);
      if (seen.proposal !== undefined) {
        outcome.proposalAfterMs[key] = sample.to - window.startMs;
        outcome.proposal[key] = seen.proposal;
      }
      if (key !== 'new') continue;
      outcome.judged += 1;
      if (seen.inconclusive) outcome.inconclusive += 1;
      else if (requestsSince(samples, i, sample.to - LOOKBACK_MS) < minRequests) outcome.guesses += 1;
    }
    if (untilAllPropose && RULES.every((key) => outcome.proposalAfterMs[key] !== undefined)) break;
  }
  return outcome;
}

/** Requests of samples[0..last] that began at or after `fromMs`. */
function requestsSince(samples: readonly Sample[], last: number, fromMs: number): number {
  let requests = 0;
  for (let i = last; i >= 0; i--) {
    const s = samples[i] as Sample;
    if (s.from < fromMs) break;
    requests += s.traffic?.requests ?? 0;
  }
  return requests;
}
