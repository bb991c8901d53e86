/**
 * CloudWatch metrics, read with GetMetricData (runbook "Watch CloudWatch
 * dashboard"): the load balancer's traffic, the database's connections, the
 * services' CPU and memory. Implemented by src/aws/metric-data.ts, batched
 * across apps by src/engine/batched-metric-data.ts.
 *
 * Invariants: `read` answers one series per query, in the order asked, each
 * with its datapoints in ascending time over [fromMs, toMs) (a datapoint's
 * time is the start of its period). A period without data has no datapoint,
 * never a 0. Queries asked at the same moment for the same range share
 * GetMetricData requests of at most 500 queries; NextToken is followed.
 */
export interface MetricQuery {
  namespace: string;
  metricName: string;
  dimensions: { name: string; value: string }[];
  /** `Sum`, `Average`, `p99` … */
  stat: string;
  periodSeconds: number;
}

export interface MetricPoint {
  at: number;
  value: number;
}

export interface MetricData {
  read(queries: readonly MetricQuery[], fromMs: number, toMs: number): Promise<MetricPoint[][]>;
}
