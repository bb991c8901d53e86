import { z } from 'zod';
import { RELEASE_TYPES } from '../domain/release';
import { parseDateTime } from '../domain/schedule/date-time';
import type {
  DailySpan,
  Freeze,
  OneOffFreeze,
  RecurringFreeze,
  Schedule as DomainSchedule,
} from '../domain/schedule/schedule';
import { parseTimeOfDay } from '../domain/schedule/time-of-day';
import { canonicalTimeZone, instantOf } from '../domain/schedule/wall-clock';
import { parseDays } from '../domain/schedule/weekdays';
import { closestName } from './did-you-mean';
import { listOf, oneOf, text } from './fields';

/**
 * An environment's `schedule:`: when each release type may start (windows)
 * and when nothing may (freezes), on the wall clock of one named time zone.
 * Produces src/domain/schedule/schedule.ts's Schedule, one-off freezes
 * already placed on the timeline.
 */

const TIME_ZONE = 'an IANA time zone like Europe/Berlin';
const timeZone = z.string({ error: TIME_ZONE }).transform((name, ctx) => {
  const canonical = canonicalTimeZone(name);
  if (canonical) return canonical;
  const meant = closestName(name, Intl.supportedValuesOf('timeZone'));
  ctx.addIssue({
    code: 'custom',
    message: `${TIME_ZONE}; '${name}' is not one${meant ? ` (did you mean ${meant}?)` : ''}`,
  });
  return z.NEVER;
});

const DAYS = 'days like mon-fri, sat, daily or [mon, wed]';
const days = z
  .union([z.string(), z.array(z.string({ error: DAYS }), { error: DAYS })], { error: DAYS })
  .transform((written, ctx) => {
    const parsed = parseDays(written);
    if ('days' in parsed) return parsed.days;
    ctx.addIssue({ code: 'custom', message: `${DAYS}; ${parsed.problem}` });
    return z.NEVER;
  });

const FROM = 'a time of day like "09:00" (24-hour clock)';
const TO = 'a time of day like "17:00" (24-hour clock), or "24:00" for the end of the day';

function timeOfDay(expected: string, endOfDay: boolean) {
  return z.string({ error: expected }).transform((written, ctx) => {
    const minutes = parseTimeOfDay(written, { endOfDay });
    if (minutes !== undefined) return minutes;
    ctx.addIssue({ code: 'custom', message: expected });
    return z.NEVER;
  });
}

/** A span must last: `to` equal to `from` could mean nothing or all day, so neither is guessed. */
const SAME_TIME = 'the same time as from: a span needs a length (a to before from crosses midnight)';

const windowSchema = z
  .object({ days, from: timeOfDay(FROM, false), to: timeOfDay(TO, true) })
  .strict()
  .check((ctx) => {
    if (ctx.value.from === ctx.value.to) {
      ctx.issues.push({ code: 'custom', input: ctx.value, path: ['to'], message: SAME_TIME });
    }
  });

const windowList = z.array(windowSchema, {
  error: 'a list of windows, each { days: mon-fri, from: "09:00", to: "17:00" }',
});

/** Per release type; a type left out may release at any time. */
const windowsSchema = z
  .object({ hotfix: windowList.optional(), minor: windowList.optional(), major: windowList.optional() })
  .strict() satisfies z.ZodType<Partial<Record<(typeof RELEASE_TYPES)[number], DailySpan[]>>>;

const ONE_OFF = 'a date and time like "2026-12-20 00:00" (in timeZone, or with an offset like +01:00)';
const EITHER = `${ONE_OFF}, or with days: a time of day like "15:00"`;

/** Release types a freeze lets through; `except: []` is the same as leaving it out. */
const exceptTypes = listOf(oneOf(RELEASE_TYPES), `a list of release types: ${RELEASE_TYPES.join(', ')}`, 0);

/** A one-off freeze's edge before the schedule's time zone places it. */
type Edge = { local: number } | { instant: number };
type WrittenFreeze = RecurringFreeze | (Omit<OneOffFreeze, 'from' | 'to'> & { from: Edge; to: Edge });

const freezeSchema = z
  .object({
    /** With days the freeze recurs and from/to are times of day; without, from/to are dates and times. */
    days: days.optional(),
    from: z.string({ error: EITHER }),
    to: z.string({ error: EITHER }),
    reason: text('why, in the words people are told, e.g. holiday freeze'),
    except: exceptTypes.default([]),
  })
  .strict()
  .transform((freeze, ctx): WrittenFreeze => {
    const problem = (path: string, message: string) => {
      ctx.addIssue({ code: 'custom', path: [path], message });
      return z.NEVER;
    };
    const { days: weekdays, reason, except } = freeze;
    if (weekdays) {
      const from = parseTimeOfDay(freeze.from);
      const to = parseTimeOfDay(freeze.to, { endOfDay: true });
      if (from === undefined) return problem('from', `${FROM}, as days makes this freeze recur`);
      if (to === undefined) return problem('to', `${TO}, as days makes this freeze recur`);
      if (from === to) return problem('to', SAME_TIME);
      return { kind: 'recurring', days: weekdays, from, to, reason, except };
    }
    const from = parseDateTime(freeze.from);
    const to = parseDateTime(freeze.to);
    const recurringHint = '; for a weekly freeze, add days, e.g. days: fri';
    if (!from)
      return problem('from', `${ONE_OFF}${parseTimeOfDay(freeze.from) === undefined ? '' : recurringHint}`);
    if (!to)
      return problem('to', `${ONE_OFF}${parseTimeOfDay(freeze.to) === undefined ? '' : recurringHint}`);
    return { kind: 'once', from, to, reason, except };
  });

export const scheduleSchema = z
  .object({
    timeZone,
    windows: windowsSchema.default({}),
    freezes: z.array(freezeSchema, { error: 'a list of freezes, each { from, to, reason }' }).default([]),
  })
  .strict()
  .transform((schedule, ctx): DomainSchedule => {
    const place = (edge: Edge) =>
      'instant' in edge ? edge.instant : instantOf(edge.local, schedule.timeZone);
    const freezes = schedule.freezes.map((freeze, index): Freeze => {
      if (freeze.kind === 'recurring') return freeze;
      const from = place(freeze.from);
      const to = place(freeze.to);
      if (to <= from) {
        ctx.addIssue({
          code: 'custom',
          path: ['freezes', index, 'to'],
          message: 'not after from: a freeze ends after it starts',
        });
      }
      return { ...freeze, from, to };
    });
    return { timeZone: schedule.timeZone, windows: schedule.windows, freezes };
  });

export type Schedule = z.output<typeof scheduleSchema>;
