import { formatDuration } from '../duration';
import type { Sample } from '../monitoring';
import { binomialUpperTail, rateIncreasePValue } from '../statistics';
import { slowerThan, sumTraffic, timedRequests, trafficPercentile, type TrafficCounts } from '../traffic';
import { MAX_JUDGE_WINDOW_MS, count, ms, pct, type JudgeInput, type RuleResult } from './rule';

/**
 * The users' requests judged over a sliding window of the newest samples —
 * never one slot — against the runbook's thresholds and the baseline. Real
 * traffic (access logs) when the samples have it; otherwise the bot's own
 * health probes, the last resort.
 */
export type TrafficSource = 'access-logs' | 'probes';

export interface TrafficWindow {
  source: TrafficSource;
  traffic: TrafficCounts;
  spanMs: number;
}

/**
 * The newest samples that measured traffic, going back until they cover the
 * judge window and hold `minRequests` requests, or until five minutes: enough
 * evidence when traffic allows, never so far back that an old good minute
 * hides a new bad one.
 */
export function trafficWindow(input: JudgeInput, ordered: readonly Sample[]): TrafficWindow | undefined {
  const t = input.thresholds;
  const maxSpan = Math.max(t.judgeWindowMs, MAX_JUDGE_WINDOW_MS);
  const newest = ordered.at(-1);
  if (!newest) return undefined;
  const recent = ordered.filter((s) => s.from >= newest.to - maxSpan);
  const source: TrafficSource | undefined = recent.some((s) => s.traffic)
    ? 'access-logs'
    : recent.some((s) => s.probeTraffic)
      ? 'probes'
      : undefined;
  if (!source) return undefined;
  const taken: TrafficCounts[] = [];
  let requests = 0;
  let oldest = newest.to;
  for (let i = recent.length - 1; i >= 0; i--) {
    const s = recent[i] as Sample;
    const traffic = source === 'access-logs' ? s.traffic : s.probeTraffic;
    if (!traffic) continue;
    taken.push(traffic);
    requests += traffic.requests;
    oldest = s.from;
    if (newest.to - oldest >= t.judgeWindowMs && requests >= t.minRequests) break;
  }
  return { source, traffic: sumTraffic(taken), spanMs: newest.to - oldest };
}

/**
 * Whether k of n is confidently above `threshold`: the share is above it and
 * a true rate at the threshold would rarely give k or more. A short burst (a
 * task being replaced drops a few requests) lifts a small window's share past
 * 5 % without being evidence that the release fails 5 % of requests.
 */
export function beyondThreshold(k: number, n: number, threshold: number, significance: number): boolean {
  return k / n > threshold && binomialUpperTail(k, n, threshold) < significance;
}

/**
 * How surprising k errors of n are against the baseline. A baseline with fewer
 * requests than we ask of a verdict (a few dozen probes) proves little about
 * its rate; then the rate tested against is the runbook's target ("Error Rate:
 * < 1 %"), or the baseline's own rate when that was higher.
 */
export function increaseOverBaseline(
  base: { n: number; k: number } | undefined,
  k: number,
  n: number,
  minRequests: number,
): number {
  if (base && base.n >= minRequests) return rateIncreasePValue(base.k, base.n, k, n);
  const rate = base && base.n > 0 ? Math.max(0.01, base.k / base.n) : 0.01;
  return binomialUpperTail(k, n, Math.min(rate, 0.999));
}

const noun = (source: TrafficSource) => (source === 'access-logs' ? 'requests' : 'health probes');

function tooLittle(rule: 'error-rate' | 'latency', w: TrafficWindow, n: number, min: number): RuleResult {
  return {
    rule,
    status: 'inconclusive',
    why: `only ${count(n)} ${noun(w.source)} in the last ${formatDuration(w.spanMs)}; ${count(min)} needed to judge`,
  };
}

/** Errors over requests, above the threshold and significantly above the baseline's rate. */
export function errorRateRule(input: JudgeInput, ordered: readonly Sample[]): RuleResult | undefined {
  const w = trafficWindow(input, ordered);
  if (!w) return undefined;
  const t = input.thresholds;
  const { requests: n, errors: k } = w.traffic;
  if (n < t.minRequests) return tooLittle('error-rate', w, n, t.minRequests);
  const b = input.baseline;
  const base =
    w.source === 'access-logs'
      ? b?.traffic && { n: b.traffic.requests, k: b.traffic.errors }
      : b && { n: b.requests, k: b.failures };
  const rate = k / n;
  const breach =
    beyondThreshold(k, n, t.errorRate, t.significance) &&
    increaseOverBaseline(base, k, n, t.minRequests) < t.significance;
  const against =
    base && base.n > 0 ? `${pct(base.k / base.n)} of ${count(base.n)} at baseline` : 'no baseline';
  return {
    rule: 'error-rate',
    status: breach ? 'breach' : 'ok',
    why: `5xx ${pct(rate)} of ${count(n)} ${noun(w.source)} in the last ${formatDuration(w.spanMs)} vs ${against} (limit ${pct(t.errorRate, 0)})`,
  };
}

/**
 * p99 above `latencyFactor` times the baseline's, decided on requests rather
 * than on a percentile of a few: the share of requests slower than the limit
 * must exceed 1 % (the window's p99 is above it) and be significantly more
 * than the baseline's share above the same limit.
 */
