import type { TrafficCounts } from '../domain/traffic';

/**
 * The users' requests, read from the app's access-log lines in CloudWatch Logs
 * (runbook "No 5XX errors", "Response times normal"). Implemented by
 * src/engine/batched-traffic.ts over Logs Insights, with FilterLogEvents as the
 * fallback.
 *
 * Invariants: `traffic` counts the lines with a status in [fromMs, toMs), a
 * status >= 500 as an error, and the latency (converted to ms) into the
 * buckets of src/domain/traffic.ts. Lines without a status are not requests.
 * Calls made at the same moment with the same format share one Insights query
 * (up to 50 log groups); none of them ever fails because another app's group
 * is missing.
 */
export type AccessLogFormat =
  /** JSON lines: dotted paths of the status and latency fields (`status`, `http.latency_ms`). */
  | { kind: 'json'; status: string; latency: string; latencyUnit: 'ms' | 's' }
  /**
   * Plain lines, read with a Logs Insights `parse` clause that names the fields
   * `status` and `latency`: `@message "* * * * *" as method, path, status, bytes, latency`.
   */
  | { kind: 'parse'; parse: string; latencyUnit: 'ms' | 's' };

export interface AccessLogSpec {
  group: string;
  format: AccessLogFormat;
}

export interface AccessLogs {
  traffic(spec: AccessLogSpec, fromMs: number, toMs: number): Promise<TrafficCounts>;
}
