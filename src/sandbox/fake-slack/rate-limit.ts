/**
 * Slack's rate limits, made switchable: a budget of calls per method in a sliding
 * window (Slack's tiers are per minute), a per-channel chat.postMessage guard
 * (Slack allows about one message per second per channel, with short bursts),
 * and "the next N calls are limited" for tests that want exactly one 429.
 */

interface Budget {
  limit: number;
  windowMs: number;
  hits: number[];
}

function spend(budget: Budget, now: number): boolean {
  budget.hits = budget.hits.filter((at) => at > now - budget.windowMs);
  if (budget.hits.length >= budget.limit) return false;
  budget.hits.push(now);
  return true;
}

export class RateLimiter {
  private methods = new Map<string, Budget>();
  private forced = new Map<string, number>();
  private channelLimit: number | undefined;
  private channels = new Map<string, Budget>();

  /** `limit` calls per `windowMs` for `method`; `undefined` lifts the limit. */
  setMethodLimit(method: string, limit: number | undefined, windowMs: number): void {
    if (limit === undefined) this.methods.delete(method);
    else this.methods.set(method, { limit: Math.max(0, limit), windowMs, hits: [] });
  }

  setChannelLimit(perSecond: number | undefined): void {
    this.channelLimit = perSecond === undefined ? undefined : Math.max(0, perSecond);
    this.channels.clear();
  }

  /** The next `times` calls to `method` are answered 429 whatever the budget. */
  limitNext(method: string, times: number): void {
    this.forced.set(method, (this.forced.get(method) ?? 0) + times);
  }

  /** Whether this call to `method` is over a limit; a call within the budget is counted. */
  methodLimited(method: string, now: number): boolean {
    const forced = this.forced.get(method) ?? 0;
    if (forced > 0) {
      this.forced.set(method, forced - 1);
      return true;
    }
    const budget = this.methods.get(method);
    return budget ? !spend(budget, now) : false;
  }

  /** Whether a chat.postMessage into `channelId` is over the per-channel limit. */
  channelLimited(channelId: string, now: number): boolean {
    if (this.channelLimit === undefined) return false;
    let budget = this.channels.get(channelId);
    if (!budget) {
      budget = { limit: this.channelLimit, windowMs: 1000, hits: [] };
      this.channels.set(channelId, budget);
    }
    return !spend(budget, now);
  }

  reset(): void {
    this.methods.clear();
    this.forced.clear();
    this.channels.clear();
    this.channelLimit = undefined;
  }
}
