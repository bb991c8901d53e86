import type { ReleaseType } from '../release';
import { stoppingIntervals } from './freezes';
import { without } from './intervals';
import type { Schedule } from './schedule';
import { DAY } from './wall-clock';
import { windowIntervals } from './windows';

/** How far ahead a window is looked for before a type is said to have none. */
export const SEARCH_HORIZON = 400 * DAY;
/** Read a week at a time: most answers lie within days, and each week costs a few dozen Intl calls. */
const CHUNK = 7 * DAY;

/**
 * The earliest instant at or after `from` at which a release of `type` may
 * start: inside one of its windows and outside every freeze that stops it.
 * Undefined when there is none within SEARCH_HORIZON (a type listed with no
 * windows, or freezes covering all of its windows).
 */
export function nextAllowedAt(schedule: Schedule, type: ReleaseType, from: number): number | undefined {
  const horizon = from + SEARCH_HORIZON;
  for (let start = from; start < horizon; start += CHUNK) {
    const end = Math.min(start + CHUNK, horizon);
    const open = without(
      windowIntervals(schedule, type, start, end),
      stoppingIntervals(schedule, type, start, end),
    );
    const first = open[0];
    if (first) return first.start;
  }
  return undefined;
}
