import { randomUUID } from 'node:crypto';
import { AwsError, invalidParameter, notModelled } from './errors';
import { compileFilterPattern } from './filter-pattern';
import { decodeToken, encodeToken } from './ids';
import type { JsonInput } from './json-input';
import type { JsonService } from './json-protocol';
import { parseInsightsQuery, runInsightsQuery, type InsightsResult } from './logs-insights';
import type { LogEvent, LogGroup, LogStore } from './logs-store';

/**
 * GetLogEvents and FilterLogEvents, the CloudWatch Logs reads deploybot makes per
 * log group, and Logs Insights (StartQuery, GetQueryResults, StopQuery) for
 * counting error lines and access-log traffic across many groups with one
 * query (the subset it runs: src/sandbox/aws/logs-insights.ts).
 */

const MAX_EVENTS = 10_000;

function groupOf(store: LogStore, input: JsonInput): LogGroup {
  const name = input.string('logGroupName');
  const identifier = input.string('logGroupIdentifier');
  if (name !== undefined && identifier !== undefined) {
    throw invalidParameter('LogGroupName and LogGroupIdentifier are mutually exclusive parameters.');
  }
  const wanted = name ?? (identifier === undefined ? undefined : groupNameOf(identifier));
  if (wanted === undefined)
    throw invalidParameter('Either LogGroupName or LogGroupIdentifier must be provided.');
  const group = store.groups.get(wanted);
  if (!group) throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
  return group;
}

// An identifier may be the group's ARN; its name is after `log-group:`.
function groupNameOf(identifier: string): string {
  return identifier.replace(/^arn:[^:]+:logs:[^:]*:\d*:log-group:/, '').replace(/:\*$/, '');
}

function limitOf(input: JsonInput): number {
  const limit = input.number('limit') ?? MAX_EVENTS;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS) {
    throw invalidParameter(
      `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint`,
    );
  }
  return limit;
}

// Real tokens look like `f/` or `b/` and 56 digits; the digits here are an index.
function streamToken(direction: 'f' | 'b', index: number): string {
  return `${direction}/${String(index).padStart(56, '0')}`;
}

function getLogEvents(store: LogStore, input: JsonInput): object {
  const group = groupOf(store, input);
  const streamName = input.requiredString('logStreamName');
  const stream = group.streams.get(streamName);
  if (!stream) throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
  const limit = limitOf(input);
  // startTime is inclusive, endTime exclusive.
  const start = input.number('startTime') ?? -Infinity;
  const end = input.number('endTime') ?? Infinity;
  const window = stream.events.filter((e) => e.timestamp >= start && e.timestamp < end);

  let from: number;
  let to: number;
  const token = input.string('nextToken');
  if (token !== undefined) {
    const match = /^([fb])\/(\d{56})$/.exec(token);
    const index = match ? Number(match[2]) : NaN;
    if (!match || index > window.length) throw invalidParameter('The specified nextToken is invalid.');
    [from, to] =
      match[1] === 'f'
        ? [index, Math.min(window.length, index + limit)]
        : [Math.max(0, index - limit), index];
  } else if (input.boolean('startFromHead') === true) {
    [from, to] = [0, Math.min(window.length, limit)];
  } else {
    // The default reads backwards from the newest event, answering oldest first.
    [from, to] = [Math.max(0, window.length - limit), window.length];
  }
  return {
    events: window.slice(from, to).map((e) => ({
      timestamp: e.timestamp,
      message: e.message,
      ingestionTime: e.ingestionTime,
    })),
    // At either end the same token comes back, which is how callers know to stop.
    nextForwardToken: streamToken('f', to),
    nextBackwardToken: streamToken('b', from),
  };
}

