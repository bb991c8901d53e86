import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { MetricData, MetricPoint, MetricQuery } from '../ports/metric-data';
import type { ServiceMetrics, ServiceUtilization } from '../ports/metrics';
import { CloudWatchMetricData } from './metric-data';

const MINUTE_MS = 60_000;
const METRICS = { cpu: 'CPUUtilization', memory: 'MemoryUtilization' } as const;
type Figure = keyof typeof METRICS;
/** Each service's queries, in this order. */
const FIGURES: readonly Figure[] = ['cpu', 'memory'];

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

export class CloudWatchServiceMetrics implements ServiceMetrics {
  private readonly metricData: MetricData;

  /**
   * On a MetricData (the engine's BatchedMetricData, so every app sampling at
   * one moment shares one GetMetricData); a CloudWatch client alone reads
   * unbatched, one request (and its pages) per call.
   */
  constructor(source: MetricData | CloudWatchClient) {
    this.metricData = source instanceof CloudWatchClient ? new CloudWatchMetricData(source) : source;
  }

  async utilization(
    cluster: string,
    services: readonly string[],
    fromMs: number,
    toMs: number,
  ): Promise<ServiceUtilization[]> {
    if (!(toMs > fromMs)) return services.map((service) => ({ service }));
    const { start, end, periodSeconds } = metricWindow(fromMs, toMs);
    const query = (service: string, figure: Figure): MetricQuery => ({
      namespace: 'AWS/ECS',
      metricName: METRICS[figure],
      dimensions: [
        { name: 'ClusterName', value: cluster },
        { name: 'ServiceName', value: service },
      ],
      stat: 'Average',
      periodSeconds,
    });
    const queries = services.flatMap((service) => FIGURES.map((figure) => query(service, figure)));
    const series = await this.metricData.read(queries, start.getTime(), end.getTime());
    return services.map((service, index) => {
      const cpu = mean(series[index * FIGURES.length]);
      const memory = mean(series[index * FIGURES.length + 1]);
      return { service, ...(cpu !== undefined && { cpu }), ...(memory !== undefined && { memory }) };
    });
  }
}

function mean(points: readonly MetricPoint[] | undefined): number | undefined {
  if (!points || points.length === 0) return undefined;
  return points.reduce((sum, p) => sum + p.value, 0) / points.length;
}
