import { formatTimeOfDay } from './time-of-day';
import { DAY, MINUTE, localTime } from './wall-clock';
import { WEEKDAY_NAMES } from './weekdays';

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A moment as the people of `timeZone` read it off their clocks, as briefly as
 * is still unambiguous from `now`: "Tue 14:00 Europe/Berlin" within the coming
 * week, "Mon 4 Jan 00:00 Europe/Berlin" further on, with the year when it is
 * half a year or more away.
 */
export function momentWords(instant: number, now: number, timeZone: string): string {
  const local = localTime(instant, timeZone);
  const date = new Date(local);
  const daysAhead = Math.floor(local / DAY) - Math.floor(localTime(now, timeZone) / DAY);
  const weekday = WEEKDAY_NAMES[date.getUTCDay()];
  const time = formatTimeOfDay(Math.floor((local - Math.floor(local / DAY) * DAY) / MINUTE));
  if (daysAhead >= 0 && daysAhead < 7) return `${weekday} ${time} ${timeZone}`;
  const year = Math.abs(daysAhead) >= 180 ? ` ${date.getUTCFullYear()}` : '';
  return `${weekday} ${date.getUTCDate()} ${MONTH_NAMES[date.getUTCMonth()]}${year} ${time} ${timeZone}`;
}
