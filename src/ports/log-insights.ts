/**
 * CloudWatch Logs Insights, as monitoring uses it: counting matching events of
 * up to 50 log groups per second in one query, and any `stats` query whose rows
 * the caller reads itself (access-log traffic). Implemented in src/aws/log-insights.ts.
 *
 * Invariants: times are epoch seconds and both ends are included; counts come
 * per log group name and per second (the second's start); a group or second
 * without events is absent, never a stored zero. A stats query's rows are
 * field -> value as Insights returns them (a field without a value is absent);
 * an answer that may have been cut at the row limit is `failed`, never a
 * silently short `complete`.
 */
export type CountsBySecond = Map<string, Map<number, number>>;

export type CountQueryState =
  | { status: 'running' }
  | { status: 'complete'; counts: CountsBySecond }
  | { status: 'failed'; reason: string };

/** One row of a query's answer: field name -> value (`@log` is `<account>:<group>`). */
export type QueryRow = Record<string, string>;

export type StatsQueryState =
  { status: 'running' } | { status: 'complete'; rows: QueryRow[] } | { status: 'failed'; reason: string };

export interface LogInsights {
  /** Starts counting events matching `filter` (an Insights expression; '' for all); returns the query id. */
  startCount(groups: string[], filter: string, fromSec: number, toSec: number): Promise<string>;
  countResults(queryId: string): Promise<CountQueryState>;
  /** Starts `queryString` (which must end in `stats`) over the groups; returns the query id. */
  startQuery(groups: string[], queryString: string, fromSec: number, toSec: number): Promise<string>;
  queryResults(queryId: string): Promise<StatsQueryState>;
  stop(queryId: string): Promise<void>;
}
