import { momentWords } from './moment-words';
import { HOUR, MINUTE } from './wall-clock';

/**
 * When a refused release could start, in the requester's terms: "next window:
 * Tue 14:00 Europe/Berlin, in 2 h 10 min".
 */
export function nextAllowedWords(nextAllowedAt: number | undefined, now: number, timeZone: string): string {
  if (nextAllowedAt === undefined) return 'no window for this type is configured';
  return `next window: ${momentWords(nextAllowedAt, now, timeZone)}, ${inWords(nextAllowedAt - now)}`;
}

/**
 * "in 45 min", "in 2 h 10 min", "in 3 days". Rounded up to the minute, so a
 * release tried at the time said is never early; two days and more in whole
 * days, as the moment itself says the hour.
 */
export function inWords(ms: number): string {
  if (ms <= 0) return 'now';
  const minutes = Math.ceil(ms / MINUTE);
  if (minutes < 60) return `in ${minutes} min`;
  if (minutes < (48 * HOUR) / MINUTE) {
    const rest = minutes % 60;
    return `in ${Math.floor(minutes / 60)} h${rest ? ` ${rest} min` : ''}`;
  }
  return `in ${Math.floor(minutes / (24 * 60))} days`;
}
