import assert from 'node:assert/strict';
import { DEFAULT_LOG_RETENTION, LogStore } from '../../../src/sandbox/aws/logs-store';

const T0 = 1_764_000_000_000;
const HOUR = 3_600_000;

describe('LogStore retention (emulator)', () => {
  it('keeps three hours by default and drops what is older, so a long-running sandbox stays bounded', () => {
    let now = T0;
    const store = new LogStore(() => now);
    // Four hours of one line every 2 s.
    for (let at = T0; at < T0 + 4 * HOUR; at += 2_000) {
      now = at;
      store.append('/ecs/app', 'ecs/app/1', `line ${at}`, at);
    }
    const group = store.groups.get('/ecs/app');
    assert.ok(group);
    const events = group.streams.get('ecs/app/1')?.events ?? [];
    const oldest = events[0]?.timestamp ?? 0;
    assert.ok(oldest >= now - DEFAULT_LOG_RETENTION.maxAgeMs - 60_000, 'nothing much older than 3 h');
    assert.ok(oldest < now - 2 * HOUR, 'the last hours stay');
    // Every event of the retained span is still readable, in order.
    const lastThreeHours = store.eventsBetween(group, now - 3 * HOUR, now);
    assert.equal(lastThreeHours.length, (3 * HOUR) / 2_000 + 1);
  });

  it('drops an event older than the retention at once, as CloudWatch refuses it', () => {
    const store = new LogStore(() => T0, { maxAgeMs: HOUR, maxEventsPerStream: 1_000 });
    store.append('g', 'fresh', 'recent', T0 - 10_000);
    store.append('g', 'stale', 'two hours ago', T0 - 2 * HOUR);
    const group = store.groups.get('g');
    assert.ok(group);
    assert.deepEqual(
      store.eventsBetween(group, 0, T0).map((e) => e.message),
      ['recent'],
    );
  });

  it('keeps at most maxEventsPerStream (+1 %) of the newest events of a stream', () => {
    const store = new LogStore(() => T0, { maxAgeMs: HOUR, maxEventsPerStream: 1_000 });
    for (let i = 0; i < 5_000; i += 1) store.append('g', 's', `line ${i}`, T0 - 5_000 + i);
    const events = store.groups.get('g')?.streams.get('s')?.events ?? [];
    assert.ok(events.length >= 1_000 && events.length <= 1_010, `${events.length} kept`);
    assert.equal(events[events.length - 1]?.message, 'line 4999');
    assert.equal(store.summary()[0]?.events, events.length);
  });
});