function filterLogEvents(store: LogStore, input: JsonInput, pageSize: number): object {
  const group = groupOf(store, input);
  const names = input.strings('logStreamNames');
  const prefix = input.string('logStreamNamePrefix');
  if (names !== undefined && prefix !== undefined) {
    throw invalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
  }
  const pattern = input.string('filterPattern');
  const matches = compileFilterPattern(pattern);
  // Both ends are inclusive for FilterLogEvents.
  const start = input.number('startTime') ?? -Infinity;
  const end = input.number('endTime') ?? Infinity;
  const limit = limitOf(input);

  const streams = [...group.streams.values()].filter(
    (s) =>
      (names === undefined || names.includes(s.name)) && (prefix === undefined || s.name.startsWith(prefix)),
  );
  const found: { stream: string; event: LogEvent }[] = [];
  for (const stream of streams) {
    for (const event of stream.events) {
      if (event.timestamp >= start && event.timestamp <= end && matches(event.message)) {
        found.push({ stream: stream.name, event });
      }
    }
  }
  found.sort((a, b) => a.event.timestamp - b.event.timestamp || a.event.seq - b.event.seq);

  const query = { group: group.name, names, prefix, pattern, start, end };
  const token = input.string('nextToken');
  const offset = token === undefined ? 0 : decodeToken(token, query);
  if (offset === undefined) throw invalidParameter('The specified nextToken is invalid.');
  const page = found.slice(offset, offset + Math.min(limit, pageSize));
  const next = offset + page.length;
  return {
    events: page.map(({ stream, event }) => ({
      logStreamName: stream,
      timestamp: event.timestamp,
      message: event.message,
      ingestionTime: event.ingestionTime,
      eventId: String(event.seq).padStart(56, '0'),
    })),
    ...(next < found.length && { nextToken: encodeToken(next, query) }),
  };
}

// ---------------------------------------------------------------- Logs Insights

export interface InsightsOptions {
  /** `@log` values are `<accountId>:<group>`. */
  accountId: string;
  now: () => number;
  /** StartQuery until Complete (EmulatorTimings.queryMs); read at StartQuery. */
  queryMs: () => number;
}

type QueryStatus = 'Scheduled' | 'Running' | 'Complete' | 'Cancelled';

interface InsightsQueryRecord {
  id: string;
  startedAt: number;
  durationMs: number;
  cancelled: boolean;
  result: InsightsResult;
}

/** AWS's concurrency quota for Logs Insights queries (Scheduled or Running) per account. */
const MAX_CONCURRENT_QUERIES = 30;
const MAX_QUERY_GROUPS = 50;
const MAX_QUERY_LENGTH = 10_000;
/** GetQueryResults pages beyond 10,000 rows with nextToken, which is not modelled. */
const MAX_QUERY_ROWS = 10_000;
/** Finished queries kept for GetQueryResults (AWS keeps them 7 days); oldest dropped first. */
const QUERIES_KEPT = 1_000;

function required(name: string, value: number | undefined): number {
  if (value === undefined) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
    );
  }
  if (!Number.isInteger(value) || value < 0) throw invalidParameter(`${name} must be a non-negative integer`);
  return value;
}

class InsightsQueries {
  private readonly queries = new Map<string, InsightsQueryRecord>();

  constructor(
    private readonly store: LogStore,
    private readonly options: InsightsOptions,
  ) {}

  private status(q: InsightsQueryRecord): QueryStatus {
    if (q.cancelled) return 'Cancelled';
    const elapsed = this.options.now() - q.startedAt;
    if (elapsed >= q.durationMs) return 'Complete';
    return elapsed >= q.durationMs / 3 ? 'Running' : 'Scheduled';
  }

  private active(q: InsightsQueryRecord): boolean {
    const status = this.status(q);
    return status === 'Scheduled' || status === 'Running';
  }

  private find(input: JsonInput): InsightsQueryRecord {
    const id = input.requiredString('queryId');
    const q = this.queries.get(id);
    if (!q) throw new AwsError('ResourceNotFoundException', `Query with id ${id} does not exist.`);
    return q;
  }

  private groupsOf(input: JsonInput): LogGroup[] {
    const name = input.string('logGroupName');
    const names = input.strings('logGroupNames');
    const identifiers = input.strings('logGroupIdentifiers');
    const given = [name, names, identifiers].filter((v) => v !== undefined).length;
    if (given !== 1) {
      throw invalidParameter(
        'Exactly one of logGroupName, logGroupNames or logGroupIdentifiers must be provided.',
      );
    }
    const wanted = name !== undefined ? [name] : (names ?? (identifiers ?? []).map(groupNameOf));
    if (wanted.length < 1 || wanted.length > MAX_QUERY_GROUPS) {
      throw invalidParameter(
        `1 validation error detected: Value with ${wanted.length} log groups failed to satisfy constraint: ` +
          `Member must have length between 1 and ${MAX_QUERY_GROUPS}`,
      );
    }
    return [...new Set(wanted)].map((n) => {
      const group = this.store.groups.get(n);
      if (!group) {
        throw new AwsError(
          'ResourceNotFoundException',
          `Log group '${n}' does not exist for account ID '${this.options.accountId}'`,
        );
      }
      return group;
    });
  }

