import type { Weekday } from './schedule';

/**
 * Days of the week as people write them in a schedule (`mon-fri`, `sat`,
 * `[mon, wed]`, `daily`) and as deploybot writes them back ("Mon–Fri").
 */

export const WEEKDAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const FULL_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const EVERY_DAY: Weekday[] = [0, 1, 2, 3, 4, 5, 6];
/** Mon first, as a working week is read. */
const WEEK_ORDER: Weekday[] = [1, 2, 3, 4, 5, 6, 0];

/** `mon`, `Monday` → 1; undefined for anything else. */
export function parseWeekday(word: string): Weekday | undefined {
  const lower = word.trim().toLowerCase();
  const index = FULL_NAMES.findIndex((name) => name === lower || name.slice(0, 3) === lower);
  return index < 0 ? undefined : (index as Weekday);
}

/**
 * The days `written` names: `daily`, one day, a range (`mon-fri`, or `fri-mon`
 * across the weekend), or a list of those. Sorted Sun first; a problem in
 * words for anything else.
 */
export function parseDays(written: string | readonly string[]): { days: Weekday[] } | { problem: string } {
  const items = typeof written === 'string' ? [written] : written;
  if (items.length === 0) return { problem: 'no days listed' };
  const days = new Set<Weekday>();
  for (const item of items) {
    const found = daysOf(item);
    if ('problem' in found) return found;
    for (const day of found.days) days.add(day);
  }
  return { days: [...days].sort((a, b) => a - b) };
}

function daysOf(item: string): { days: Weekday[] } | { problem: string } {
  const text = item.trim().toLowerCase();
  if (text === 'daily') return { days: [...EVERY_DAY] };
  const ends = text.split('-');
  if (ends.length > 2) return { problem: `'${item}' is not a day or a range of days` };
  const parsed = ends.map(parseWeekday);
  const unknown = ends.find((_, i) => parsed[i] === undefined);
  if (unknown !== undefined) return { problem: `'${unknown.trim()}' is not a day` };
  const [first, last = first] = parsed as Weekday[];
  if (first === undefined || last === undefined) return { problem: `'${item}' is not a day` };
  const days: Weekday[] = [first];
  for (let day = first; day !== last;) {
    day = ((day + 1) % 7) as Weekday;
    days.push(day);
  }
  return { days };
}

/** "daily", "Mon–Fri", "Sat", "Mon, Wed", "Mon–Wed, Fri": runs of three or more days as ranges. */
export function describeDays(days: readonly Weekday[]): string {
  if (EVERY_DAY.every((day) => days.includes(day))) return 'daily';
  const runs: Weekday[][] = [];
  for (const day of WEEK_ORDER) {
    if (!days.includes(day)) continue;
    const run = runs[runs.length - 1];
    const previous = run?.[run.length - 1];
    if (run && previous !== undefined && WEEK_ORDER.indexOf(previous) === WEEK_ORDER.indexOf(day) - 1) {
      run.push(day);
    } else runs.push([day]);
  }
  return runs
    .flatMap((run) => {
      const names = run.map((day) => WEEKDAY_NAMES[day]);
      return names.length >= 3 ? [`${names[0]}–${names[names.length - 1]}`] : names;
    })
    .join(', ');
}
