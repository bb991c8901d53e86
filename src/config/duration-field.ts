import { z } from 'zod';
import { parseDuration } from '../domain/duration';

/** A duration written `60s`, `15m` or `2h`, as milliseconds. */
export const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like 60s, 15m or 2h, got "${text}"` });
    return z.NEVER;
  }
  return ms;
});
