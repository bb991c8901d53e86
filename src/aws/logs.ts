import {
  FilterLogEventsCommand,
  GetLogEventsCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Logs } from '../ports/logs';

// GetLogEvents returns at most 10,000 events per call.
const MAX_TAIL = 10_000;

export class CloudWatchLogs implements Logs {
  constructor(private readonly logs: CloudWatchLogsClient) {}

  async tail(group: string, stream: string, limit: number): Promise<string[]> {
    const count = Math.min(Math.floor(limit), MAX_TAIL);
    if (!(count > 0)) return [];
    try {
      // startFromHead=false gives the newest `limit` events, still ordered oldest first.
      const out = await this.logs.send(
        new GetLogEventsCommand({
          logGroupName: group,
          logStreamName: stream,
          limit: count,
          startFromHead: false,
        }),
      );
      return (out.events ?? []).slice(-count).map((e) => e.message ?? '');
    } catch (err) {
      // A task that died before writing anything has no stream (or even group) yet.
      if (err instanceof Error && err.name === 'ResourceNotFoundException') return [];
      throw err;
    }
  }

  /**
   * Events matching `pattern` in [startMs, endMs). A missing log group is an error
   * here, not zero: counting zero errors in a misnamed group would pass a health check.
   */
  async countMatches(group: string, pattern: string, startMs: number, endMs: number): Promise<number> {
    if (endMs <= startMs) return 0;
    let count = 0;
    let nextToken: string | undefined;
    const seen = new Set<string>();
    do {
      const out = await this.logs.send(
        new FilterLogEventsCommand({
          logGroupName: group,
          filterPattern: pattern,
          startTime: startMs,
          // CloudWatch's endTime is inclusive; the port's interval is half-open.
          endTime: endMs - 1,
          ...(nextToken && { nextToken }),
        }),
      );
      count += out.events?.length ?? 0;
      // FilterLogEvents may return empty pages that still carry a token: keep going
      // until there is no token, but never loop on a token we have already sent.
      nextToken = out.nextToken;
      if (nextToken) {
        if (seen.has(nextToken)) break;
        seen.add(nextToken);
      }
    } while (nextToken);
    return count;
  }
}
