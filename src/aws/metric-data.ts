import {
  GetMetricDataCommand,
  type CloudWatchClient,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import type { MetricData, MetricPoint, MetricQuery } from '../ports/metric-data';

/** GetMetricData takes at most 500 queries a request. */
export const MAX_QUERIES_PER_REQUEST = 500;

/**
 * Query ids must match ^[a-z][a-zA-Z0-9_]*$, which metric names and dimension
 * values need not: ids go by position within the request.
 */
function queryId(index: number): string {
  return `q${index}`;
}

function toSdkQuery(q: MetricQuery, index: number): MetricDataQuery {
  return {
    Id: queryId(index),
    MetricStat: {
      Metric: {
        Namespace: q.namespace,
        MetricName: q.metricName,
        Dimensions: q.dimensions.map((d) => ({ Name: d.name, Value: d.value })),
      },
      Period: q.periodSeconds,
      Stat: q.stat,
    },
  };
}

/**
 * MetricData over CloudWatch GetMetricData: queries in requests of at most 500,
 * each request followed through its NextToken pages (a query cut off says
 * PartialData and continues on the next page), datapoints asked and returned in
 * ascending time. StartTime/EndTime are the range as given: CloudWatch itself
 * rounds StartTime down to the minute for one-minute data.
 */
export class CloudWatchMetricData implements MetricData {
  constructor(private readonly cloudwatch: CloudWatchClient) {}

  async read(queries: readonly MetricQuery[], fromMs: number, toMs: number): Promise<MetricPoint[][]> {
    if (queries.length === 0 || !(toMs > fromMs)) return queries.map(() => []);
    const out: MetricPoint[][] = [];
    for (let i = 0; i < queries.length; i += MAX_QUERIES_PER_REQUEST) {
      out.push(...(await this.request(queries.slice(i, i + MAX_QUERIES_PER_REQUEST), fromMs, toMs)));
    }
    return out;
  }

  private async request(
    queries: readonly MetricQuery[],
    fromMs: number,
    toMs: number,
  ): Promise<MetricPoint[][]> {
    const points: MetricPoint[][] = queries.map(() => []);
    const byId = new Map(queries.map((_, index) => [queryId(index), index]));
    const seen = new Set<string>();
    let nextToken: string | undefined;
    do {
      const out = await this.cloudwatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries.map(toSdkQuery),
          StartTime: new Date(fromMs),
          EndTime: new Date(toMs),
          ScanBy: 'TimestampAscending',
          ...(nextToken && { NextToken: nextToken }),
        }),
      );
      for (const result of out.MetricDataResults ?? []) {
        const index = result.Id === undefined ? undefined : byId.get(result.Id);
        if (index !== undefined) points[index]?.push(...datapoints(result));
      }
      nextToken = out.NextToken;
      // A token handed back twice would loop for ever; what was read is the answer.
      if (nextToken !== undefined) {
        if (seen.has(nextToken)) break;
        seen.add(nextToken);
      }
    } while (nextToken);
    // Ascending was asked for; sorting keeps the port's invariant whatever the pages did.
    for (const series of points) series.sort((a, b) => a.at - b.at);
    return points;
  }
}

function datapoints(result: MetricDataResult): MetricPoint[] {
  const times = result.Timestamps ?? [];
  const values = result.Values ?? [];
  const out: MetricPoint[] = [];
  for (let i = 0; i < Math.min(times.length, values.length); i += 1) {
    const at = times[i];
    const value = values[i];
    if (at !== undefined && value !== undefined) out.push({ at: at.getTime(), value });
  }
  return out;
}
