import {
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
  type CloudWatchLogsClient,
  type ResultField,
} from '@aws-sdk/client-cloudwatch-logs';
import type {
  CountQueryState,
  CountsBySecond,
  LogInsights,
  QueryRow,
  StatsQueryState,
} from '../ports/log-insights';

/** Rows Insights returns at most for a stats query; callers size their queries below it. */
export const MAX_RESULT_ROWS = 10_000;

/**
 * Counting with Logs Insights: one StartQuery for many log groups, then
 * GetQueryResults until it completes. `stats count(*) by @log, bin(1s)` keeps
 * the answer small (one row per group and second that had events) whatever the
 * number of events, where FilterLogEvents would page through every one of them.
 * Any other stats query (access-log traffic) is started and read the same way,
 * its rows handed back as field -> value.
 */
export class CloudWatchLogInsights implements LogInsights {
  constructor(private readonly logs: CloudWatchLogsClient) {}

  startCount(groups: string[], filter: string, fromSec: number, toSec: number): Promise<string> {
    return this.startQuery(groups, countQuery(filter), fromSec, toSec);
  }

  async countResults(queryId: string): Promise<CountQueryState> {
    const state = await this.results(queryId);
    return state.status === 'complete' ? { status: 'complete', counts: countsOf(state.rows) } : state;
  }

  async startQuery(groups: string[], queryString: string, fromSec: number, toSec: number): Promise<string> {
    const out = await this.logs.send(
      new StartQueryCommand({
        logGroupNames: groups,
        startTime: fromSec,
        endTime: toSec,
        queryString,
        limit: MAX_RESULT_ROWS,
      }),
    );
    if (!out.queryId) throw new Error('StartQuery answered without a queryId');
    return out.queryId;
  }

  async queryResults(queryId: string): Promise<StatsQueryState> {
    const state = await this.results(queryId);
    return state.status === 'complete' ? { status: 'complete', rows: state.rows.map(rowOf) } : state;
  }

  private async results(
    queryId: string,
  ): Promise<
    | { status: 'running' }
    | { status: 'failed'; reason: string }
    | { status: 'complete'; rows: ResultField[][] }
  > {
    const out = await this.logs.send(new GetQueryResultsCommand({ queryId }));
    const status = out.status ?? 'Unknown';
    if (status === 'Scheduled' || status === 'Running') return { status: 'running' };
    if (status !== 'Complete') return { status: 'failed', reason: `query ${queryId} is ${status}` };
    const rows = out.results ?? [];
    // At the limit the answer may have been cut: a short count would pass a broken release.
    if (rows.length >= MAX_RESULT_ROWS) {
      return {
        status: 'failed',
        reason: `query ${queryId} answered ${rows.length} rows, the most it returns`,
      };
    }
    return { status: 'complete', rows };
  }

  async stop(queryId: string): Promise<void> {
    await this.logs.send(new StopQueryCommand({ queryId }));
  }
}

export function countQuery(filter: string): string {
  const stats = 'stats count(*) as n by @log, bin(1s)';
  return filter === '' ? stats : `filter ${filter} | ${stats}`;
}

/**
 * Rows of `[{@log: "<account>:<group>"}, {bin(1s): "2026-11-27 21:00:05.000"}, {n: "3"}]`
 * into group -> second -> count. Log group names cannot contain `:`, so the
 * account is everything before the first one.
 */
export function countsOf(rows: ResultField[][]): CountsBySecond {
  const counts: CountsBySecond = new Map();
  for (const row of rows) {
    const field = (name: string) => row.find((f) => f.field === name)?.value;
    const log = field('@log');
    const bin = field('bin(1s)');
    const n = Number(field('n'));
    if (log === undefined || bin === undefined || !Number.isFinite(n)) continue;
    const group = log.slice(log.indexOf(':') + 1);
    const second = Date.parse(`${bin.replace(' ', 'T')}Z`) / 1000;
    if (!Number.isFinite(second)) continue;
    const perSecond = counts.get(group) ?? new Map<number, number>();
    perSecond.set(second, (perSecond.get(second) ?? 0) + n);
    counts.set(group, perSecond);
  }
  return counts;
}

/** `[{field, value}, …]` as field -> value; fields without a value are left out. */
export function rowOf(row: ResultField[]): QueryRow {
  const out: QueryRow = {};
  for (const { field, value } of row) if (field !== undefined && value !== undefined) out[field] = value;
  return out;
}
