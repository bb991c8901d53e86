/**
 * Time-zone arithmetic with nothing but Intl. A wall-clock reading is kept as
 * "local ms": the epoch ms at which a UTC clock would show the same date and
 * time, so `new Date(local).getUTCDay()` is its weekday and adding a day is
 * adding 86 400 000. An instant's local ms is the instant plus the zone's
 * offset then; turning a reading back into an instant is the hard direction,
 * as around a DST change a reading can occur twice or not at all.
 */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * The IANA name Intl knows `name` by (`europe/berlin` → `Europe/Berlin`), or
 * undefined for anything else. Fixed offsets such as `+01:00` are refused: a
 * schedule names the place whose clocks it follows, DST included.
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (!/^[A-Za-z]/.test(name)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** How far the zone's clocks are ahead of UTC at `instant`, in ms (negative west of Greenwich). */
export function offsetAt(instant: number, timeZone: string): number {
  const wholeSecond = Math.floor(instant / 1000) * 1000;
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(wholeSecond)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const shown = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return shown - wholeSecond;
}

/** The wall-clock reading at `instant`, as local ms. */
export function localTime(instant: number, timeZone: string): number {
  return instant + offsetAt(instant, timeZone);
}

/**
 * The instant at which the clock reads `local`. A reading that occurs twice
 * (the hour repeated when clocks go back) is its first occurrence; one that
 * never occurs (the hour skipped when clocks go forward) is moved forward by
 * the jump, so 02:30 on a spring-forward day is 03:30 — as Temporal's
 * "compatible" disambiguation does. Assumes at most one offset change within
 * a day and a half of `local`, which every real zone satisfies.
 */
export function instantOf(local: number, timeZone: string): number {
  const before = offsetAt(local - 1.5 * DAY, timeZone);
  const after = offsetAt(local + 1.5 * DAY, timeZone);
  const fitting = [before, after]
    .map((offset) => local - offset)
    .filter((instant) => localTime(instant, timeZone) === local);
  if (fitting.length > 0) return Math.min(...fitting);
  return local - before;
}

/** A stretch of time over which the zone's offset does not change. */
export interface OffsetSegment {
  start: number;
  end: number;
  offset: number;
}

/**
 * Probing this often finds every offset change: zones change at most a few
 * times a year, never twice within hours.
 */
const PROBE_EVERY = 6 * HOUR;

/** [from, to) cut where the zone's offset changes, each piece with its offset. */
export function offsetSegments(from: number, to: number, timeZone: string): OffsetSegment[] {
  const segments: OffsetSegment[] = [];
  let start = from;
  let offset = offsetAt(from, timeZone);
  for (let probe = from; probe < to;) {
    const next = Math.min(probe + PROBE_EVERY, to);
    const nextOffset = offsetAt(next, timeZone);
    if (nextOffset !== offset) {
      const change = firstChange(probe, next, offset, timeZone);
      segments.push({ start, end: change, offset });
      start = change;
      offset = offsetAt(change, timeZone);
    }
    probe = next;
  }
  segments.push({ start, end: to, offset });
  return segments.filter((segment) => segment.end > segment.start);
}

/** The first whole second in (low, high] whose offset is not `offset`; one exists. */
function firstChange(low: number, high: number, offset: number, timeZone: string): number {
  let unchanged = low;
  let changed = high;
  while (changed - unchanged > 1000) {
    const middle = Math.floor((unchanged + changed) / 2000) * 1000;
    if (middle <= unchanged) break;
    if (offsetAt(middle, timeZone) === offset) unchanged = middle;
    else changed = middle;
  }
  return changed;
}
