/**
 * CloudWatch Logs, as the release needs it. Implemented in src/aws/logs.ts.
 *
 * Invariants: tail returns at most `limit` lines, oldest first, and [] for a
 * stream that does not exist (a task that died before logging). countMatches
 * follows every page of the answer and counts events in [startMs, endMs).
 */
export interface Logs {
  tail(group: string, stream: string, limit: number): Promise<string[]>;
  countMatches(group: string, pattern: string, startMs: number, endMs: number): Promise<number>;
}
