import type { ReleaseType } from '../release';

/**
 * When an environment takes releases: windows per release type and freezes,
 * all read on the wall clock of one IANA time zone. The configuration
 * (src/config/schedule-schema.ts) produces exactly this shape.
 */
export interface Schedule {
  /** An IANA name as Intl spells it, e.g. Europe/Berlin. */
  timeZone: string;
  /**
   * A type that is not listed may release at any time (hotfixes usually); a
   * type listed with no windows may never release here.
   */
  windows: Partial<Record<ReleaseType, DailySpan[]>>;
  freezes: Freeze[];
}

/** Day of the week as Date#getUTCDay numbers it: 0 is Sunday, 6 is Saturday. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/**
 * A span of wall-clock time on some days of the week. A moment lies inside it
 * when the clock there reads a time in [from, to) on one of `days`, so a DST
 * jump makes it shorter or longer in real time, never moves its edges.
 * `to <= from` crosses midnight: the span starts on a listed day and ends the
 * next morning.
 */
export interface DailySpan {
  days: Weekday[];
  /** Minutes after midnight, 0 to 1439. */
  from: number;
  /** Minutes after midnight, 1 to 1440 (24:00, the end of the day); never equal to `from`. */
  to: number;
}

interface FreezeCommon {
  reason: string;
  /** Release types this freeze does not stop, e.g. hotfix. */
  except: ReleaseType[];
}

/** A freeze for one period, its edges resolved to instants (epoch ms); `from` inclusive, `to` exclusive. */
export interface OneOffFreeze extends FreezeCommon {
  kind: 'once';
  from: number;
  to: number;
}

/** A freeze that comes back every week, e.g. Fridays from 15:00. */
export interface RecurringFreeze extends FreezeCommon, DailySpan {
  kind: 'recurring';
}

export type Freeze = OneOffFreeze | RecurringFreeze;

/** Whether `freeze` stops releases of `type`. */
export function freezeStops(freeze: Freeze, type: ReleaseType): boolean {
  return !freeze.except.includes(type);
}