export function latencyRule(input: JudgeInput, ordered: readonly Sample[]): RuleResult | undefined {
  const w = trafficWindow(input, ordered);
  const b = input.baseline;
  if (!w || !b) return undefined;
  const t = input.thresholds;
  const baseP99 = w.source === 'access-logs' ? b.traffic && trafficPercentile(b.traffic, 99) : b.p99;
  if (baseP99 === undefined) return undefined;
  const limit = baseP99 * t.latencyFactor;
  const timed = timedRequests(w.traffic);
  if (timed < t.minRequests) return tooLittle('latency', w, timed, t.minRequests);
  const slow = slowerThan(w.traffic, limit);
  const share = slow / timed;
  // Against the baseline's share of requests slower than the limit; a healthy p99 below it means < 1 %.
  const baseSlow =
    w.source === 'access-logs' && b.traffic
      ? { n: timedRequests(b.traffic), k: slowerThan(b.traffic, limit) }
      : undefined;
  // More than 1 % slower than the limit (the p99 is above it), significantly more than the baseline's share.
  const breach = share > 0.01 && increaseOverBaseline(baseSlow, slow, timed, t.minRequests) < t.significance;
  const p99 = trafficPercentile(w.traffic, 99) as number;
  return {
    rule: 'latency',
    status: breach ? 'breach' : 'ok',
    why: `p99 ${ms(p99)} in the last ${formatDuration(w.spanMs)} vs ${ms(baseP99)} at baseline (limit ${t.latencyFactor}x = ${ms(limit)}): ${pct(share)} of ${count(timed)} ${noun(w.source)} slower than ${ms(limit)}`,
  };
}

/** The Poisson tail P(X >= k), as the limit of a binomial with many trials. */
function poissonUpperTail(k: number, mean: number): number {
  const trials = Math.max(1e7, 1000 * k);
  return binomialUpperTail(k, trials, mean / trials);
}

/**
 * ERROR lines as a rate over the newest minute (at least two slots) against the
 * baseline's rate and volume — one line in a 5-second slot is not "12 a
 * minute". Fires when the window's rate is above `errorLogFactor` times the
 * baseline's (and the floor), that is significant given how many lines both
 * saw, and the spike is broad: the lower median of the slots' rates is above
 * the limit too. Errors come in bursts (a task being replaced logs a few
 * seconds of failed requests), which a count over the window alone would take
 * for a spike; a spike that lasts fills most slots.
 *
 * Where the users' requests are measured too (window and baseline), lines are
 * counted beyond the 5xx responses: failed requests are the error-rate rule's
 * to judge, against the runbook's 5 %, and counting their log lines again here
 * would fire on a burst of them far below it. What is left is what the
 * runbook's "No error spike in logs" is about: errors users do not see as a
 * failed request (workers, jobs, retries).
 */
export function errorLogsRule(input: JudgeInput, ordered: readonly Sample[]): RuleResult | undefined {
  const newest = ordered.at(-1);
  if (!newest) return undefined;
  const t = input.thresholds;
  const span = Math.max(t.judgeWindowMs, 2 * (newest.to - newest.from));
  const window: Sample[] = [];
  for (let i = ordered.length - 1; i >= 0 && newest.to - (window.at(-1)?.from ?? newest.to) < span; i--) {
    window.push(ordered[i] as Sample);
  }
  const oldest = window.at(-1) as Sample;
  const b = input.baseline;
  const beyond5xx = b?.traffic !== undefined && window.every((s) => s.traffic !== undefined);
  const linesOf = (s: Sample) =>
    beyond5xx ? Math.max(0, s.errorLogs - (s.traffic?.errors ?? 0)) : s.errorLogs;
  const lines = window.reduce((n, s) => n + linesOf(s), 0);
  const minutes = (newest.to - oldest.from) / 60_000;
  const recorded =
    b?.errorLogs ?? (b ? { count: Math.round(b.errorLogsPerMinute * 15), minutes: 15 } : undefined);
  const base =
    recorded && beyond5xx
      ? { ...recorded, count: Math.max(0, recorded.count - (b?.traffic?.errors ?? 0)) }
      : recorded;
  const baseRate = base && base.minutes > 0 ? base.count / base.minutes : 0;
  const limit = Math.max(t.errorLogFloorPerMinute, baseRate * t.errorLogFactor);
  const rate = lines / minutes;
  const noun = lines === 1 ? 'error log' : 'error logs';
  const what = beyond5xx ? `${noun} besides 5xx responses` : noun;
  const against = base
    ? `${baseRate.toFixed(1)}/min at baseline (${count(base.count)} in ${formatDuration(base.minutes * 60_000)})`
    : 'no baseline';
  const figures = `${count(lines)} ${what} in the last ${formatDuration(newest.to - oldest.from)} (${rate.toFixed(1)}/min) vs ${against}; limit ${limit.toFixed(1)}/min`;
  if (newest.to - oldest.from < span) {
    return {
      rule: 'error-logs',
      status: 'inconclusive',
      why: `${figures}; judged once ${formatDuration(span)} of logs are in`,
    };
  }
  const pValue = Math.max(
    base && base.minutes > 0
      ? rateIncreasePValue(base.count, base.minutes, lines, minutes, t.errorLogFactor)
      : 0,
    poissonUpperTail(lines, t.errorLogFloorPerMinute * minutes),
  );
  const slotRates = window.map((s) => perMinuteOf(linesOf(s), s)).sort((x, y) => x - y);
  const lowerMedian = slotRates[Math.floor((slotRates.length - 1) / 2)] as number;
  const breach = rate > limit && pValue < t.significance && lowerMedian > limit;
  return {
    rule: 'error-logs',
    status: breach ? 'breach' : 'ok',
    why: breach ? `${figures}, in most of its ${window.length} samples` : figures,
  };
}

const perMinuteOf = (lines: number, s: Sample) => (s.to > s.from ? (lines * 60_000) / (s.to - s.from) : 0);
