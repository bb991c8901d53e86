import { parseTimeOfDay } from './time-of-day';
import { MINUTE } from './wall-clock';

/**
 * A date and time as written in a schedule or a request: "2026-12-20 00:00"
 * (a wall-clock reading, as local ms, for the caller to place in its time
 * zone) or with an offset, "2026-12-20T00:00+01:00" / "…Z" (an instant).
 * Seconds may be given; "24:00" is the end of that day. Undefined for text
 * that is not one, or a date the calendar lacks (2026-02-30).
 */
export function parseDateTime(text: string): { local: number } | { instant: number } | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}:\d{2})(?::(\d{2}))? ?(Z|[+-]\d{2}:?\d{2})?$/i.exec(
    text.trim(),
  );
  if (!match) return undefined;
  const [, year, month, day, time, seconds = '0', offset] = match;
  const minutes = parseTimeOfDay(time as string, { endOfDay: true });
  const midnight = Date.UTC(Number(year), Number(month) - 1, Number(day));
  const date = new Date(midnight);
  const realDate = date.getUTCDate() === Number(day) && date.getUTCMonth() === Number(month) - 1;
  if (minutes === undefined || !realDate || Number(seconds) > 59) return undefined;
  if (minutes === 24 * 60 && Number(seconds) > 0) return undefined;
  const local = midnight + minutes * MINUTE + Number(seconds) * 1000;
  if (offset === undefined) return { local };
  return { instant: local - offsetMs(offset) };
}

/** "Z" → 0, "+01:00" / "+0100" → 3 600 000, "-05:00" → -18 000 000. */
function offsetMs(offset: string): number {
  if (offset.toUpperCase() === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * MINUTE;
}
