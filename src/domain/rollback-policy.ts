import type { Baseline, Sample, Utilization } from './monitoring';

/**
 * When to propose a rollback (runbook "When to Rollback"): error rate above
 * 5 %, p99 latency above 2x baseline, failing health, crashing tasks — and an
 * error-log spike, and CPU or memory above a configured limit. A rule fires only when its condition held in the last
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
  /** Percent CPU / memory of the busiest service above which a sample is saturated; none: not judged. */
  cpu?: number;
  memory?: number;
}

export type RuleName = 'error-rate' | 'latency' | 'health' | 'tasks' | 'error-logs' | 'saturation';

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

/**
 * CPU and memory against their limits. A sample is judged when it measured at
 * least one figure that has a limit; it is bad when any such figure is above it.
 */
function saturation(s: Sample, t: PolicyThresholds): { bad: boolean; why: string } | undefined {
  const judged = (
    [
      ['cpu', s.cpu, t.cpu],
      ['memory', s.memory, t.memory],
    ] as const
  ).flatMap(([what, u, limit]) => (u && limit !== undefined ? [{ what, u, limit }] : []));
  if (judged.length === 0) return undefined;
  const over = judged.filter((j) => j.u.percent > j.limit);
  const quoted = over.length > 0 ? over : judged;
  return {
    bad: over.length > 0,
    why: quoted
      .map((j) => `${j.what} ${percent(j.u)} ${j.u.percent > j.limit ? '>' : '<='} ${j.limit}%`)
      .join(', '),
  };
}

const percent = (u: Utilization) => `${u.percent.toFixed(1)}% (${u.service})`;

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
  { name: 'saturation', judge: (s, _b, t) => saturation(s, t) },
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
