/**
 * CloudWatch Logs storage: groups of streams of events kept in timestamp order.
 * Writers are the emulated tasks, the simulated service and tests (appendLog);
 * readers are GetLogEvents, FilterLogEvents and Logs Insights (logs-api.ts).
 */
export interface LogEvent {
  timestamp: number;
  ingestionTime: number;
  message: string;
  /** Global write order: the tie-breaker for equal timestamps and the event id. */
  seq: number;
}

export interface LogStream {
  name: string;
  createdAt: number;
  events: LogEvent[];
}

export interface LogGroup {
  name: string;
  createdAt: number;
  streams: Map<string, LogStream>;
}

export interface LogRetention {
  /** Events older than this (by timestamp, against the store's clock) are dropped. */
  maxAgeMs: number;
  /** A stream keeps at most this many events, the newest. */
  maxEventsPerStream: number;
}

/**
 * A sandbox left running writes about 50 access-log lines a second; three hours
 * of them (~540,000) is what monitoring windows and tests ever read back.
 */
export const DEFAULT_LOG_RETENTION: LogRetention = {
  maxAgeMs: 3 * 60 * 60 * 1000,
  maxEventsPerStream: 600_000,
};

/**
 * Expired events are dropped in batches of at least this much time, so a
 * steady writer pays one splice a minute rather than one per line. Until then
 * a read may still see them, as CloudWatch also deletes expired events lazily.
 */
const PRUNE_SLACK_MS = 60_000;

export class LogStore {
  readonly groups = new Map<string, LogGroup>();
  private seq = 0;

  constructor(
    private readonly now: () => number,
    private readonly retention: LogRetention = DEFAULT_LOG_RETENTION,
  ) {}

  createGroup(name: string): LogGroup {
    let group = this.groups.get(name);
    if (!group) {
      group = { name, createdAt: this.now(), streams: new Map() };
      this.groups.set(name, group);
    }
    return group;
  }

  /**
   * Writes one event. Like the awslogs driver with `awslogs-create-group`, a
   * missing group or stream is created on first write.
   */
  append(groupName: string, streamName: string, message: string, at = this.now()): void {
    const group = this.createGroup(groupName);
    let stream = group.streams.get(streamName);
    if (!stream) {
      stream = { name: streamName, createdAt: at, events: [] };
      group.streams.set(streamName, stream);
    }
    this.seq += 1;
    const event: LogEvent = {
      timestamp: at,
      ingestionTime: Math.max(at, this.now()),
      message,
      seq: this.seq,
    };
    // Writers are nearly always in order; when not, insert after equal timestamps.
    const events = stream.events;
    let i = events.length;
    while (i > 0 && (events[i - 1] as LogEvent).timestamp > at) i -= 1;
    events.splice(i, 0, event);
    this.prune(stream);
  }

  /**
   * Bounds the stream: invariant after every append — no event older than
   * maxAgeMs + PRUNE_SLACK_MS, and at most maxEventsPerStream + 1 % events.
   */
  private prune(stream: LogStream): void {
    const events = stream.events;
    const { maxAgeMs, maxEventsPerStream } = this.retention;
    const cutoff = this.now() - maxAgeMs;
    let drop = 0;
    if ((events[0] as LogEvent).timestamp < cutoff - PRUNE_SLACK_MS) drop = firstAtOrAfter(events, cutoff);
    const overflow = events.length - maxEventsPerStream;
    if (overflow > maxEventsPerStream / 100) drop = Math.max(drop, overflow);
    if (drop > 0) events.splice(0, drop);
  }

  /** The group's events of every stream with fromMs <= timestamp <= toMs, oldest first. */
  eventsBetween(group: LogGroup, fromMs: number, toMs: number): LogEvent[] {
    const out: LogEvent[] = [];
    for (const stream of group.streams.values()) {
      for (const event of stream.events) {
        if (event.timestamp >= fromMs && event.timestamp <= toMs) out.push(event);
      }
    }
    return out.sort((a, b) => a.timestamp - b.timestamp || a.seq - b.seq);
  }

  summary(): { group: string; streams: number; events: number }[] {
    return [...this.groups.values()].map((g) => ({
      group: g.name,
      streams: g.streams.size,
      events: [...g.streams.values()].reduce((n, s) => n + s.events.length, 0),
    }));
  }
}

/** Index of the first event with timestamp >= at (events are in timestamp order). */
function firstAtOrAfter(events: readonly LogEvent[], at: number): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((events[mid] as LogEvent).timestamp < at) low = mid + 1;
    else high = mid;
  }
  return low;
}
