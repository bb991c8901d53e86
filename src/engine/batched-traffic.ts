import { accessLineReader, type AccessLine } from '../domain/access-log-lines';
import { accessLogQuery, trafficOfRows, type TrafficByBin } from '../domain/access-log-query';
import { emptyTraffic, sumTraffic, trafficOf, type TrafficCounts } from '../domain/traffic';
import type { Logger } from '../logging/logger';
import type { AccessLogs, AccessLogSpec } from '../ports/access-logs';
import type { Clock } from '../ports/clock';
import type { LogInsights } from '../ports/log-insights';
import type { Logs } from '../ports/logs';
import {
  BatchCollector,
  chunkItems,
  groupsOf,
  INSIGHTS_BATCH_DEFAULTS,
  InsightsRunner,
  missingGroupOf,
  type InsightsBatchOptions,
} from './insights-batching';

export interface TrafficBatchOptions extends InsightsBatchOptions {
  /**
   * Rows a group's bin is expected to answer (status classes × latency buckets
   * seen in it), for sizing queries below the 10,000 rows one answer holds. An
   * answer at the limit is refused anyway (and read with FilterLogEvents).
   */
  rowsPerBin: number;
}

const DEFAULTS: TrafficBatchOptions = { ...INSIGHTS_BATCH_DEFAULTS, rowsPerBin: 20 };

interface PendingTraffic {
  group: string;
  spec: AccessLogSpec;
  from: number;
  to: number;
  resolve(traffic: TrafficCounts): void;
  reject(error: unknown): void;
}

interface Batch {
  query: string;
  binSec: number;
  fromSec: number;
  toSec: number;
}

/**
 * The users' traffic of many apps from one Logs Insights query: calls made
 * within `windowMs` of each other for the same [from, to) and the same access-log
 * format share a query over up to 50 log groups, answered per group, bin,
 * status class and latency bucket (src/domain/access-log-query.ts).
 *
 * The bin is the greatest whole number of seconds that divides both ends of
 * the range, so bins never straddle it (a 5-s slot starting on a multiple of
 * 5 s is one 5-s bin). Even one log group goes to Insights: FilterLogEvents
 * would page through every request line of it.
 *
 * Read with FilterLogEvents of each group, each line parsed here and counted
 * with `trafficOf` (`direct`), whenever Insights cannot answer exactly: not
 * wired, refused, failed or timed out, a range not on whole seconds, or one
 * with more bins than an answer holds. A missing log group is left out of the
 * query and read directly (which fails for it alone, as it should); the other
 * apps keep their query. Every Insights request takes a token of the shared budget.
 */
export class BatchedTraffic implements AccessLogs {
  private readonly options: TrafficBatchOptions;
  private readonly runner: InsightsRunner;
  private readonly collector: BatchCollector<PendingTraffic>;
  private readonly batches = new Map<string, Batch>();

  constructor(
    private readonly direct: Logs,
    insights: () => LogInsights | undefined,
    budget: { take(): Promise<void> },
    clock: Clock,
    private readonly logger: Logger,
    options: Partial<TrafficBatchOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.runner = new InsightsRunner(insights, budget, clock, logger, this.options);
    this.collector = new BatchCollector(this.options, (key, items) => this.flush(key, items));
  }

  traffic(spec: AccessLogSpec, fromMs: number, toMs: number): Promise<TrafficCounts> {
    if (toMs <= fromMs) return Promise.resolve(emptyTraffic());
    const batch = this.batchOf(spec, fromMs, toMs);
    if (batch === undefined) return this.readDirectly(spec, fromMs, toMs);
    const key = `${fromMs}|${toMs}|${batch.query}`;
    this.batches.set(key, batch);
    return new Promise((resolve, reject) => {
      this.collector.add(key, { group: spec.group, spec, from: fromMs, to: toMs, resolve, reject });
    });
  }

  private batchOf(spec: AccessLogSpec, fromMs: number, toMs: number): Batch | undefined {
    if (fromMs % 1000 !== 0 || toMs % 1000 !== 0) return undefined;
    const [fromSec, toSec] = [fromMs / 1000, toMs / 1000];
    const binSec = gcd(fromSec, toSec);
    // Even one group's bins must fit one answer.
    if (((toSec - fromSec) / binSec) * this.options.rowsPerBin > 10_000) return undefined;
    const query = accessLogQuery(spec.format, binSec);
    if (!this.runner.available(query)) return undefined;
    return { query, binSec, fromSec, toSec };
  }

  private flush(key: string, items: PendingTraffic[]): void {
    const batch = this.batches.get(key);
    this.batches.delete(key);
    if (!batch) return;
    const bins = (batch.toSec - batch.fromSec) / batch.binSec;
    const rows = (candidate: PendingTraffic[]) => groupsOf(candidate).length * bins * this.options.rowsPerBin;
    for (const chunk of chunkItems(items, this.options.maxGroups, rows)) void this.answer(batch, chunk);
  }

  private async answer(batch: Batch, items: PendingTraffic[]): Promise<void> {
    let pending = items;
    // Each retry leaves out one missing group, so this ends.
    while (pending.length > 0) {
      let byBin: TrafficByBin;
      try {
        byBin = await this.query(batch, groupsOf(pending));
      } catch (error) {
        const missing = missingGroupOf(error);
        if (missing !== undefined && pending.some((p) => p.group === missing)) {
          this.answerDirectly(pending.filter((p) => p.group === missing));
          pending = pending.filter((p) => p.group !== missing);
          continue;
        }
        this.logger.warn(
          { err: error },
          'Logs Insights traffic query failed; reading these with FilterLogEvents',
        );
        this.answerDirectly(pending);
        return;
      }
      for (const p of pending) p.resolve(sumBins(byBin.get(p.group), batch.fromSec, batch.toSec));
      return;
    }
  }

  private query(batch: Batch, groups: string[]): Promise<TrafficByBin> {
    return this.runner.run(
      batch.query,
      // Insights includes both ends; the range is half-open.
      (insights) => insights.startQuery(groups, batch.query, batch.fromSec, batch.toSec - 1),
      async (insights, id) => {
        const state = await insights.queryResults(id);
        return state.status === 'complete'
          ? { status: 'complete', value: trafficOfRows(state.rows, batch.binSec) }
          : state;
      },
    );
  }

  private answerDirectly(items: PendingTraffic[]): void {
    for (const p of items) this.readDirectly(p.spec, p.from, p.to).then(p.resolve, p.reject);
  }

  /** FilterLogEvents of the group over the range, each line read here as Insights would read it. */
  private async readDirectly(spec: AccessLogSpec, fromMs: number, toMs: number): Promise<TrafficCounts> {
    const read = accessLineReader(spec.format);
    const events = await this.direct.events(spec.group, fromMs, toMs);
    const lines: AccessLine[] = [];
    for (const event of events) {
      const line = read(event.message);
      if (line) lines.push(line);
    }
    return trafficOf(lines);
  }
}

function sumBins(
  bins: Map<number, TrafficCounts> | undefined,
  fromSec: number,
  toSec: number,
): TrafficCounts {
  return sumTraffic(
    [...(bins ?? [])].filter(([start]) => start >= fromSec && start < toSec).map(([, t]) => t),
  );
}

function gcd(a: number, b: number): number {
  let [x, y] = [Math.abs(a), Math.abs(b)];
  while (y !== 0) [x, y] = [y, x % y];
  return x === 0 ? 1 : x;
}
