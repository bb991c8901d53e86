/**
 * The users' traffic over a range of time: how many requests, how many were
 * 5xx, and their latencies as a histogram on logarithmic buckets. Counts of
 * adjacent ranges add up exactly (a percentile of one range cannot be combined
 * with another's; a histogram can), so a sliding window is the sum of its
 * slots, and one Logs Insights query can answer many apps at once: it only
 * counts requests per log group, status class and latency bucket.
 */
export interface TrafficCounts {
  requests: number;
  /** Requests answered 5xx (by the app or, for a load balancer, by it too). */
  errors: number;
  /**
   * Latency bucket -> requests. Bucket b holds latencies in (e^((b-1)/10), e^(b/10)] ms,
   * i.e. about 10 % wide; latencies under 1 ms fall in bucket 0. Keys are strings (JSON).
   * Requests without a latency are counted in `requests` but in no bucket.
   */
  latency: Record<string, number>;
}

/** Buckets per factor e of latency: ten make each bucket ~10.5 % wide. */
export const BUCKETS_PER_E = 10;

export function emptyTraffic(): TrafficCounts {
  return { requests: 0, errors: 0, latency: {} };
}

/** The bucket a latency in milliseconds falls in: ceil(ln(max(ms, 1)) * 10). */
export function latencyBucket(ms: number): number {
  return Math.ceil(Math.log(Math.max(ms, 1)) * BUCKETS_PER_E);
}

/** The largest latency bucket `b` holds, in milliseconds. */
export function bucketUpperMs(bucket: number): number {
  return Math.exp(bucket / BUCKETS_PER_E);
}

/** The smallest latency above which bucket `b` begins (exclusive), in milliseconds. */
export function bucketLowerMs(bucket: number): number {
  return bucket <= 0 ? 0 : Math.exp((bucket - 1) / BUCKETS_PER_E);
}

/** Counts requests as they were observed: status (0 for no answer) and latency in ms. */
export function trafficOf(requests: readonly { status: number; latencyMs?: number }[]): TrafficCounts {
  const out = emptyTraffic();
  for (const r of requests) {
    out.requests += 1;
    if (r.status === 0 || r.status >= 500) out.errors += 1;
    // A request without an answer has no latency worth ranking.
    if (r.status !== 0 && r.latencyMs !== undefined && Number.isFinite(r.latencyMs)) {
      const b = String(latencyBucket(r.latencyMs));
      out.latency[b] = (out.latency[b] ?? 0) + 1;
    }
  }
  return out;
}

export function addTraffic(a: TrafficCounts, b: TrafficCounts): TrafficCounts {
  const latency: Record<string, number> = { ...a.latency };
  for (const [bucket, n] of Object.entries(b.latency)) latency[bucket] = (latency[bucket] ?? 0) + n;
  return { requests: a.requests + b.requests, errors: a.errors + b.errors, latency };
}

/** The sum of many ranges, added into one accumulator (a window is summed after every sample). */
export function sumTraffic(all: readonly TrafficCounts[]): TrafficCounts {
  const out = emptyTraffic();
  for (const t of all) {
    out.requests += t.requests;
    out.errors += t.errors;
    for (const [bucket, n] of Object.entries(t.latency)) out.latency[bucket] = (out.latency[bucket] ?? 0) + n;
  }
  return out;
}

function sortedBuckets(t: TrafficCounts): [number, number][] {
  return Object.entries(t.latency)
    .map(([b, n]): [number, number] => [Number(b), n])
    .filter(([b, n]) => Number.isFinite(b) && n > 0)
    .sort((x, y) => x[0] - y[0]);
}

/** Requests that have a latency (answered ones). */
export function timedRequests(t: TrafficCounts): number {
  return sortedBuckets(t).reduce((sum, [, n]) => sum + n, 0);
}

/**
 * The p-th percentile latency (nearest rank), as the upper edge of its bucket:
 * an overestimate by at most ~10 %; undefined without timed requests.
 */
export function trafficPercentile(t: TrafficCounts, p: number): number | undefined {
  const buckets = sortedBuckets(t);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return undefined;
  const rank = Math.min(total, Math.max(1, Math.ceil((p * total) / 100)));
  let seen = 0;
  for (const [bucket, n] of buckets) {
    seen += n;
    if (seen >= rank) return bucketUpperMs(bucket);
  }
  return bucketUpperMs((buckets.at(-1) as [number, number])[0]);
}

/**
 * Timed requests certainly slower than `ms`: those in buckets that begin at or
 * above it. Never counts a request that could have been faster (conservative,
 * so a latency rule built on it cannot fire on bucket rounding).
 */
export function slowerThan(t: TrafficCounts, ms: number): number {
  return sortedBuckets(t).reduce((sum, [bucket, n]) => (bucketLowerMs(bucket) >= ms ? sum + n : sum), 0);
}
