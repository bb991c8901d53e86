import type { MinuteFigures } from '../monitoring';
import { beyondThreshold, increaseOverBaseline } from './traffic-rules';
import { MAX_JUDGE_WINDOW_MS, count, ms, pct, type JudgeInput, type RuleResult } from './rule';

/**
 * The load balancer's and the database's figures come per minute and about a
 * minute late: these rules judge complete minutes only (the reader hands in
 * nothing else) and say so in their numbers.
 */
const MINUTE = 60_000;
/** A minute's p99 from fewer requests than this is one or two slow requests, not a percentile. */
const MIN_REQUESTS_FOR_P99 = 100;

function newestFirst(input: JudgeInput, pick: (m: MinuteFigures) => boolean): MinuteFigures[] {
  return [...(input.minutes ?? [])].filter(pick).sort((a, b) => b.at - a.at);
}

const minutesWord = (n: number) => (n === 1 ? 'complete minute' : `${n} complete minutes`);

/** 5xx (target and load balancer) over requests in the newest complete minutes, tested like the access logs. */
export function loadBalancerErrorRule(input: JudgeInput): RuleResult | undefined {
  const minutes = newestFirst(input, (m) => m.loadBalancer !== undefined);
  if (minutes.length === 0) return undefined;
  const t = input.thresholds;
  const want = Math.max(1, Math.ceil(t.judgeWindowMs / MINUTE));
  let n = 0;
  let k = 0;
  let used = 0;
  for (const m of minutes.slice(0, Math.max(want, MAX_JUDGE_WINDOW_MS / MINUTE))) {
    n += m.loadBalancer?.requests ?? 0;
    k += m.loadBalancer?.errors ?? 0;
    used += 1;
    if (used >= want && n >= t.minRequests) break;
  }
  const span = `last ${minutesWord(used)}`;
  if (n < t.minRequests) {
    return {
      rule: 'lb-error-rate',
      status: 'inconclusive',
      why: `load balancer: only ${count(n)} requests in the ${span}; ${count(t.minRequests)} needed to judge`,
    };
  }
  const b = input.baseline?.loadBalancer;
  const rate = k / n;
  const breach =
    beyondThreshold(k, n, t.errorRate, t.significance) &&
    increaseOverBaseline(b && { n: b.requests, k: b.errors }, k, n, t.minRequests) < t.significance;
  const against =
    b && b.requests > 0 ? `${pct(b.errors / b.requests)} of ${count(b.requests)} at baseline` : 'no baseline';
  return {
    rule: 'lb-error-rate',
    status: breach ? 'breach' : 'ok',
    why: `load balancer 5xx ${pct(rate)} of ${count(n)} requests in the ${span} vs ${against} (limit ${pct(t.errorRate, 0)})`,
  };
}

/**
 * The load balancer's p99 (CloudWatch computes it over every request of the
 * minute) above `latencyFactor` times the baseline's in `consecutive` complete
 * minutes, each with enough requests for a p99 to mean something.
 */
export function loadBalancerLatencyRule(input: JudgeInput): RuleResult | undefined {
  const baseP99 = input.baseline?.loadBalancer?.p99;
  if (baseP99 === undefined) return undefined;
  const t = input.thresholds;
  const minutes = newestFirst(input, (m) => m.loadBalancer?.p99 !== undefined).slice(0, t.consecutive);
  if (minutes.length === 0) return undefined;
  const limit = baseP99 * t.latencyFactor;
  const figures = minutes.map((m) => `${ms(m.loadBalancer?.p99 as number)}`).join(', ');
  if (
    minutes.length < t.consecutive ||
    minutes.some((m) => (m.loadBalancer?.requests ?? 0) < MIN_REQUESTS_FOR_P99)
  ) {
    return {
      rule: 'lb-latency',
      status: 'inconclusive',
      why: `load balancer p99 ${figures}: fewer than ${t.consecutive} complete minutes of ${MIN_REQUESTS_FOR_P99}+ requests yet`,
    };
  }
  const breach = minutes.every((m) => (m.loadBalancer?.p99 as number) > limit);
  return {
    rule: 'lb-latency',
    status: breach ? 'breach' : 'ok',
    why: `load balancer p99 ${figures} in the last ${minutesWord(minutes.length)} vs ${ms(baseP99)} at baseline (limit ${t.latencyFactor}x = ${ms(limit)})`,
  };
}

/** Runbook "Database connections stable": far above the baseline in `consecutive` complete minutes. */
export function connectionsRule(input: JudgeInput): RuleResult | undefined {
  const base = input.baseline?.dbConnections;
  const t = input.thresholds;
  const minutes = newestFirst(input, (m) => m.dbConnections !== undefined).slice(0, t.consecutive);
  if (base === undefined || minutes.length === 0) return undefined;
  const limit = Math.max(base * t.connectionsFactor, base + 20);
  const figures = minutes.map((m) => (m.dbConnections as number).toFixed(0)).join(', ');
  const breach = minutes.length >= t.consecutive && minutes.every((m) => (m.dbConnections as number) > limit);
  return {
    rule: 'connections',
    status: breach ? 'breach' : 'ok',
    why: `database connections ${figures} in the last ${minutesWord(minutes.length)} vs ${base.toFixed(0)} at baseline (limit ${limit.toFixed(0)})`,
  };
}
