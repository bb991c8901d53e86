import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_RESULT_ROWS } from '../aws/log-insights';
import { isTransientError } from '../aws/transient';
import type { Logger } from '../logging/logger';
import type { Clock } from '../ports/clock';
import type { LogInsights } from '../ports/log-insights';

/**
 * What batching many apps' log reads into Logs Insights queries takes, shared
 * by src/engine/batched-logs.ts (error-log counts) and
 * src/engine/batched-traffic.ts (access-log traffic): collecting the requests
 * of one moment, cutting them into queries Insights accepts, running a query
 * to its end on the shared request budget, and deciding what a failure means
 * for the next batch.
 */

export interface InsightsBatchOptions {
  /** How long the first request of a batch waits for others (apps sampling at the same boundary). */
  windowMs: number;
  /** Between GetQueryResults calls. */
  pollMs: number;
  /** A query still running after this is stopped and its requests answered without Insights. */
  queryTimeoutMs: number;
  /** Insights takes at most 50 log groups a query. */
  maxGroups: number;
  /** After Insights refused for a reason retrying cannot fix (permissions), do without it this long. */
  disableForMs: number;
}

export const INSIGHTS_BATCH_DEFAULTS: InsightsBatchOptions = {
  windowMs: 200,
  pollMs: 1_000,
  queryTimeoutMs: 30_000,
  maxGroups: 50,
  disableForMs: 600_000,
};

/** A query Insights accepted but did not finish: this batch falls back, the next tries again. */
export class QueryDidNotComplete extends Error {
  readonly code = 'insights_query_incomplete';
}

/** A query's progress, whatever its answer is read into. */
export type QueryProgress<R> =
  { status: 'running' } | { status: 'failed'; reason: string } | { status: 'complete'; value: R };

/**
 * Requests collected per key (the query they can share) until `windowMs` after
 * the first, or until they name `maxGroups` log groups; then handed over together.
 */
export class BatchCollector<T extends { group: string }> {
  private readonly batches = new Map<string, { items: T[]; timer: NodeJS.Timeout }>();

  constructor(
    private readonly options: Pick<InsightsBatchOptions, 'windowMs' | 'maxGroups'>,
    private readonly onFlush: (key: string, items: T[]) => void,
  ) {}

  add(key: string, item: T): void {
    const batch = this.batches.get(key);
    if (!batch) {
      const timer = setTimeout(() => this.flush(key), this.options.windowMs);
      this.batches.set(key, { items: [item], timer });
      return;
    }
    batch.items.push(item);
    if (groupsOf(batch.items).length >= this.options.maxGroups) this.flush(key);
  }

  private flush(key: string): void {
    const batch = this.batches.get(key);
    if (!batch) return;
    this.batches.delete(key);
    clearTimeout(batch.timer);
    this.onFlush(key, batch.items);
  }
}

export function groupsOf(items: readonly { group: string }[]): string[] {
  return [...new Set(items.map((i) => i.group))];
}

/**
 * Items cut, in the order given, into queries within Insights' limits: at most
 * `maxGroups` log groups, and at most the rows one answer holds as `rowsOf` estimates them.
 */
export function chunkItems<T extends { group: string }>(
  items: readonly T[],
  maxGroups: number,
  rowsOf: (candidate: T[]) => number,
): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  const fits = (candidate: T[]) =>
    groupsOf(candidate).length <= maxGroups && rowsOf(candidate) <= MAX_RESULT_ROWS;
  for (const item of items) {
    if (current.length > 0 && !fits([...current, item])) {
      out.push(current);
      current = [];
    }
    current.push(item);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Runs Insights queries to their end, each request on a token of the shared
 * budget, and remembers refusals: a query Insights calls malformed is not sent
 * again, and a refusal retrying cannot fix (permissions) turns Insights off
 * for `disableForMs`. Throttling, a missing log group and an unfinished query
 * only make this batch fall back.
 */
export class InsightsRunner {
  private disabledUntil = 0;
  private readonly malformed = new Set<string>();

  constructor(
    private readonly insights: () => LogInsights | undefined,
    private readonly budget: { take(): Promise<void> },
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: InsightsBatchOptions,
  ) {}

  /** Whether a query of this text may go to Insights now. */
  available(queryString: string): boolean {
    return (
      this.insights() !== undefined &&
      this.clock.now() >= this.disabledUntil &&
      !this.malformed.has(queryString)
    );
  }

  async run<R>(
    queryString: string,
    start: (insights: LogInsights) => Promise<string>,
    read: (insights: LogInsights, queryId: string) => Promise<QueryProgress<R>>,
  ): Promise<R> {
    const insights = this.insights();
    if (!insights) throw new QueryDidNotComplete('Logs Insights is not wired');
    await this.budget.take();
    let id: string;
    try {
      id = await start(insights);
    } catch (error) {
      this.noteRefusal(queryString, error);
      throw error;
    }
    const deadline = this.clock.now() + this.options.queryTimeoutMs;
    for (;;) {
      await sleep(this.options.pollMs);
      await this.budget.take();
      const state = await read(insights, id);
      if (state.status === 'complete') return state.value;
      if (state.status === 'failed') throw new QueryDidNotComplete(`Logs Insights ${state.reason}`);
      if (this.clock.now() > deadline) {
        await insights.stop(id).catch(() => undefined);
        throw new QueryDidNotComplete(
          `Logs Insights query ${id} still running after ${this.options.queryTimeoutMs} ms`,
        );
      }
    }
  }

  private noteRefusal(queryString: string, error: unknown): void {
    const name = error instanceof Error ? error.name : '';
    if (name === 'MalformedQueryException') {
      this.malformed.add(queryString);
      this.logger.warn({ err: error, queryString }, 'Logs Insights refused the query; not sending it again');
    } else if (!isTransientError(error) && !isMissingGroup(error)) {
      this.disabledUntil = this.clock.now() + this.options.disableForMs;
      this.logger.warn(
        { err: error },
        'Logs Insights refused; reading logs with FilterLogEvents for a while',
      );
    }
  }
}

export function isMissingGroup(error: unknown): boolean {
  return error instanceof Error && error.name === 'ResourceNotFoundException';
}

/** The log group a ResourceNotFoundException of StartQuery names, if it names one. */
export function missingGroupOf(error: unknown): string | undefined {
  if (!isMissingGroup(error)) return undefined;
  return /Log group '([^']+)' does not exist/.exec((error as Error).message)?.[1];
}
