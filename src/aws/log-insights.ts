import {
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
  type CloudWatchLogsClient,
  type ResultField,
} from '@aws-sdk/client-cloudwatch-logs';
import type { CountQueryState, CountsBySecond, LogInsights } from '../ports/log-insights';

/** Rows Insights returns at most for a stats query; callers size their queries below it. */
export const MAX_RESULT_ROWS = 10_000;

/**
 * Counting with Logs Insights: one StartQuery for many log groups, then
 * GetQueryResults until it completes. `stats count(*) by @log, bin(1s)` keeps
 * the answer small (one row per group and second that had events) whatever the
 * number of events, where FilterLogEvents would page through every one of them.
 */
export class CloudWatchLogInsights implements LogInsights {
  constructor(private readonly logs: CloudWatchLogsClient) {}

  async startCount(groups: string[], filter: string, fromSec: number, toSec: number): Promise<string> {
    const out = await this.logs.send(
      new StartQueryCommand({
        logGroupNames: groups,
        startTime: fromSec,
        endTime: toSec,
        queryString: countQuery(filter),
        limit: MAX_RESULT_ROWS,
      }),
    );
    if (!out.queryId) throw new Error('StartQuery answered without a queryId');
    return out.queryId;
  }

  async countResults(queryId: string): Promise<CountQueryState> {
    const out = await this.logs.send(new GetQueryResultsCommand({ queryId }));
    const status = out.status ?? 'Unknown';
    if (status === 'Scheduled' || status === 'Running') return { status: 'running' };
    if (status !== 'Complete') return { status: 'failed', reason: `query ${queryId} is ${status}` };
    return { status: 'complete', counts: countsOf(out.results ?? []) };
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
