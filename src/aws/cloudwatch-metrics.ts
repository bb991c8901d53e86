import {
  GetMetricDataCommand,
  type CloudWatchClient,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type { ServiceMetrics, ServiceUtilization } from '../ports/metrics';

const MINUTE_MS = 60_000;
// GetMetricData takes at most 500 queries; each service needs two.
const SERVICES_PER_REQUEST = 250;

const METRICS = { cpu: 'CPUUtilization', memory: 'MemoryUtilization' } as const;
type Figure = keyof typeof METRICS;

/**
 * The request's time range and period for a sample over [fromMs, toMs).
 *
 * ECS publishes service metrics once a minute, and CloudWatch rounds StartTime
 * down to the minute (EndTime is exclusive). A Period of 60 s or more must be a
 * multiple of 60. So the range is widened to whole minutes — start rounded down,
 * end rounded up — and the Period is that whole range: exactly one Average
 * datapoint per metric, over every minute the sample touches. For a sample on
 * minute boundaries that is the sample length rounded up to a multiple of 60 s
 * (minimum 60); for one that is not, the minute it starts in is included.
 */
export function metricWindow(
  fromMs: number,
  toMs: number,
): { start: Date; end: Date; periodSeconds: number } {
  const start = Math.floor(fromMs / MINUTE_MS) * MINUTE_MS;
  const end = Math.max(start + MINUTE_MS, Math.ceil(toMs / MINUTE_MS) * MINUTE_MS);
  return { start: new Date(start), end: new Date(end), periodSeconds: (end - start) / 1000 };
}

/** Query ids must match ^[a-z][a-zA-Z0-9_]*$, which service names need not: ids go by position. */
function queryId(figure: Figure, index: number): string {
  return `${figure}${index}`;
}

export class CloudWatchServiceMetrics implements ServiceMetrics {
  constructor(private readonly cloudwatch: CloudWatchClient) {}

  async utilization(
    cluster: string,
    services: readonly string[],
    fromMs: number,
    toMs: number,
  ): Promise<ServiceUtilization[]> {
    if (!(toMs > fromMs)) return services.map((service) => ({ service }));
    const out: ServiceUtilization[] = [];
    for (let i = 0; i < services.length; i += SERVICES_PER_REQUEST) {
      out.push(...(await this.read(cluster, services.slice(i, i + SERVICES_PER_REQUEST), fromMs, toMs)));
    }
    return out;
  }

  private async read(
    cluster: string,
    services: readonly string[],
    fromMs: number,
    toMs: number,
  ): Promise<ServiceUtilization[]> {
    const { start, end, periodSeconds } = metricWindow(fromMs, toMs);
    const queries: MetricDataQuery[] = services.flatMap((service, index) =>
      (Object.keys(METRICS) as Figure[]).map((figure) => ({
        Id: queryId(figure, index),
        MetricStat: {
          Metric: {
            Namespace: 'AWS/ECS',
            MetricName: METRICS[figure],
            Dimensions: [
              { Name: 'ClusterName', Value: cluster },
              { Name: 'ServiceName', Value: service },
            ],
          },
          Period: periodSeconds,
          Stat: 'Average',
        },
      })),
    );
    const values = await this.values(queries, start, end);
    return services.map((service, index) => {
      const cpu = mean(values.get(queryId('cpu', index)));
      const memory = mean(values.get(queryId('memory', index)));
      return { service, ...(cpu !== undefined && { cpu }), ...(memory !== undefined && { memory }) };
    });
  }

  /** Every value of every query, by query id, following NextToken to the last page. */
  private async values(queries: MetricDataQuery[], start: Date, end: Date): Promise<Map<string, number[]>> {
    const values = new Map<string, number[]>();
    const seen = new Set<string>();
    let nextToken: string | undefined;
    do {
      const out = await this.cloudwatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: start,
          EndTime: end,
          ...(nextToken && { NextToken: nextToken }),
        }),
      );
      // A query's values may continue on the next page (StatusCode PartialData).
      for (const result of out.MetricDataResults ?? []) {
        if (result.Id === undefined) continue;
        values.set(result.Id, [...(values.get(result.Id) ?? []), ...(result.Values ?? [])]);
      }
      nextToken = out.NextToken;
      if (nextToken) {
        if (seen.has(nextToken)) break;
        seen.add(nextToken);
      }
    } while (nextToken);
    return values;
  }
}

function mean(values: number[] | undefined): number | undefined {
  if (!values || values.length === 0) return undefined;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
