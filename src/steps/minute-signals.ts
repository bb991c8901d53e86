import type { LoadBalancerBaseline, MinuteFigures } from '../domain/monitoring';
import type { MetricData, MetricPoint, MetricQuery } from '../ports/metric-data';

/**
 * The monitor step's per-minute CloudWatch signals (runbook "No 5XX errors",
 * "Response times normal", "Database connections stable"): which queries to
 * ask, and the complete minutes their answers make.
 *
 * Dimensions are the ones AWS publishes each metric under (Elastic Load
 * Balancing, "CloudWatch metrics for your Application Load Balancer"):
 * RequestCount, HTTPCode_Target_5XX_Count and TargetResponseTime per
 * TargetGroup + LoadBalancer; HTTPCode_ELB_5XX_Count per LoadBalancer only, as
 * the load balancer answers it before any target group is chosen. RDS
 * DatabaseConnections per DBInstanceIdentifier, or for Aurora the cluster's
 * figure per DBClusterIdentifier.
 */

const MINUTE_MS = 60_000;
const PERIOD_SECONDS = 60;
/** CloudWatch publishes a minute about a minute after it ends; judged later than that. */
export const DEFAULT_PUBLICATION_DELAY_MS = 120_000;

export interface TargetGroupRef {
  /** ARN suffix `targetgroup/<name>/<id>`, CloudWatch's TargetGroup dimension. */
  targetGroup: string;
  /** ARN suffix `app/<name>/<id>`, CloudWatch's LoadBalancer dimension. */
  loadBalancer: string;
}

export interface DatabaseRef {
  kind: 'instance' | 'cluster';
  id: string;
}

export interface MinuteSignalInputs {
  targets: readonly TargetGroupRef[];
  database?: DatabaseRef | undefined;
}

const ALB = 'AWS/ApplicationELB';

function alb(metricName: string, stat: string, dimensions: MetricQuery['dimensions']): MetricQuery {
  return { namespace: ALB, metricName, dimensions, stat, periodSeconds: PERIOD_SECONDS };
}

/** Per target group, in this order; then one ELB 5xx per load balancer; then the database. */
const TARGET_FIGURES = ['requests', 'targetErrors', 'p50', 'p99'] as const;

function distinctLoadBalancers(targets: readonly TargetGroupRef[]): string[] {
  return [...new Set(targets.map((t) => t.loadBalancer))];
}

/**
 * The queries for these target groups and database, one-minute periods:
 * per target group RequestCount Sum, HTTPCode_Target_5XX_Count Sum,
 * TargetResponseTime p50 and p99; per load balancer (once, however many of its
 * target groups are asked) HTTPCode_ELB_5XX_Count Sum; DatabaseConnections Average.
 */
export function minuteQueries(
  targets: readonly TargetGroupRef[],
  database: DatabaseRef | undefined,
): MetricQuery[] {
  const queries: MetricQuery[] = targets.flatMap((t) => {
    const dims = [
      { name: 'TargetGroup', value: t.targetGroup },
      { name: 'LoadBalancer', value: t.loadBalancer },
    ];
    return [
      alb('RequestCount', 'Sum', dims),
      alb('HTTPCode_Target_5XX_Count', 'Sum', dims),
      alb('TargetResponseTime', 'p50', dims),
      alb('TargetResponseTime', 'p99', dims),
    ];
  });
  for (const lb of distinctLoadBalancers(targets)) {
    queries.push(alb('HTTPCode_ELB_5XX_Count', 'Sum', [{ name: 'LoadBalancer', value: lb }]));
  }
  if (database) {
    queries.push({
      namespace: 'AWS/RDS',
      metricName: 'DatabaseConnections',
      dimensions: [
        {
          name: database.kind === 'cluster' ? 'DBClusterIdentifier' : 'DBInstanceIdentifier',
          value: database.id,
        },
      ],
      stat: 'Average',
      periodSeconds: PERIOD_SECONDS,
    });
  }
  return queries;
}

/**
 * The whole minutes inside [fromMs, toMs) that CloudWatch has surely published
 * by `now`: a minute counts once its end plus the publication delay has passed.
 * Empty (start >= end) when none has.
 */
export function completeMinutes(
  fromMs: number,
  toMs: number,
  now: number,
  publicationDelayMs = DEFAULT_PUBLICATION_DELAY_MS,
): { start: number; end: number } {
  const start = Math.ceil(fromMs / MINUTE_MS) * MINUTE_MS;
  const published = Math.floor((now - publicationDelayMs) / MINUTE_MS) * MINUTE_MS;
  const end = Math.min(Math.floor(toMs / MINUTE_MS) * MINUTE_MS, published);
  return { start, end };
}

