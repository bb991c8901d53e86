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

export class LogStore {
  readonly groups = new Map<string, LogGroup>();
  private seq = 0;

  constructor(private readonly now: () => number) {}

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
