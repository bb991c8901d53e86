import type { AlarmDatapoint, MetricAlarmDefinition } from './alarm-evaluation';
import type { MetricSource, MetricSpec } from './metric-sources';

/** Where a metric alarm reads its datapoints: the sources GetMetricData answers from, and their publication delay. */
export interface AlarmMetrics {
  sources: readonly MetricSource[];
  delayMs: () => number;
}

/** An alarm left undescribed for longer replays only its last day of evaluations (a day is the longest range). */
const MAX_REPLAYED = 24 * 60;

/**
 * The newest period whose datapoint is published by `at`: periods are aligned
 * to their length, and a period's datapoint appears `delayMs` after it ends.
 */
function newestPublishedPeriod(periodMs: number, at: number, delayMs: number): number {
  return Math.floor((at - delayMs - periodMs) / periodMs) * periodMs;
}

/**
 * When CloudWatch evaluates the alarm in (after, until]: each time a period's
 * datapoint is published, so that the range moves on by one period. Oldest
 * first, at most the last MAX_REPLAYED of them.
 */
export function evaluationInstants(
  periodMs: number,
  after: number,
  until: number,
  delayMs: number,
): number[] {
  const out: number[] = [];
  const first = newestPublishedPeriod(periodMs, after, delayMs) + periodMs;
  const last = newestPublishedPeriod(periodMs, until, delayMs);
  const start = Math.max(first, last - (MAX_REPLAYED - 1) * periodMs);
  for (let p = start; p <= last; p += periodMs) out.push(p + periodMs + delayMs);
  return out;
}

/**
 * The alarm's evaluation range as it stands at `at`: its last EvaluationPeriods
 * published periods, oldest first, each the first source's statistic for it
 * (what GetMetricData answers for the same metric at that moment).
 */
export function evaluationRange(
  def: MetricAlarmDefinition,
  metrics: AlarmMetrics,
  at: number,
): AlarmDatapoint[] {
  const periodMs = def.periodSeconds * 1000;
  const delayMs = metrics.delayMs();
  const newest = newestPublishedPeriod(periodMs, at, delayMs);
  const spec: MetricSpec = {
    namespace: def.namespace,
    metricName: def.metricName,
    dimensions: new Map(Object.entries(def.dimensions)),
    periodSeconds: def.periodSeconds,
    stat: def.statistic,
    ...(def.unit !== undefined && { unit: def.unit }),
  };
  const range: AlarmDatapoint[] = [];
  for (let p = newest - (def.evaluationPeriods - 1) * periodMs; p <= newest; p += periodMs) {
    let value: number | undefined;
    for (const source of metrics.sources) {
      value = source.value(spec, p, p + periodMs, at);
      if (value !== undefined) break;
    }
    range.push({ at: p, value });
  }
  return range;
}
