import type { DailySpan, Freeze, Schedule, Weekday } from '../../../../src/domain/schedule/schedule';

/**
 * Schedules for the schedule tests, written out as the domain holds them so
 * that no parser under test builds its own fixtures. Times are "HH:MM".
 */

export const MON_FRI: Weekday[] = [1, 2, 3, 4, 5];
export const FRI: Weekday[] = [5];
export const SAT: Weekday[] = [6];
export const SUN: Weekday[] = [0];

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

export function span(days: Weekday[], from: string, to: string): DailySpan {
  return { days, from: minutes(from), to: minutes(to) };
}

/** A one-off freeze between two ISO instants. */
export function oneOff(from: string, to: string, reason: string, except: Freeze['except'] = []): Freeze {
  return { kind: 'once', from: Date.parse(from), to: Date.parse(to), reason, except };
}

export function weekly(
  days: Weekday[],
  from: string,
  to: string,
  reason: string,
  except: Freeze['except'] = [],
): Freeze {
  return { kind: 'recurring', ...span(days, from, to), reason, except };
}

/** The example: minor on weekdays, major Saturday night, hotfix any time; a holiday and Friday freeze. */
export const BERLIN: Schedule = {
  timeZone: 'Europe/Berlin',
  windows: { minor: [span(MON_FRI, '09:00', '17:00')], major: [span(SAT, '02:00', '06:00')] },
  freezes: [
    // 2026-12-20 00:00 to 2027-01-04 00:00 Europe/Berlin (CET, UTC+1)
    oneOff('2026-12-19T23:00:00Z', '2027-01-03T23:00:00Z', 'holiday freeze'),
    weekly(FRI, '15:00', '24:00', 'no Friday-afternoon deploys', ['hotfix']),
  ],
};

export const iso = (instant: number | undefined) =>
  instant === undefined ? undefined : new Date(instant).toISOString();
