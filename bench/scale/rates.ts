/**
 * Rates of timestamped calls, as the budgets they are checked against are
 * stated: the most in any sliding window (Slack's per-minute tiers, AWS's
 * per-second buckets) and the mean over a span.
 */

/** The most timestamps (ms) that fall within any window of `windowMs`: a sliding window, not clock-aligned buckets. */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last += 1) {
    while ((sorted[last] as number) - (sorted[first] as number) >= windowMs) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** Calls per second over [fromMs, toMs]. */
export function meanPerSecond(times: readonly number[], fromMs: number, toMs: number): number {
  const seconds = Math.max(1, (toMs - fromMs) / 1000);
  return times.filter((t) => t >= fromMs && t <= toMs).length / seconds;
}

/** Groups `items` by `key`. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * How many of the requests at `times` (ms) a token bucket would have refused:
 * AWS throttles this way (ECS: "Request throttling for the Amazon ECS API";
 * the bucket's capacity is the burst, its refill the sustained rate). Unlike
 * the most in any 1 s window, it lets a burst after a quiet spell pass, as AWS does.
 */
export function bucketRefusals(times: readonly number[], perSecond: number, capacity: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let tokens = capacity;
  let at = sorted[0] ?? 0;
  let refused = 0;
  for (const t of sorted) {
    tokens = Math.min(capacity, tokens + ((t - at) / 1000) * perSecond);
    at = t;
    if (tokens >= 1) tokens -= 1;
    else refused += 1;
  }
  return refused;
}
