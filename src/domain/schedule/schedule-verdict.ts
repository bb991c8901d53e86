import type { ReleaseType } from '../release';
import { freezeAt } from './freezes';
import { momentWords } from './moment-words';
import { nextAllowedAt } from './next-allowed';
import type { Schedule } from './schedule';
import { hasNoWindow, windowRuleWords } from './windows';

// What a front end needs besides the verdict, from the one module it imports.
export { activeFreeze } from './freezes';
export { nextAllowedWords } from './next-allowed-words';

/**
 * Whether a release of one type may start now, by the environment's schedule;
 * if not, which rule refuses it, in words, and when it could start instead.
 */
export type ScheduleVerdict =
  | { allowed: true }
  | {
      allowed: false;
      kind: 'window' | 'freeze';
      /** What the policy says: "minor releases to production run Mon–Fri 09:00–17:00 Europe/Berlin". */
      rule: string;
      /** The earliest moment a release of this type may start (epoch ms); undefined when never. */
      nextAllowedAt?: number;
    };

/**
 * Judges a release of `type` to `environment` starting at `now`. No schedule:
 * always allowed. A freeze is named before the window, as the deliberate,
 * specific reason — except for a type that has no window at all, which no
 * thaw would let through.
 */
export function judgeSchedule(
  schedule: Schedule | undefined,
  type: ReleaseType,
  now: number,
  environment: string,
): ScheduleVerdict {
  if (!schedule) return { allowed: true };
  const next = nextAllowedAt(schedule, type, now);
  if (next === now) return { allowed: true };
  const refusal = { allowed: false as const, ...(next === undefined ? {} : { nextAllowedAt: next }) };
  const freeze = hasNoWindow(schedule, type) ? undefined : freezeAt(schedule, now, type);
  if (freeze) {
    const until = momentWords(freeze.until, now, schedule.timeZone);
    return { ...refusal, kind: 'freeze', rule: `freeze: ${freeze.reason} (until ${until})` };
  }
  return { ...refusal, kind: 'window', rule: windowRuleWords(schedule, type, environment) };
}
