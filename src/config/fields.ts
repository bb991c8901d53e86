import { z } from 'zod';

/**
 * Settings that say what they take, in the configuration's own words. Each
 * builder uses one message for every way its value can be wrong (wrong type,
 * out of range), so a mistake reads as one line: `errorRate: 5` is told
 * "a fraction below 1, e.g. 0.05 for 5 %", never "Too big: expected number
 * to be <1". A missing value is told "required" by config-problems.ts.
 */

/** Bounds of a number; each is exclusive (`above`, `below`) or inclusive (`atLeast`, `atMost`). */
interface Bounds {
  above?: number;
  atLeast?: number;
  below?: number;
  atMost?: number;
  whole?: boolean;
}

/** A number within `bounds`, described to a person by `expected`. */
export function number(expected: string, bounds: Bounds): z.ZodNumber {
  const error = { error: expected };
  let field = z.number(error);
  if (bounds.whole) field = field.int(error);
  if (bounds.above !== undefined) field = field.gt(bounds.above, error);
  if (bounds.atLeast !== undefined) field = field.min(bounds.atLeast, error);
  if (bounds.below !== undefined) field = field.lt(bounds.below, error);
  if (bounds.atMost !== undefined) field = field.max(bounds.atMost, error);
  return field;
}

/** A whole number from `min` (to `max` when given). */
export function wholeNumber(min: number, max?: number): z.ZodNumber {
  return max === undefined
    ? number(`a whole number of ${min} or more`, { whole: true, atLeast: min })
    : number(`a whole number from ${min} to ${max}`, { whole: true, atLeast: min, atMost: max });
}

/** How many times the baseline a signal may grow before it counts: above 1. */
export const factor = number('a factor above 1, e.g. 2 for twice the baseline', { above: 1 });

/** A percentage of CPU or memory. */
export const percent = number('a percentage above 0 and at most 100, e.g. 90', { above: 0, atMost: 100 });

export const flag = z.boolean({ error: 'true or false' });

/** One of a few words, listed in the message. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `one of: ${values.join(', ')}` });
}

/** Text that is not empty. */
export function text(expected: string): z.ZodString {
  return z.string({ error: expected }).min(1, { error: expected });
}

/** Text of the form `pattern`, described by `expected`. */
export function matching(pattern: RegExp, expected: string): z.ZodString {
  return z.string({ error: expected }).regex(pattern, { error: expected });
}

/** A list of at least `min` items, described by `expected` when it is no list or too short. */
export function listOf<T extends z.ZodType>(item: T, expected: string, min = 1): z.ZodArray<T> {
  return z.array(item, { error: expected }).min(min, { error: expected });
}

/** Names of clusters, services, containers, databases, apps and environments. */
export const name = matching(
  /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/,
  'a name of letters, digits, ".", "_" or "-"',
);

/** Slack user (U…/W…) or user group (S…) ids: names change, ids do not. */
export const slackPrincipal = matching(
  /^[UWS][A-Z0-9]{2,}$/,
  'a Slack user id (U…, W…) or user group id (S…), not a name',
);

/**
 * A Slack channel: its id (C…, G…) or its name as written in Slack, without
 * the `#` (which YAML would read as the start of a comment anyway).
 */
export const channel = matching(
  /^(?:[CG][A-Z0-9]{2,}|[a-z0-9][a-z0-9_-]{0,79})$/,
  'a channel name without # (e.g. releases) or a channel id (C…)',
);
