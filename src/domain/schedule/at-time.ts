import { InvalidRequestError } from '../errors';
import { parseDateTime } from './date-time';
import { momentWords } from './moment-words';
import { parseTimeOfDay } from './time-of-day';
import { DAY, MINUTE, instantOf, localTime } from './wall-clock';
import { parseWeekday } from './weekdays';

/**
 * When a requester wants a release to start (`/deploy v1.2.0 --at "tue 14:00"`),
 * read on the wall clock of `timeZone`, as epoch ms. Takes "14:00" (today, or
 * tomorrow once past), "tue 14:00" (the next such day, today included while
 * the time is ahead), "today 14:00", "tomorrow 09:30", "2026-12-02 14:00",
 * and "in 2h", "in 90m", "in 1h30m". A time the clock skips (DST) is moved
 * forward by the jump; one it shows twice is its first showing. Anything else,
 * or a moment not after `now`, is refused with one line saying what is taken.
 */
export function parseAtTime(text: string, now: number, timeZone: string): number {
  const written = text.trim().toLowerCase().replace(/\s+/g, ' ');
  const at = relative(written, now) ?? onDate(written, timeZone) ?? onDay(written, now, timeZone);
  if (at === undefined) {
    throw new InvalidRequestError(
      'usage',
      `--at takes a time like "14:00", "tue 14:00", "tomorrow 09:30", "2026-12-02 14:00" or "in 2h"; "${text.trim()}" is none of these`,
    );
  }
  if (at <= now) {
    throw new InvalidRequestError(
      'usage',
      `--at "${text.trim()}" is in the past (it is now ${momentWords(now, now, timeZone)}): give a later time`,
    );
  }
  return at;
}

const UNIT_MS: Record<string, number> = { d: DAY, h: 60 * MINUTE, m: MINUTE, min: MINUTE };

/** "in 2h", "in 90 min", "in 1h 30m": now plus the sum. */
function relative(written: string, now: number): number | undefined {
  const match = /^in ((?:\d+(?:\.\d+)? ?(?:d|h|min|m) ?)+)$/.exec(written);
  if (!match?.[1]) return undefined;
  let total = 0;
  for (const [, amount, unit] of match[1].matchAll(/(\d+(?:\.\d+)?) ?(d|h|min|m)/g)) {
    total += Number(amount) * (UNIT_MS[unit as string] ?? 0);
  }
  return total > 0 ? now + Math.round(total) : undefined;
}

/** "2026-12-02 14:00" on the zone's clock, or with an offset ("2026-12-02T14:00+01:00"). */
function onDate(written: string, timeZone: string): number | undefined {
  const parsed = parseDateTime(written);
  if (!parsed) return undefined;
  return 'instant' in parsed ? parsed.instant : instantOf(parsed.local, timeZone);
}

/** "14:00", "today 14:00", "tomorrow 09:30", "tue 14:00". */
function onDay(written: string, now: number, timeZone: string): number | undefined {
  const [first = '', second, ...rest] = written.split(' ');
  if (rest.length > 0) return undefined;
  const dayWord = second === undefined ? undefined : first;
  const minutes = parseTimeOfDay(second ?? first);
  if (minutes === undefined) return undefined;
  const today = Math.floor(localTime(now, timeZone) / DAY) * DAY;
  const at = (midnight: number) => instantOf(midnight + minutes * MINUTE, timeZone);
  if (dayWord === undefined) return at(today) > now ? at(today) : at(today + DAY);
  if (dayWord === 'today') return at(today);
  if (dayWord === 'tomorrow') return at(today + DAY);
  const weekday = parseWeekday(dayWord);
  if (weekday === undefined) return undefined;
  const daysAhead = (weekday - new Date(today).getUTCDay() + 7) % 7;
  const candidate = at(today + daysAhead * DAY);
  return candidate > now ? candidate : at(today + (daysAhead + 7) * DAY);
}
