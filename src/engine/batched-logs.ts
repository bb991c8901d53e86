import { insightsFilter } from '../domain/log-pattern';
import type { Logger } from '../logging/logger';
import type { Clock } from '../ports/clock';
import type { CountsBySecond } from '../ports/log-insights';
import type { LogEvent, LogEventsOptions, Logs } from '../ports/logs';
import {
  BatchCollector,
  chunkItems,
  groupsOf,
  INSIGHTS_BATCH_DEFAULTS,
  InsightsRunner,
  type InsightsBatchOptions,
} from './insights-batching';

export interface LogBatchOptions extends InsightsBatchOptions {
  /** Longer ranges (a late worker backfilling) are counted with FilterLogEvents. */
  maxSpanSec: number;
}

const DEFAULTS: LogBatchOptions = { ...INSIGHTS_BATCH_DEFAULTS, maxSpanSec: 300 };

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
  private readonly options: LogBatchOptions;
  private readonly runner: InsightsRunner;
  private readonly collector: BatchCollector<PendingCount>;

  constructor(
    private readonly direct: Logs,
    insights: ConstructorParameters<typeof InsightsRunner>[0],
    budget: { take(): Promise<void> },
    clock: Clock,
    private readonly logger: Logger,
    options: Partial<LogBatchOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.runner = new InsightsRunner(insights, budget, clock, logger, this.options);
    this.collector = new BatchCollector(this.options, (filter, counts) => this.flush(filter, counts));
  }

  tail(group: string, stream: string, limit: number): Promise<string[]> {
    return this.direct.tail(group, stream, limit);
  }

  events(group: string, startMs: number, endMs: number, options?: LogEventsOptions): Promise<LogEvent[]> {
    return this.direct.events(group, startMs, endMs, options);
  }

  countMatches(group: string, pattern: string, from: number, to: number): Promise<number> {
    const filter = insightsFilter(pattern);
    if (filter === undefined || !this.batchable(filter, from, to)) {
      return this.direct.countMatches(group, pattern, from, to);
    }
    return new Promise((resolve, reject) => {
      this.collector.add(filter, { group, pattern, from, to, resolve, reject });
    });
  }

  private batchable(filter: string, from: number, to: number): boolean {
    return (
      this.runner.available(filter) &&
      from % 1000 === 0 &&
      to % 1000 === 0 &&
      to > from &&
      (to - from) / 1000 <= this.options.maxSpanSec
    );
  }

  private flush(filter: string, counts: PendingCount[]): void {
    // groups × seconds: one row per group and second at most.
    const rows = (candidate: PendingCount[]) =>
      groupsOf(candidate).length *
      ((Math.max(...candidate.map((c) => c.to)) - Math.min(...candidate.map((c) => c.from))) / 1000);
    const sorted = [...counts].sort((a, b) => a.from - b.from);
    for (const chunk of chunkItems(sorted, this.options.maxGroups, rows)) {
      // One log group alone is cheaper with FilterLogEvents: one request, not a query and its polls.
      if (groupsOf(chunk).length === 1) this.countDirectly(chunk);
      else void this.answer(filter, chunk);
    }
  }

  private async answer(filter: string, counts: PendingCount[]): Promise<void> {
    let bySecond: CountsBySecond;
    try {
      const groups = groupsOf(counts);
      const fromSec = Math.min(...counts.map((c) => c.from)) / 1000;
      // Insights includes both ends; the counts' ranges are half-open.
      const toSec = Math.max(...counts.map((c) => c.to)) / 1000 - 1;
      bySecond = await this.runner.run(
        filter,
        (insights) => insights.startCount(groups, filter, fromSec, toSec),
        async (insights, id) => {
          const state = await insights.countResults(id);
          return state.status === 'complete' ? { status: 'complete', value: state.counts } : state;
        },
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'Logs Insights query failed; counting these with FilterLogEvents');
      this.countDirectly(counts);
      return;
    }
    for (const c of counts) c.resolve(sumSeconds(bySecond.get(c.group), c.from / 1000, c.to / 1000));
  }

  private countDirectly(counts: PendingCount[]): void {
    for (const c of counts)
      this.direct.countMatches(c.group, c.pattern, c.from, c.to).then(c.resolve, c.reject);
  }
}

function sumSeconds(perSecond: Map<number, number> | undefined, fromSec: number, toSec: number): number {
  let sum = 0;
  for (const [second, n] of perSecond ?? []) if (second >= fromSec && second < toSec) sum += n;
  return sum;
}
