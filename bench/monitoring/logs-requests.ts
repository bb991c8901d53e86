/**
 * CloudWatch Logs requests as the account pays for them, tied to the apps they
 * serve. Every Logs request counts (FilterLogEvents, StartQuery,
 * GetQueryResults, StopQuery, GetLogEvents, …); each is shared among the log
 * groups it serves:
 *   - a request naming one group (FilterLogEvents, GetLogEvents) counts 1 for it;
 *   - a StartQuery over k groups counts 1/k for each, and so do the
 *     GetQueryResults and StopQuery of that query (matched by `queryId`; when
 *     the proxy could not read a StartQuery's answer, by order: the latest
 *     StartQuery before it whose id is unknown).
 * So the shares of all apps add up to the requests sent, and "requests per app
 * per sample" stays the account's cost of one app's sample.
 */
import { summarize } from '../percentiles';
import { GET_QUERY_RESULTS, LOGS_PREFIX, START_QUERY, STOP_QUERY, type ProxiedCall } from './recording-proxy';

export interface LogsRequest {
  /** `StartQuery`, `GetQueryResults`, `FilterLogEvents`, … */
  operation: string;
  /** When it reached the proxy (ms). */
  at: number;
  /**
   * When the sample it serves asked: its own arrival for a StartQuery or
   * FilterLogEvents, its query's StartQuery's for GetQueryResults and StopQuery
   * (so a query's polls are counted with the sample that started it).
   */
  sampleAt: number;
  /** Log group → this request's share for it (1, or 1/k for a query over k groups); empty when it names none. */
  shares: Map<string, number>;
  /** The answer's HTTP status. */
  status?: number;
}

export interface QueryStats {
  /** StartQuery requests. */
  queries: number;
  /** Each query: when its StartQuery arrived, how many log groups it named, the end of the time it counted (ms). */
  list: { at: number; groups: number; until?: number }[];
  /** Log groups per query. */
  groups: { min: number; max: number; mean: number };
  /** GetQueryResults per query. */
  polls: { mean: number; max: number };
  /** StartQuery's arrival → the first GetQueryResults answered Complete, ms (queries that completed). */
  completeMs: { p50: number; max: number } | undefined;
  /** Queries never answered Complete (failed, stopped, or still running when the bot stopped). */
  notComplete: number;
  /** GetQueryResults/StopQuery matched to their query by order rather than by id. */
  byOrder: number;
  /** GetQueryResults/StopQuery that matched no StartQuery at all. */
  orphans: number;
}

/** `Logs_20140328.StartQuery` → `StartQuery`. */
export const shortName = (operation: string): string => operation.slice(LOGS_PREFIX.length);

/** The Logs requests among `calls`, in arrival order, each with its shares. */
export function logsRequests(calls: readonly ProxiedCall[]): {
  requests: LogsRequest[];
  queries: QueryStats;
} {
  const logs = calls.filter((c) => c.operation.startsWith(LOGS_PREFIX)).sort((a, b) => a.at - b.at);
  const starts = new Map<
    ProxiedCall,
    { groups: string[]; polls: number; completeAt?: number; until?: number }
  >();
  const byId = new Map<string, ProxiedCall>();
  for (const c of logs) {
    if (c.operation !== START_QUERY) continue;
    starts.set(c, {
      groups: [...new Set(c.logGroups ?? [])],
      polls: 0,
      // endTime is included: the counts end where the next second begins.
      ...(c.queryRange && { until: (c.queryRange.to + 1) * 1000 }),
    });
    if (c.queryId !== undefined) byId.set(c.queryId, c);
  }
  let byOrder = 0;
  let orphans = 0;
  const queryOf = (c: ProxiedCall): ProxiedCall | undefined => {
    const known = c.queryId === undefined ? undefined : byId.get(c.queryId);
    if (known) return known;
    const earlier = [...starts.keys()].filter((s) => s.at <= c.at);
    const guess = earlier.filter((s) => s.queryId === undefined).at(-1) ?? earlier.at(-1);
    if (guess) byOrder++;
    else orphans++;
    return guess;
  };
  const split = (groups: readonly string[]) => new Map(groups.map((g) => [g, 1 / groups.length]));

  const requests: LogsRequest[] = [];
  for (const c of logs) {
    const base = {
      operation: shortName(c.operation),
      at: c.at,
      ...(c.status !== undefined && { status: c.status }),
    };
    if (c.operation === GET_QUERY_RESULTS || c.operation === STOP_QUERY) {
      const start = queryOf(c);
      const query = start && starts.get(start);
      if (query && c.operation === GET_QUERY_RESULTS) {
        query.polls++;
        if (c.queryStatus === 'Complete') query.completeAt ??= c.at;
      }
      requests.push({ ...base, sampleAt: start?.at ?? c.at, shares: split(query?.groups ?? []) });
    } else {
      requests.push({ ...base, sampleAt: c.at, shares: split([...new Set(c.logGroups ?? [])]) });
    }
  }

  const queries = [...starts].map(([start, q]) => ({ ...q, at: start.at }));
  const groups = queries.map((q) => q.groups.length);
  const polls = queries.map((q) => q.polls);
  const latencies = queries.flatMap((q) => (q.completeAt === undefined ? [] : [q.completeAt - q.at]));
  const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  return {
    requests,
    queries: {
      queries: queries.length,
      list: queries.map((q) => ({
        at: q.at,
        groups: q.groups.length,
        ...(q.until !== undefined && { until: q.until }),
      })),
      groups: { min: Math.min(...groups), max: Math.max(...groups), mean: mean(groups) },
      polls: { mean: mean(polls), max: Math.max(0, ...polls) },
      completeMs:
        latencies.length === 0 ? undefined : { p50: summarize(latencies).p50, max: summarize(latencies).max },
      notComplete: queries.filter((q) => q.completeAt === undefined).length,
      byOrder,
      orphans,
    },
  };
}

/** Requests by operation, each counted by its weight (1, or an app's share); the four monitoring uses always listed. */
export function byOperation(requests: readonly { operation: string; weight: number }[]): Map<string, number> {
  const out = new Map<string, number>([
    ['StartQuery', 0],
    ['GetQueryResults', 0],
    ['StopQuery', 0],
    ['FilterLogEvents', 0],
  ]);
  for (const r of requests) out.set(r.operation, (out.get(r.operation) ?? 0) + r.weight);
  return out;
}

/** `StartQuery 6, GetQueryResults 13, StopQuery 0, FilterLogEvents 0` (a share sum shown to 0.1 when not whole). */
export function formatOperations(counts: ReadonlyMap<string, number>): string {
  const show = (n: number) => (Math.abs(n - Math.round(n)) < 0.005 ? String(Math.round(n)) : n.toFixed(1));
  return [...counts].map(([op, n]) => `${op} ${show(n)}`).join(', ');
}

/**
 * How the queries fell on sample moments (the slot boundary whose slot a query
 * counts up to — its endTime — or else the one before its StartQuery):
 * `50 ×9, 46+4 ×1` — nine moments answered by one query of 50 groups, one split in two.
 */
export function queryMoments(
  list: readonly { at: number; groups: number; until?: number }[],
  interval: number,
): string {
  const moments = new Map<number, number[]>();
  for (const q of list) {
    const moment = q.until ?? Math.floor(q.at / interval) * interval;
    moments.set(moment, [...(moments.get(moment) ?? []), q.groups]);
  }
  const shapes = new Map<string, number>();
  for (const sizes of moments.values()) {
    const shape = sizes.join('+');
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
  }
  return [...shapes].map(([shape, n]) => `${shape} ×${n}`).join(', ');
}
