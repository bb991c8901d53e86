import { setTimeout as sleep } from 'node:timers/promises';
import { isTransientError } from '../aws/transient';
import { MAX_RESULT_ROWS } from '../aws/log-insights';
import { insightsFilter } from '../domain/log-pattern';
import type { Logger } from '../logging/logger';
import type { Clock } from '../ports/clock';
import type { CountsBySecond, LogInsights } from '../ports/log-insights';
import type { Logs } from '../ports/logs';

export interface LogBatchOptions {
  /** How long the first count of a batch waits for others (apps sampling at the same boundary). */
  windowMs: number;
  /** Between GetQueryResults calls. */
  pollMs: number;
  /** A query still running after this is stopped and its counts taken with FilterLogEvents. */
  queryTimeoutMs: number;
  /** Insights takes at most 50 log groups a query. */
  maxGroups: number;
  /** Longer ranges (a late worker backfilling) are counted with FilterLogEvents. */
  maxSpanSec: number;
  /** After Insights refused for a reason retrying cannot fix (permissions), use FilterLogEvents this long. */
  disableForMs: number;
}

const DEFAULTS: LogBatchOptions = {
  windowMs: 200,
  pollMs: 1_000,
  queryTimeoutMs: 30_000,
  maxGroups: 50,
  maxSpanSec: 300,
  disableForMs: 600_000,
};

interface PendingCount {
  group: string;
  pattern: string;
  from: number;
  to: number;
  resolve(count: number): void;
  reject(error: unknown): void;
}

/**
 * Error-log counts of many apps in one Logs Insights query: counts asked for
 * within `windowMs` of each other with the same filter share a query over up
 * to 50 log groups, answered per group and second, from which each count takes
 * exactly its own [from, to). Monitoring slots start on whole multiples of
 * their interval, so apps watched at the same interval ask together.
 *
 * Whatever Insights cannot do exactly, and a lone log group, goes to FilterLogEvents (`direct`):
 * patterns without a faithful translation, ranges not on whole seconds or too
 * long, and any failed or timed-out query — so a release never fails because
 * of the batching. Every Insights request takes a token of the shared budget.
 */
export class BatchedLogs implements Logs {
  private readonly batches = new Map<string, { counts: PendingCount[]; timer: NodeJS.Timeout }>();
  private readonly options: LogBatchOptions;
  private disabledUntil = 0;

