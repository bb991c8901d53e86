/**
 * CloudWatch Logs, as the release needs it. Implemented in src/aws/logs.ts.
 *
 * Invariants: tail returns at most `limit` lines, oldest first, and [] for a
 * stream that does not exist (a task that died before logging). countMatches
 * follows every page of the answer and counts events in [startMs, endMs).
 * events reads the events of [startMs, endMs), oldest first, across pages up
 * to `maxPages` (then it fails with LogEventsTruncated rather than answer
 * short), calling `beforePage` before each request (a request budget).
 */
export interface LogEvent {
  timestamp: number;
  message: string;
}

export interface LogEventsOptions {
  /** A CloudWatch Logs filter pattern; all events when absent. */
  filterPattern?: string;
  /** Pages of FilterLogEvents at most; the adapter's default when absent. */
  maxPages?: number;
  beforePage?: () => Promise<void>;
}

export interface Logs {
  tail(group: string, stream: string, limit: number): Promise<string[]>;
  countMatches(group: string, pattern: string, startMs: number, endMs: number): Promise<number>;
  events(group: string, startMs: number, endMs: number, options?: LogEventsOptions): Promise<LogEvent[]>;
}
