/**
 * CloudWatch Logs Insights, as monitoring uses it: counting matching events of
 * up to 50 log groups per second in one query. Implemented in src/aws/log-insights.ts.
 *
 * Invariants: times are epoch seconds and both ends are included; counts come
 * per log group name and per second (the second's start); a group or second
 * without events is absent, never a stored zero.
 */
export type CountsBySecond = Map<string, Map<number, number>>;

export type CountQueryState =
  | { status: 'running' }
  | { status: 'complete'; counts: CountsBySecond }
  | { status: 'failed'; reason: string };

export interface LogInsights {
  /** Starts counting events matching `filter` (an Insights expression; '' for all); returns the query id. */
  startCount(groups: string[], filter: string, fromSec: number, toSec: number): Promise<string>;
  countResults(queryId: string): Promise<CountQueryState>;
  stop(queryId: string): Promise<void>;
}
