import type { Baseline, Sample } from '../../src/domain/monitoring';
import { trafficPercentile } from '../../src/domain/traffic';
import type { Watcher } from './watcher';

/**
 * "Today's rule": the rollback policy deploybot shipped until issue 8
 * (src/domain/rollback-policy.ts at 739cf70), applied to the slot's real
 * traffic instead of its five health probes. Per slot: 5xx share above 5 %,
 * p99 above 2x the baseline's, error-log lines of the slot scaled to a minute
 * above max(3x the baseline's rate, 5/min), every request failing — a rule
 * fires when the last 2 samples that measured it were both bad.
 *
 * Left out: "tasks" (running < desired) and "saturation" — the simulation has
 * no task counts or CPU. Task replacement would trip "tasks" too, so today's
 * figures here are its best case.
 */
export interface LegacyThresholds {
  errorRate: number;
  latencyFactor: number;
  errorLogFactor: number;
  errorLogFloorPerMinute: number;
  consecutive: number;
}

export const LEGACY_THRESHOLDS: LegacyThresholds = {
  errorRate: 0.05,
  latencyFactor: 2,
  errorLogFactor: 3,
  errorLogFloorPerMinute: 5,
  consecutive: 2,
};

type LegacyRuleName = 'health' | 'error-rate' | 'latency' | 'error-logs';

/** undefined: the sample did not measure this. Otherwise whether it is bad, and why. */
type Judgement = { bad: boolean; why: string } | undefined;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const ms = (x: number) => `${Math.round(x)}ms`;

/** In the order 739cf70 checked them: the first rule with a full bad streak is the one quoted. */
const RULES: readonly {
  name: LegacyRuleName;
  judge: (s: Sample, b: Baseline, t: LegacyThresholds) => Judgement;
}[] = [
  {
    name: 'health',
    judge: (s) =>
      s.traffic && s.traffic.requests > 0
        ? {
            bad: s.traffic.errors === s.traffic.requests,
            why: `${s.traffic.errors}/${s.traffic.requests} requests failed`,
          }
        : undefined,
  },
  {
    name: 'error-rate',
    judge: (s, _b, t) => {
      if (!s.traffic || s.traffic.requests === 0) return undefined;
      const rate = s.traffic.errors / s.traffic.requests;
      return { bad: rate > t.errorRate, why: `5xx rate ${pct(rate)} > ${pct(t.errorRate)}` };
    },
  },
  {
    name: 'latency',
    judge: (s, b, t) => {
      const p99 = s.traffic && trafficPercentile(s.traffic, 99);
      if (p99 === undefined || b.p99 === undefined) return undefined;
      return {
        bad: p99 > b.p99 * t.latencyFactor,
        why: `p99 ${ms(p99)} > ${t.latencyFactor}x baseline ${ms(b.p99)}`,
      };
    },
  },
  {
    name: 'error-logs',
    judge: (s, b, t) => {
      const limit = Math.max(b.errorLogsPerMinute * t.errorLogFactor, t.errorLogFloorPerMinute);
      return {
        bad: s.errorLogsPerMinute > limit,
        why: `${s.errorLogsPerMinute.toFixed(1)} error logs/min > ${limit.toFixed(1)}/min`,
      };
    },
  },
];

/**
 * 739cf70's decide(), kept incremental: each rule remembers only its last
 * `consecutive` judgements, which is all decide() looked at.
 */
export function legacyWatcher(baseline: Baseline, t: LegacyThresholds = LEGACY_THRESHOLDS): Watcher {
  const recent = new Map<LegacyRuleName, { bad: boolean; why: string }[]>(RULES.map((r) => [r.name, []]));
  return {
    observe(sample) {
      for (const rule of RULES) {
        const judged = rule.judge(sample, baseline, t);
        if (judged === undefined) continue;
        const streak = recent.get(rule.name) as { bad: boolean; why: string }[];
        streak.push(judged);
        if (streak.length > t.consecutive) streak.shift();
      }
      for (const rule of RULES) {
        const streak = recent.get(rule.name) as { bad: boolean; why: string }[];
        if (streak.length === t.consecutive && streak.every((j) => j.bad)) {
          const last = streak[streak.length - 1] as { why: string };
          return { proposal: `${rule.name}: ${last.why} in ${t.consecutive} consecutive samples` };
        }
      }
      return {};
    },
  };
}
