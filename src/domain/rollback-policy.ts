import type { Baseline, Sample } from './monitoring';

/**
 * When to propose a rollback (runbook "When to Rollback"): error rate above
 * 5 %, p99 latency above 2x baseline, failing health, crashing tasks — and an
 * error-log spike. A rule fires only when its condition held in the last
 * `consecutive` samples that measured it, so one blip does not page anyone.
 * A sample without data for a rule neither confirms nor breaks its streak.
 */
export interface PolicyThresholds {
  errorRate: number;
  latencyFactor: number;
  /** Error-log rate above this many times the baseline rate (and above `errorLogFloorPerMinute`). */
  errorLogFactor: number;
  errorLogFloorPerMinute: number;
  consecutive: number;
}

export type RuleName = 'error-rate' | 'latency' | 'health' | 'tasks' | 'error-logs';

export type Verdict = { breach: false } | { breach: true; rule: RuleName; summary: string };

interface Rule {
  name: RuleName;
  /** undefined: the sample did not measure this. Otherwise whether it is bad, and why. */
  judge(
    sample: Sample,
    baseline: Baseline | undefined,
    t: PolicyThresholds,
  ): { bad: boolean; why: string } | undefined;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const ms = (x: number) => `${Math.round(x)}ms`;

export const RULES: Rule[] = [
  {
    name: 'health',
    judge: (s) =>
      s.probes && s.probes.requests > 0
        ? {
            bad: s.probes.failures === s.probes.requests,
            why: `${s.probes.failures}/${s.probes.requests} health probes failed`,
          }
        : undefined,
  },
  {
    name: 'error-rate',
    judge: (s, _b, t) =>
      s.probes && s.probes.requests > 0
        ? {
            bad: s.probes.errorRate > t.errorRate,
            why: `5xx rate ${pct(s.probes.errorRate)} > ${pct(t.errorRate)}`,
          }
        : undefined,
  },
  {
    name: 'latency',
    judge: (s, b, t) => {
      if (s.probes?.p99 === undefined || b?.p99 === undefined) return undefined;
      const limit = b.p99 * t.latencyFactor;
      return {
        bad: s.probes.p99 > limit,
        why: `p99 ${ms(s.probes.p99)} > ${t.latencyFactor}x baseline ${ms(b.p99)}`,
      };
    },
  },
  {
    name: 'tasks',
    judge: (s) =>
      s.tasks
        ? {
            bad: s.tasks.running < s.tasks.desired,
            why: `${s.tasks.running}/${s.tasks.desired} tasks running`,
          }
        : undefined,
  },
  {
    name: 'error-logs',
    judge: (s, b, t) => {
      const limit = Math.max((b?.errorLogsPerMinute ?? 0) * t.errorLogFactor, t.errorLogFloorPerMinute);
      return {
        bad: s.errorLogsPerMinute > limit,
        why: `${s.errorLogsPerMinute.toFixed(1)} error logs/min > ${limit.toFixed(1)}/min`,
      };
    },
  },
];

export function decide(
  samples: readonly Sample[],
  baseline: Baseline | undefined,
  t: PolicyThresholds,
): Verdict {
  const ordered = [...samples].sort((a, b) => a.slot - b.slot);
  for (const rule of RULES) {
    const judged = ordered.map((s) => rule.judge(s, baseline, t)).filter((j) => j !== undefined);
    const recent = judged.slice(-t.consecutive);
    if (recent.length === t.consecutive && recent.every((j) => j.bad)) {
      const last = recent[recent.length - 1] as { why: string };
      return {
        breach: true,
        rule: rule.name,
        summary: `${last.why} in ${t.consecutive} consecutive samples`,
      };
    }
  }
  return { breach: false };
}
