import { AwsError, invalidParameter } from './errors';
import { compileFilterPattern } from './filter-pattern';
import { decodeToken, encodeToken } from './ids';
import type { JsonInput } from './json-input';
import type { JsonService } from './json-protocol';
import type { LogEvent, LogGroup, LogStore } from './logs-store';

/** GetLogEvents and FilterLogEvents, the two CloudWatch Logs reads deploybot makes. */

const MAX_EVENTS = 10_000;

function groupOf(store: LogStore, input: JsonInput): LogGroup {
  const name = input.string('logGroupName');
  const identifier = input.string('logGroupIdentifier');
  if (name !== undefined && identifier !== undefined) {
    throw invalidParameter('LogGroupName and LogGroupIdentifier are mutually exclusive parameters.');
  }
  // An identifier may be the group's ARN; its name is after `log-group:`.
  const wanted = name ?? identifier?.replace(/^arn:[^:]+:logs:[^:]*:\d*:log-group:/, '').replace(/:\*$/, '');
  if (wanted === undefined)
    throw invalidParameter('Either LogGroupName or LogGroupIdentifier must be provided.');
  const group = store.groups.get(wanted);
  if (!group) throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
  return group;
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

export function logsService(store: LogStore, pageSize: () => number): JsonService {
  const group = ['logGroupName', 'logGroupIdentifier'];
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
    },
  };
}
