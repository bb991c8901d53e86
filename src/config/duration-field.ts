import { z } from 'zod';
import { parseDuration } from '../domain/duration';

const EXPECTED = 'a duration like 30s, 5m or 1h';

/**
 * A duration written `60s`, `15m` or `2h`, as milliseconds; never zero or
 * negative (no timeout, interval or window of nothing makes sense). A bare
 * number (`window: 15`) is refused: minutes or seconds would be a guess.
 */
export const duration = z.string({ error: EXPECTED }).transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: ms === 0 ? `${EXPECTED}, above zero` : EXPECTED });
    return z.NEVER;
  }
  return ms;
});

/** Milliseconds as the configuration would write them: `3m`, `90s`, `500ms`. */
export function writtenDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