  start(input: JsonInput): object {
    const language = input.string('queryLanguage');
    if (language !== undefined && language !== 'CWLI') {
      throw notModelled('CloudWatch Logs', `queryLanguage ${language}`, true);
    }
    const groups = this.groupsOf(input);
    const startTime = required('startTime', input.number('startTime'));
    const endTime = required('endTime', input.number('endTime'));
    if (endTime < startTime) throw invalidParameter('End time should not be before the start time');
    const queryString = input.requiredString('queryString');
    if (queryString.length > MAX_QUERY_LENGTH) {
      throw invalidParameter(`queryString must be at most ${MAX_QUERY_LENGTH} characters`);
    }
    const limit = input.number('limit') ?? MAX_QUERY_ROWS;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_QUERY_ROWS) {
      throw invalidParameter(`limit must be between 1 and ${MAX_QUERY_ROWS} (paging is not modelled)`);
    }
    const query = parseInsightsQuery(queryString);
    const running = [...this.queries.values()].filter((q) => this.active(q)).length;
    if (running >= MAX_CONCURRENT_QUERIES) {
      throw new AwsError(
        'LimitExceededException',
        `Account maximum query concurrency limit of [${MAX_CONCURRENT_QUERIES}] reached.`,
      );
    }

    // startTime and endTime are whole epoch seconds and both inclusive, so the
    // range covers every millisecond of both seconds: [startTime s, endTime s + 999 ms].
    // An event at endTime*1000 + 500 counts; one at (endTime+1)*1000 does not.
    // The result is computed here, from the store as it is at StartQuery, and only
    // shown once the query is Complete: events appended while it "runs" are not
    // in it, which keeps a query's answer independent of when it is read.
    const from = startTime * 1000;
    const to = endTime * 1000 + 999;
    const result = runInsightsQuery(
      query,
      groups.map((g) => ({ name: g.name, events: this.store.eventsBetween(g, from, to) })),
      this.options.accountId,
    );
    result.rows = result.rows.slice(0, limit);

    const id = randomUUID();
    this.queries.set(id, {
      id,
      startedAt: this.options.now(),
      durationMs: this.options.queryMs(),
      cancelled: false,
      result,
    });
    this.prune();
    return { queryId: id };
  }

  results(input: JsonInput): object {
    const q = this.find(input);
    const status = this.status(q);
    const done = status === 'Complete';
    return {
      queryLanguage: 'CWLI',
      status,
      results: done ? q.result.rows : [],
      statistics: {
        recordsMatched: done ? q.result.recordsMatched : 0,
        recordsScanned: done ? q.result.recordsScanned : 0,
        bytesScanned: done ? q.result.bytesScanned : 0,
      },
    };
  }

  stop(input: JsonInput): object {
    const q = this.find(input);
    if (!this.active(q)) {
      // As AWS documents: stopping a query that has ended is an error, not success: false.
      throw invalidParameter(`Query ${q.id} is not running (it is ${this.status(q)}).`);
    }
    q.cancelled = true;
    return { success: true };
  }

  private prune(): void {
    for (const [id, q] of this.queries) {
      if (this.queries.size <= QUERIES_KEPT) return;
      if (!this.active(q)) this.queries.delete(id);
    }
  }
}

export function logsService(store: LogStore, pageSize: () => number, insights: InsightsOptions): JsonService {
  const group = ['logGroupName', 'logGroupIdentifier'];
  const queries = new InsightsQueries(store, insights);
  return {
    name: 'logs',
    title: 'CloudWatch Logs',
    targetPrefix: 'Logs_20140328',
    operations: {
      GetLogEvents: {
        accepts: [...group, 'logStreamName', 'startTime', 'endTime', 'nextToken', 'limit', 'startFromHead'],
        run: (input) => getLogEvents(store, input),
      },
      FilterLogEvents: {
        accepts: [
          ...group,
          'logStreamNames',
          'logStreamNamePrefix',
          'startTime',
          'endTime',
          'filterPattern',
          'nextToken',
          'limit',
          'interleaved',
        ],
        run: (input) => filterLogEvents(store, input, pageSize()),
      },
      StartQuery: {
        accepts: [
          'queryLanguage',
          'logGroupName',
          'logGroupNames',
          'logGroupIdentifiers',
          'startTime',
          'endTime',
          'queryString',
          'limit',
        ],
        run: (input) => queries.start(input),
      },
      GetQueryResults: { accepts: ['queryId'], run: (input) => queries.results(input) },
      StopQuery: { accepts: ['queryId'], run: (input) => queries.stop(input) },
    },
  };
}
