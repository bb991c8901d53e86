import type { ReleaseType } from '../release';
import { spanIntervals } from './daily-spans';
import type { Interval } from './intervals';
import type { DailySpan, Schedule } from './schedule';
import { formatTimeOfDay } from './time-of-day';
import { describeDays } from './weekdays';

/**
 * Release windows: when a release of one type may start. A type the schedule
 * does not list is unrestricted (hotfixes, usually); a type listed with no
 * windows never may.
 */

/** The instants in [from, to) at which a release of `type` is inside its windows. */
export function windowIntervals(schedule: Schedule, type: ReleaseType, from: number, to: number): Interval[] {
  const windows = schedule.windows[type];
  if (windows === undefined) return to > from ? [{ start: from, end: to }] : [];
  return spanIntervals(windows, from, to, schedule.timeZone);
}

/** Whether the schedule lists `type` with no windows at all, so it may never release. */
export function hasNoWindow(schedule: Schedule, type: ReleaseType): boolean {
  return schedule.windows[type]?.length === 0;
}

/**
 * What the schedule says about `type`, for a refusal: "minor releases to
 * production run Mon–Fri 09:00–17:00 Europe/Berlin".
 */
export function windowRuleWords(schedule: Schedule, type: ReleaseType, environment: string): string {
  const windows = schedule.windows[type];
  const who = `${type} releases to ${environment}`;
  if (windows === undefined) return `${who} may run at any time`;
  if (windows.length === 0) return `${who} have no window: none is configured`;
  return `${who} run ${windows.map(spanWords).join(' and ')} ${schedule.timeZone}`;
}

/** "Mon–Fri 09:00–17:00", "Sat 22:00–02:00 (into the next day)". */
export function spanWords(span: DailySpan): string {
  const overnight = span.to <= span.from && span.to > 0 ? ' (into the next day)' : '';
  return `${describeDays(span.days)} ${formatTimeOfDay(span.from)}–${formatTimeOfDay(span.to)}${overnight}`;
}
