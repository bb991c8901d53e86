import type { AccessLogFormat } from '../ports/access-logs';
import { BUCKETS_PER_E, emptyTraffic, type TrafficCounts } from './traffic';

/**
 * The Logs Insights query that turns access-log lines into traffic counts, and
 * the reading of its answer. One query serves many apps: it only counts lines
 * per log group, time bin, status class and latency bucket, so the answer is
 * small whatever the number of requests, and adding groups adds rows, not work.
 *
 *   filter ispresent(status)
 *   | fields floor(status / 100) as status_class,
 *            ceil(log(greatest(latency_ms, 1)) * 10) as latency_bucket
 *   | stats count(*) as requests by @log, bin(5s), status_class, latency_bucket
 *
 * `log` is Insights' natural logarithm, so `latency_bucket` is exactly
 * `latencyBucket` of src/domain/traffic.ts. A `parse` format puts its clause
 * first and reads the fields `status` and `latency` it names; a JSON format
 * reads its paths as Insights names the fields of a JSON event, flattened with
 * dots (`http.status`).
 */

/** Result field names; chosen so that they are unlikely to clash with an app's own fields. */
export const STATUS_CLASS = 'status_class';
export const LATENCY_BUCKET = 'latency_bucket';
export const REQUESTS = 'requests';

/** Log group -> bin start (epoch seconds) -> the traffic of that bin. */
export type TrafficByBin = Map<string, Map<number, TrafficCounts>>;

/** `binSec` is the width of a time bin in whole seconds (the monitoring interval, or a divisor of it). */
export function accessLogQuery(format: AccessLogFormat, binSec: number): string {
  if (!Number.isInteger(binSec) || binSec < 1)
    throw new RangeError(`bin must be whole seconds, not ${binSec}`);
  const [status, latency, head] =
    format.kind === 'json'
      ? [fieldName(format.status), fieldName(format.latency), []]
      : ['status', 'latency', [`parse ${format.parse.trim()}`]];
  const ms = format.latencyUnit === 's' ? `${latency} * 1000` : latency;
  return [
    ...head,
    `filter ispresent(${status})`,
    `fields floor(${status} / 100) as ${STATUS_CLASS}, ` +
      `ceil(log(greatest(${ms}, 1)) * ${BUCKETS_PER_E}) as ${LATENCY_BUCKET}`,
    `stats count(*) as ${REQUESTS} by @log, ${binField(binSec)}, ${STATUS_CLASS}, ${LATENCY_BUCKET}`,
  ].join(' | ');
}

/** How Insights names the bin of a `stats … by bin(Ns)` in its rows. */
export function binField(binSec: number): string {
  return `bin(${binSec}s)`;
}

/**
 * A field as Insights names it in a query: plain names (letters, digits, `_`,
 * `.` of flattened JSON, a leading `@`) as they are, others in backticks.
 */
export function fieldName(path: string): string {
  return /^[A-Za-z_@][A-Za-z0-9_.@]*$/.test(path) ? path : `\`${path.replace(/`/g, '``')}\``;
}

/**
 * Rows of the query's answer into group -> bin -> traffic. Status class 5 is an
 * error, and so is class 0 (status 0: no answer), as `trafficOf` counts them;
 * a row without a latency bucket (no latency on those lines) still counts its
 * requests. Rows without a group, bin, status class or a count are not
 * requests and are skipped, as lines without a status are.
 */
export function trafficOfRows(rows: readonly Record<string, string>[], binSec: number): TrafficByBin {
  const out: TrafficByBin = new Map();
  const bin = binField(binSec);
  for (const row of rows) {
    const log = row['@log'];
    const start = binStartSec(row[bin]);
    const statusClass = numberOf(row[STATUS_CLASS]);
    const n = numberOf(row[REQUESTS]);
    if (log === undefined || start === undefined || statusClass === undefined || n === undefined) continue;
    // Log group names cannot contain ':', so the account is everything before the first one.
    const group = log.slice(log.indexOf(':') + 1);
    const bins = out.get(group) ?? new Map<number, TrafficCounts>();
    const traffic = bins.get(start) ?? emptyTraffic();
    traffic.requests += n;
    const unanswered = statusClass === 0;
    if (unanswered || statusClass >= 5) traffic.errors += n;
    const bucket = numberOf(row[LATENCY_BUCKET]);
    if (!unanswered && bucket !== undefined) {
      const key = String(bucket);
      traffic.latency[key] = (traffic.latency[key] ?? 0) + n;
    }
    bins.set(start, traffic);
    out.set(group, bins);
  }
  return out;
}

/** `2026-11-18 07:06:40.000` (UTC), as Insights shows a bin, in epoch seconds. */
function binStartSec(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(`${value.trim().replace(' ', 'T')}Z`);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

function numberOf(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
