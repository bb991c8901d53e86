import {
  aggregate,
  MINUTE_MS,
  percentileOf,
  publishedMinutes,
  type MetricSource,
  type MetricSpec,
} from './metric-sources';

/** One request through the load balancer, as the simulated service answered it. */
export interface RecordedRequest {
  /** ARN suffix `targetgroup/<name>/<id>`. */
  targetGroup: string;
  /** ARN suffix `app/<name>/<id>`. */
  loadBalancer: string;
  at: number;
  /** The target's HTTP status; 0 when the target did not answer (the load balancer then answers 502 itself). */
  status: number;
  latencyMs: number;
}

/**
 * Latency histogram buckets 1 % wide from 0.01 ms: any percentile within 1 %
 * of the true one, in a few hundred counters a minute however many requests.
 */
const BUCKET_GROWTH = 1.01;
const SMALLEST_MS = 0.01;
/** CloudWatch keeps one-minute data 15 days; the emulator keeps a day, which any monitoring window fits. */
const KEPT_MINUTES = 24 * 60;

interface MinuteAggregate {
  requests: number;
  target5xx: number;
  elb5xx: number;
  /** Answered requests' latencies, ms. */
  latency: { count: number; sum: number; min: number; max: number; buckets: Map<number, number> };
}

function bucketOf(ms: number): number {
  return ms <= SMALLEST_MS ? 0 : Math.floor(Math.log(ms / SMALLEST_MS) / Math.log(BUCKET_GROWTH));
}

/** The middle of a bucket, ms. */
function bucketValue(bucket: number): number {
  return SMALLEST_MS * BUCKET_GROWTH ** (bucket + 0.5);
}

const COUNT_METRICS: Record<string, (m: MinuteAggregate) => number> = {
  RequestCount: (m) => m.requests,
  HTTPCode_Target_5XX_Count: (m) => m.target5xx,
  HTTPCode_ELB_5XX_Count: (m) => m.elb5xx,
};

/**
 * AWS/ApplicationELB from the requests the simulated service records, kept as
 * per-minute aggregates per target group. Published as ALB publishes: per
 * TargetGroup + LoadBalancer or per LoadBalancer (HTTPCode_ELB_5XX_Count per
 * LoadBalancer only), a count metric only in minutes where it is non-zero (its
 * Sum is the count; Average, Minimum and Maximum are 1), TargetResponseTime in
 * seconds with Average, Minimum, Maximum, Sum, SampleCount and percentiles.
 * A minute appears `delayMs()` after it ends.
 */
export class LoadBalancerMetrics implements MetricSource {
  /** `${targetGroup} ${loadBalancer}` -> minute start -> aggregate. */
  private readonly series = new Map<string, Map<number, MinuteAggregate>>();

  constructor(private readonly delayMs: () => number) {}

  record(r: RecordedRequest): void {
    const key = `${r.targetGroup} ${r.loadBalancer}`;
    let minutes = this.series.get(key);
    if (!minutes) {
      minutes = new Map();
      this.series.set(key, minutes);
    }
    const minute = Math.floor(r.at / MINUTE_MS) * MINUTE_MS;
    let m = minutes.get(minute);
    if (!m) {
      m = {
        requests: 0,
        target5xx: 0,
        elb5xx: 0,
        latency: { count: 0, sum: 0, min: Infinity, max: -Infinity, buckets: new Map() },
      };
      minutes.set(minute, m);
      // Minutes arrive in about ascending order: the oldest are the first keys.
      for (const old of minutes.keys()) {
        if (minutes.size <= KEPT_MINUTES) break;
        minutes.delete(old);
      }
    }
    m.requests += 1;
    if (r.status === 0) {
      m.elb5xx += 1;
      return;
    }
    if (r.status >= 500) m.target5xx += 1;
    const l = m.latency;
    l.count += 1;
    l.sum += r.latencyMs;
    l.min = Math.min(l.min, r.latencyMs);
    l.max = Math.max(l.max, r.latencyMs);
    const bucket = bucketOf(r.latencyMs);
    l.buckets.set(bucket, (l.buckets.get(bucket) ?? 0) + 1);
  }

  value(spec: MetricSpec, from: number, to: number, now: number): number | undefined {
    if (spec.namespace !== 'AWS/ApplicationELB' || spec.metricName === undefined) return undefined;
    const lb = spec.dimensions.get('LoadBalancer');
    const tg = spec.dimensions.get('TargetGroup');
    const expected = tg === undefined ? 1 : 2;
    if (lb === undefined || spec.dimensions.size !== expected) return undefined;
    if (spec.metricName === 'HTTPCode_ELB_5XX_Count' && tg !== undefined) return undefined;
    const aggregates = this.minutes(lb, tg, publishedMinutes(from, to, now, this.delayMs()));
    const count = COUNT_METRICS[spec.metricName];
    if (count) {
      if (spec.unit !== undefined && spec.unit !== 'Count') return undefined;
      const n = aggregates.reduce((s, m) => s + count(m), 0);
      if (n === 0) return undefined;
      // Every request is a datapoint of value 1.
      return spec.stat === 'Sum' || spec.stat === 'SampleCount' ? n : aggregate(spec.stat, [1]);
    }
    if (spec.metricName !== 'TargetResponseTime') return undefined;
    if (spec.unit !== undefined && spec.unit !== 'Seconds') return undefined;
    return responseTimeSeconds(spec.stat, aggregates);
  }

  private minutes(lb: string, tg: string | undefined, minutes: number[]): MinuteAggregate[] {
    const out: MinuteAggregate[] = [];
    for (const [key, series] of this.series) {
      const [seriesTg, seriesLb] = key.split(' ');
      if (seriesLb !== lb || (tg !== undefined && seriesTg !== tg)) continue;
      for (const minute of minutes) {
        const m = series.get(minute);
        if (m) out.push(m);
      }
    }
    return out;
  }
}

function responseTimeSeconds(stat: string, minutes: readonly MinuteAggregate[]): number | undefined {
  const count = minutes.reduce((n, m) => n + m.latency.count, 0);
  if (count === 0) return undefined;
  // A count, not a time: the one statistic not converted to seconds.
  if (stat === 'SampleCount') return count;
  const ms = ((): number | undefined => {
    const p = percentileOf(stat);
    if (p !== undefined) return percentileMs(p, count, minutes);
    switch (stat) {
      case 'Average':
        return minutes.reduce((s, m) => s + m.latency.sum, 0) / count;
      case 'Sum':
        return minutes.reduce((s, m) => s + m.latency.sum, 0);
      case 'Minimum':
        return Math.min(...minutes.map((m) => m.latency.min));
      case 'Maximum':
        return Math.max(...minutes.map((m) => m.latency.max));
      default:
        return undefined;
    }
  })();
  return ms === undefined ? undefined : ms / 1000;
}

/** Nearest rank over the merged histograms, clamped to the exact minimum and maximum. */
function percentileMs(p: number, count: number, minutes: readonly MinuteAggregate[]): number {
  const merged = new Map<number, number>();
  for (const m of minutes) for (const [b, n] of m.latency.buckets) merged.set(b, (merged.get(b) ?? 0) + n);
  const rank = Math.min(count, Math.max(1, Math.ceil((p * count) / 100)));
  const min = Math.min(...minutes.map((m) => m.latency.min));
  const max = Math.max(...minutes.map((m) => m.latency.max));
  let seen = 0;
  for (const bucket of [...merged.keys()].sort((a, b) => a - b)) {
    seen += merged.get(bucket) ?? 0;
    if (seen >= rank) return Math.min(max, Math.max(min, bucketValue(bucket)));
  }
  return max;
}
