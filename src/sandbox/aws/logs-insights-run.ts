import { jsonFields } from '../../domain/access-log-lines';
import { evaluate, holds, type EventRecord } from './logs-insights-expr';
import type {
  Command,
  InsightsEvent,
  InsightsQuery,
  InsightsResult,
  QueriedGroup,
  ResultField,
} from './logs-insights';

/** Running a parsed query (src/sandbox/aws/logs-insights.ts) over log events. */

/** An event's fields as Insights discovers them: @message, @timestamp and a JSON object's fields. */
export function recordOf(event: InsightsEvent): EventRecord {
  const record: EventRecord = new Map();
  for (const [name, value] of jsonFields(event.message) ?? []) record.set(name, value);
  record.set('@message', event.message);
  record.set('@timestamp', event.timestamp);
  return record;
}

/** Runs the commands on one event; false when a filter drops it. */
export function passes(commands: readonly Command[], record: EventRecord): boolean {
  for (const c of commands) {
    if (c.kind === 'filter') {
      if (!holds(c.condition, record)) return false;
    } else if (c.kind === 'fields') {
      for (const { name, expr } of c.assignments) record.set(name, evaluate(expr, record));
    } else {
      const value = record.get(c.source);
      const m = value === undefined ? null : c.regex.exec(String(value));
      if (!m) continue;
      if (c.names === undefined) {
        for (const [name, v] of Object.entries(m.groups ?? {})) if (v !== undefined) record.set(name, v);
      } else {
        c.names.forEach((name, i) => record.set(name, m[i + 1]));
      }
    }
  }
  return true;
}

/** `2025-11-24 16:00:05.000`: how Insights shows a bin (UTC). */
export function formatBin(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/Z$/, '');
}

type Key = string | number | undefined;

/**
 * Runs `query` over the events given (already limited to the query's time range).
 * One row per non-empty combination of the by-fields, in by-field order and then
 * the count: `@log` is `<accountId>:<group>`, a bin its UTC start, a number as
 * JavaScript writes it, the count a decimal string. The real service promises no
 * row order; here rows are sorted by the by-fields in turn (groups by name, bins
 * oldest first, missing values first).
 */
export function runInsightsQuery(
  query: InsightsQuery,
  groups: readonly QueriedGroup[],
  accountId: string,
): InsightsResult {
  const buckets = new Map<string, { keys: Key[]; count: number }>();
  let recordsScanned = 0;
  let recordsMatched = 0;
  let bytesScanned = 0;
  for (const group of groups) {
    for (const event of group.events) {
      recordsScanned += 1;
      bytesScanned += Buffer.byteLength(event.message, 'utf8');
      const record = recordOf(event);
      if (!passes(query.commands, record)) continue;
      recordsMatched += 1;
      const keys: Key[] = query.stats.by.map((f) =>
        f.kind === 'log'
          ? group.name
          : f.kind === 'bin'
            ? Math.floor(event.timestamp / f.ms) * f.ms
            : record.get(f.name),
      );
      const id = JSON.stringify(keys.map((k) => (k === undefined ? null : k)));
      const bucket = buckets.get(id);
      if (bucket) bucket.count += 1;
      else buckets.set(id, { keys, count: 1 });
    }
  }
  const sorted = [...buckets.values()].sort((a, b) => {
    for (let k = 0; k < a.keys.length; k += 1) {
      const [x, y] = [a.keys[k], b.keys[k]];
      if (x === y) continue;
      if (x === undefined) return -1;
      if (y === undefined) return 1;
      return x < y ? -1 : 1;
    }
    return 0;
  });
  const rows = sorted.map(({ keys, count }) => [
    ...query.stats.by.flatMap((f, k): ResultField[] => {
      const key = keys[k];
      if (key === undefined) return [];
      if (f.kind === 'log') return [{ field: f.name, value: `${accountId}:${String(key)}` }];
      if (f.kind === 'bin') return [{ field: f.name, value: formatBin(key as number) }];
      return [{ field: f.name, value: String(key) }];
    }),
    { field: query.stats.countAs, value: String(count) },
  ]);
  return { rows, recordsScanned, recordsMatched, bytesScanned };
}