/**
 * One MinuteFigures per complete minute of [fromMs, toMs) with any datapoint,
 * ascending. Several target groups add up (requests, errors) and the slowest
 * decides the percentiles (p50 and p99 are the max). TargetResponseTime comes
 * in seconds and is given in ms. A load balancer's ELB 5xx count as errors of
 * every app it fronts: CloudWatch cannot tell whose they were. RequestCount
 * does not hold requests the load balancer answered itself without a target,
 * so in a minute of such failures errors may exceed requests.
 */
export async function readMinuteFigures(
  metricData: MetricData,
  inputs: MinuteSignalInputs,
  fromMs: number,
  toMs: number,
  now: number,
  publicationDelayMs = DEFAULT_PUBLICATION_DELAY_MS,
): Promise<MinuteFigures[]> {
  const queries = minuteQueries(inputs.targets, inputs.database);
  const { start, end } = completeMinutes(fromMs, toMs, now, publicationDelayMs);
  if (queries.length === 0 || end <= start) return [];
  const series = await metricData.read(queries, start, end);
  return figuresFromSeries(inputs, series);
}

/** The parsing half of readMinuteFigures: `series` answers minuteQueries(inputs) in order. */
export function figuresFromSeries(
  inputs: MinuteSignalInputs,
  series: readonly MetricPoint[][],
): MinuteFigures[] {
  const minutes = new Map<number, Accumulator>();
  const at = (t: number): Accumulator => {
    let m = minutes.get(t);
    if (!m) {
      m = { requests: 0, errors: 0, lb: false };
      minutes.set(t, m);
    }
    return m;
  };
  /** A count datapoint: the load balancer reported this minute. */
  const reported = (t: number): Accumulator => Object.assign(at(t), { lb: true });
  const seriesAt = (i: number): readonly MetricPoint[] => series[i] ?? [];
  inputs.targets.forEach((_, t) => {
    const base = t * TARGET_FIGURES.length;
    for (const p of seriesAt(base)) reported(p.at).requests += p.value;
    for (const p of seriesAt(base + 1)) reported(p.at).errors += p.value;
    for (const p of seriesAt(base + 2)) max(at(p.at), 'p50', p.value * 1000);
    for (const p of seriesAt(base + 3)) max(at(p.at), 'p99', p.value * 1000);
  });
  const lbBase = inputs.targets.length * TARGET_FIGURES.length;
  const lbCount = distinctLoadBalancers(inputs.targets).length;
  for (let l = 0; l < lbCount; l += 1) {
    for (const p of seriesAt(lbBase + l)) reported(p.at).errors += p.value;
  }
  if (inputs.database) {
    for (const p of seriesAt(lbBase + lbCount)) at(p.at).db = p.value;
  }
  return [...minutes.entries()]
    .sort(([a], [b]) => a - b)
    .map(([minute, m]) => {
      const hasLb = m.lb || m.p50 !== undefined || m.p99 !== undefined;
      return {
        at: minute,
        ...(hasLb && {
          loadBalancer: {
            requests: m.requests,
            errors: m.errors,
            ...(m.p50 !== undefined && { p50: m.p50 }),
            ...(m.p99 !== undefined && { p99: m.p99 }),
          },
        }),
        ...(m.db !== undefined && { dbConnections: m.db }),
      };
    });
}

interface Accumulator {
  requests: number;
  errors: number;
  /** A count datapoint was seen: the load balancer reported this minute. */
  lb: boolean;
  p50?: number;
  p99?: number;
  db?: number;
}

function max(m: Accumulator, key: 'p50' | 'p99', value: number): void {
  const current = m[key];
  m[key] = current === undefined ? value : Math.max(current, value);
}

/**
 * The load balancer before the deploy: requests and errors summed over the
 * minutes it reported, the median of their p99s. Undefined when no minute had
 * load-balancer figures.
 */
export function loadBalancerBaseline(minutes: readonly MinuteFigures[]): LoadBalancerBaseline | undefined {
  const lb = minutes.flatMap((m) => (m.loadBalancer ? [m.loadBalancer] : []));
  if (lb.length === 0) return undefined;
  const p99 = median(lb.flatMap((m) => (m.p99 === undefined ? [] : [m.p99])));
  return {
    requests: lb.reduce((n, m) => n + m.requests, 0),
    errors: lb.reduce((n, m) => n + m.errors, 0),
    ...(p99 !== undefined && { p99 }),
    minutes: lb.length,
  };
}

/** The average of the minutes' database connections; undefined when none had a figure. */
export function dbConnectionsBaseline(minutes: readonly MinuteFigures[]): number | undefined {
  const values = minutes.flatMap((m) => (m.dbConnections === undefined ? [] : [m.dbConnections]));
  if (values.length === 0) return undefined;
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** The middle value; the mean of the two middle ones for an even count. */
function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}
