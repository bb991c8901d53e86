import {
  FilterLogEventsCommand,
  GetLogEventsCommand,
  type CloudWatchLogsClient,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { DeploybotError } from '../domain/errors';
import type { LogEvent, LogEventsOptions, Logs } from '../ports/logs';

// GetLogEvents returns at most 10,000 events per call.
const MAX_TAIL = 10_000;
/** FilterLogEvents pages (up to 10,000 events or 1 MB each) `events` reads at most by default. */
const DEFAULT_MAX_PAGES = 20;

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
    let count = 0;
    for await (const page of this.pages(group, startMs, endMs, pattern)) count += page.events.length;
    return count;
  }

  /** The events of [startMs, endMs), oldest first; a missing group is an error, as for countMatches. */
  async events(
    group: string,
    startMs: number,
    endMs: number,
    options: LogEventsOptions = {},
  ): Promise<LogEvent[]> {
    const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
    const out: LogEvent[] = [];
    let pages = 0;
    for await (const page of this.pages(group, startMs, endMs, options.filterPattern, options.beforePage)) {
      pages += 1;
      for (const e of page.events) out.push({ timestamp: e.timestamp ?? 0, message: e.message ?? '' });
      // Stop before asking for a page beyond the cap: an answer cut there would undercount.
      if (page.more && pages >= maxPages) throw new LogEventsTruncated(group, maxPages, out.length);
    }
    // FilterLogEvents interleaves streams; sort so callers can rely on the order.
    return out.sort((a, b) => a.timestamp - b.timestamp);
  }

  /**
   * Every page of FilterLogEvents over [startMs, endMs). FilterLogEvents may return
   * empty pages that still carry a token: keep going until there is no token, but
   * never loop on a token we have already sent.
   */
  private async *pages(
    group: string,
    startMs: number,
    endMs: number,
    filterPattern: string | undefined,
    beforePage?: () => Promise<void>,
  ): AsyncGenerator<{ events: FilteredLogEvent[]; more: boolean }> {
    if (endMs <= startMs) return;
    let nextToken: string | undefined;
    const seen = new Set<string>();
    do {
      await beforePage?.();
      const out = await this.logs.send(
        new FilterLogEventsCommand({
          logGroupName: group,
          ...(filterPattern !== undefined && { filterPattern }),
          startTime: startMs,
          // CloudWatch's endTime is inclusive; the port's interval is half-open.
          endTime: endMs - 1,
          ...(nextToken && { nextToken }),
        }),
      );
      nextToken = out.nextToken;
      if (nextToken) {
        if (seen.has(nextToken)) nextToken = undefined;
        else seen.add(nextToken);
      }
      yield { events: out.events ?? [], more: nextToken !== undefined };
    } while (nextToken);
  }
}

/**
 * More events than `maxPages` pages of FilterLogEvents hold: an answer cut
 * there would undercount, so there is none.
 */
export class LogEventsTruncated extends DeploybotError {
  constructor(group: string, maxPages: number, read: number) {
    super(
      'log_events_truncated',
      `${group} has more events in the range than ${maxPages} pages of FilterLogEvents (${read} read)`,
    );
  }
}