  constructor(
    private readonly direct: Logs,
    private readonly insights: () => LogInsights | undefined,
    private readonly budget: { take(): Promise<void> },
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: Partial<LogBatchOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  tail(group: string, stream: string, limit: number): Promise<string[]> {
    return this.direct.tail(group, stream, limit);
  }

  countMatches(group: string, pattern: string, from: number, to: number): Promise<number> {
    const filter = insightsFilter(pattern);
    if (filter === undefined || !this.batchable(from, to)) {
      return this.direct.countMatches(group, pattern, from, to);
    }
    return new Promise((resolve, reject) => {
      const count = { group, pattern, from, to, resolve, reject };
      const batch = this.batches.get(filter);
      if (!batch) {
        const timer = setTimeout(() => this.flush(filter), this.options.windowMs);
        this.batches.set(filter, { counts: [count], timer });
        return;
      }
      batch.counts.push(count);
      if (new Set(batch.counts.map((c) => c.group)).size >= this.options.maxGroups) this.flush(filter);
    });
  }

  private batchable(from: number, to: number): boolean {
    return (
      this.insights() !== undefined &&
      this.clock.now() >= this.disabledUntil &&
      from % 1000 === 0 &&
      to % 1000 === 0 &&
      to > from &&
      (to - from) / 1000 <= this.options.maxSpanSec
    );
  }

  private flush(filter: string): void {
    const batch = this.batches.get(filter);
    if (!batch) return;
    this.batches.delete(filter);
    clearTimeout(batch.timer);
    for (const chunk of chunks(batch.counts, this.options.maxGroups)) {
      // One log group alone is cheaper with FilterLogEvents: one request, not a query and its polls.
      if (new Set(chunk.map((c) => c.group)).size === 1) this.countDirectly(chunk);
      else void this.answer(filter, chunk);
    }
  }

  private async answer(filter: string, counts: PendingCount[]): Promise<void> {
    let bySecond: CountsBySecond;
    try {
      bySecond = await this.query(filter, counts);
    } catch (error) {
      if (!(error instanceof QueryDidNotComplete) && !isTransientError(error) && !isMissingGroup(error)) {
        this.disabledUntil = this.clock.now() + this.options.disableForMs;
        this.logger.warn(
          { err: error },
          'Logs Insights refused; counting error logs with FilterLogEvents for a while',
        );
      } else {
        this.logger.warn({ err: error }, 'Logs Insights query failed; counting these with FilterLogEvents');
      }
      this.countDirectly(counts);
      return;
    }
    for (const c of counts) c.resolve(sumSeconds(bySecond.get(c.group), c.from / 1000, c.to / 1000));
  }

  private countDirectly(counts: PendingCount[]): void {
    for (const c of counts) this.direct.countMatches(c.group, c.pattern, c.from, c.to).then(c.resolve, c.reject);
  }

  private async query(filter: string, counts: PendingCount[]): Promise<CountsBySecond> {
    const insights = this.insights();
    if (!insights) throw new Error('Logs Insights is not wired');
    const groups = [...new Set(counts.map((c) => c.group))];
    const fromSec = Math.min(...counts.map((c) => c.from)) / 1000;
    // Insights includes both ends; the counts' ranges are half-open.
    const toSec = Math.max(...counts.map((c) => c.to)) / 1000 - 1;
    await this.budget.take();
    const id = await insights.startCount(groups, filter, fromSec, toSec);
    const deadline = this.clock.now() + this.options.queryTimeoutMs;
    for (;;) {
      await sleep(this.options.pollMs);
      await this.budget.take();
      const state = await insights.countResults(id);
      if (state.status === 'complete') return state.counts;
      if (state.status === 'failed') throw new QueryDidNotComplete(`Logs Insights ${state.reason}`);
      if (this.clock.now() > deadline) {
        await insights.stop(id).catch(() => undefined);
        throw new QueryDidNotComplete(
          `Logs Insights query ${id} still running after ${this.options.queryTimeoutMs} ms`,
        );
      }
    }
  }
}

/** A query Insights accepted but did not finish: this batch falls back, the next tries again. */
class QueryDidNotComplete extends Error {}

/**
 * Counts grouped so that each query stays within Insights' limits: at most
 * `maxGroups` log groups, and groups × seconds within the rows one answer holds.
 */
function chunks(counts: PendingCount[], maxGroups: number): PendingCount[][] {
  const out: PendingCount[][] = [];
  let current: PendingCount[] = [];
  const fits = (candidate: PendingCount[]) => {
    const groups = new Set(candidate.map((c) => c.group)).size;
    const span = (Math.max(...candidate.map((c) => c.to)) - Math.min(...candidate.map((c) => c.from))) / 1000;
    return groups <= maxGroups && groups * span <= MAX_RESULT_ROWS;
  };
  for (const count of [...counts].sort((a, b) => a.from - b.from)) {
    if (current.length > 0 && !fits([...current, count])) {
      out.push(current);
      current = [];
    }
    current.push(count);
  }
  if (current.length > 0) out.push(current);
  return out;
}

function sumSeconds(perSecond: Map<number, number> | undefined, fromSec: number, toSec: number): number {
  let sum = 0;
  for (const [second, n] of perSecond ?? []) if (second >= fromSec && second < toSec) sum += n;
  return sum;
}

function isMissingGroup(error: unknown): boolean {
  return error instanceof Error && error.name === 'ResourceNotFoundException';
}
