/**
 * How a figure moved against the previous period of the same length. Which
 * direction is better depends on the figure: more deployments is better, a
 * longer lead time is worse.
 */
export type Better = 'higher' | 'lower';

export type Trend =
  | { kind: 'up' | 'down'; previous: number; improved: boolean }
  | { kind: 'same'; previous: number }
  /** The previous period had nothing to measure this figure on. */
  | { kind: 'no-previous' };

/**
 * Within 5 % of the previous value counts as the same: a figure made of a few
 * dozen releases moves that much from one release more or less, and "up from
 * 2.0/week" for 2.1/week would report noise as a change.
 */
export const SAME_WITHIN = 0.05;

/** Undefined when there is no current figure to compare. */
export function trendOf(
  current: number | undefined,
  previous: number | undefined,
  better: Better,
): Trend | undefined {
  if (current === undefined) return undefined;
  if (previous === undefined) return { kind: 'no-previous' };
  // The tiny slack keeps 2.1 against 2 (a float difference of 0.10000000000000009) "the same".
  if (Math.abs(current - previous) <= SAME_WITHIN * Math.abs(previous) + 1e-12)
    return { kind: 'same', previous };
  const kind = current > previous ? 'up' : 'down';
  return { kind, previous, improved: (kind === 'up') === (better === 'higher') };
}
