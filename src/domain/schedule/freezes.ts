import { RELEASE_TYPES, type ReleaseType } from '../release';
import { spanIntervals } from './daily-spans';
import { intervalHolding, merged, type Interval } from './intervals';
import { freezeStops, type Freeze, type Schedule } from './schedule';
import { DAY } from './wall-clock';

/**
 * Freezes: periods in which no release starts, one-off (a holiday) or
 * recurring (Fridays from 15:00), each with the reason people are told.
 * `from` is inclusive, `to` exclusive: a freeze until 00:00 lets a release
 * start at 00:00.
 */

/** How far ahead an end is looked for; a freeze longer than this is told as lasting until then. */
export const FREEZE_HORIZON = 400 * DAY;
const CHUNK = 7 * DAY;

/** The instants in [from, to) that `freeze` covers. */
export function freezeIntervals(freeze: Freeze, from: number, to: number, timeZone: string): Interval[] {
  if (freeze.kind === 'recurring') return spanIntervals([freeze], from, to, timeZone);
  const start = Math.max(from, freeze.from);
  const end = Math.min(to, freeze.to);
  return end > start ? [{ start, end }] : [];
}

/** The instants in [from, to) at which some freeze stops releases of `type`. */
export function stoppingIntervals(
  schedule: Schedule,
  type: ReleaseType,
  from: number,
  to: number,
): Interval[] {
  const stopping = schedule.freezes.filter((freeze) => freezeStops(freeze, type));
  return merged(stopping.flatMap((freeze) => freezeIntervals(freeze, from, to, schedule.timeZone)));
}

export interface FreezeNow {
  reason: string;
  /** When releases may start again as far as freezes go: one freeze running into another counts as one. */
  until: number;
}

/**
 * The freeze that stops releases of `type` at `instant` (of any type when
 * `type` is undefined), or undefined. Of several, the reason told is that of
 * the one lasting longest.
 */
export function freezeAt(schedule: Schedule, instant: number, type?: ReleaseType): FreezeNow | undefined {
  const stops = (freeze: Freeze) =>
    type === undefined ? RELEASE_TYPES.some((t) => freezeStops(freeze, t)) : freezeStops(freeze, type);
  const active = schedule.freezes
    .filter(stops)
    .map((freeze) => ({
      freeze,
      end: endOfRun(instant, (from, to) => freezeIntervals(freeze, from, to, schedule.timeZone)),
    }))
    .filter(({ end }) => end > instant);
  const longest = active.reduce<(typeof active)[number] | undefined>(
    (best, candidate) => (!best || candidate.end > best.end ? candidate : best),
    undefined,
  );
  if (!longest) return undefined;
  const until = endOfRun(instant, (from, to) =>
    merged(
      schedule.freezes
        .filter(stops)
        .flatMap((freeze) => freezeIntervals(freeze, from, to, schedule.timeZone)),
    ),
  );
  return { reason: longest.freeze.reason, until };
}

/**
 * The freeze in force at `now` for any release type, for the team's view:
 * its reason and when it lifts. Undefined when nothing is frozen.
 */
export function activeFreeze(schedule: Schedule | undefined, now: number): FreezeNow | undefined {
  return schedule ? freezeAt(schedule, now) : undefined;
}

/**
 * Where the interval holding `instant` ends, reading `intervalsIn` a week at a
 * time; `instant` itself when none holds it, the horizon when it outlasts it.
 */
function endOfRun(instant: number, intervalsIn: (from: number, to: number) => Interval[]): number {
  const horizon = instant + FREEZE_HORIZON;
  for (let from = instant; from < horizon; from += CHUNK) {
    const to = Math.min(from + CHUNK, horizon);
    const holding = intervalHolding(intervalsIn(from, to), from);
    if (!holding) return from;
    if (holding.end < to) return holding.end;
  }
  return horizon;
}
