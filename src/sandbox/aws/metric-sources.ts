/**
 * What the emulator's GetMetricData asks of a namespace: the statistic of one
 * metric over one period. Each namespace (AWS/ECS, AWS/ApplicationELB, AWS/RDS)
 * answers from what the emulator simulates, and says nothing (no datapoint)
 * for a metric, dimension set or statistic it does not publish, as CloudWatch.
 */
export interface MetricSpec {
  namespace?: string;
  metricName?: string;
  dimensions: Map<string, string>;
  periodSeconds: number;
  /** `Average`, `Sum`, `Minimum`, `Maximum`, `SampleCount` or a percentile `pNN(.N)`. */
  stat: string;
  unit?: string;
}

export interface MetricSource {
  /** The statistic over the period [from, to) as published by `now`; undefined: no datapoint. */
  value(spec: MetricSpec, from: number, to: number, now: number): number | undefined;
}

export const MINUTE_MS = 60_000;

/** `p99`, `p99.9`: the percentile, or undefined for another statistic. */
export function percentileOf(stat: string): number | undefined {
  const match = /^p(\d{1,2}(?:\.\d+)?|100)$/.exec(stat);
  return match ? Number(match[1]) : undefined;
}

/** A statistic of raw values (one a minute for gauges); undefined for none or an unknown statistic. */
export function aggregate(stat: string, values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const p = percentileOf(stat);
  if (p !== undefined) {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p * sorted.length) / 100))) - 1];
  }
  switch (stat) {
    case 'Minimum':
      return Math.min(...values);
    case 'Maximum':
      return Math.max(...values);
    case 'Sum':
      return values.reduce((s, v) => s + v, 0);
    case 'SampleCount':
      return values.length;
    case 'Average':
      return values.reduce((s, v) => s + v, 0) / values.length;
    default:
      return undefined;
  }
}

/** The minutes of [from, to) CloudWatch has published by `now`, `delayMs` after each one ends. */
export function publishedMinutes(from: number, to: number, now: number, delayMs: number): number[] {
  const out: number[] = [];
  for (
    let m = Math.ceil(from / MINUTE_MS) * MINUTE_MS;
    m < to && m + MINUTE_MS + delayMs <= now;
    m += MINUTE_MS
  ) {
    out.push(m);
  }
  return out;
}
