import type { EnvironmentConfig } from '../config/schema';
import { OutOfScheduleError } from '../domain/errors';
import type { ReleaseType } from '../domain/release';
import { judgeSchedule, nextAllowedWords } from '../domain/schedule/schedule-verdict';

/** What the schedule allows for one release: go ahead, or go ahead as a recorded override. */
export type ScheduleGate = { overrode?: string };

/**
 * The environment's schedule applied to a release of `type` now. Allowed:
 * nothing to record. Refused without an override: OutOfScheduleError with the
 * rule and the next allowed time. Refused with an override (break-glass; the
 * front end has checked who may): allowed, and the rule it overrode is returned
 * so the release carries it.
 */
export function scheduleGate(
  target: { app: string; environment: string; config: Pick<EnvironmentConfig, 'schedule'> },
  type: ReleaseType,
  now: number,
  override?: string,
): ScheduleGate {
  const schedule = target.config.schedule;
  const verdict = judgeSchedule(schedule, type, now, target.environment);
  if (verdict.allowed) return {};
  if (override !== undefined) return { overrode: verdict.rule };
  const where = `${target.app}/${target.environment}`;
  const next = nextAllowedWords(verdict.nextAllowedAt, now, schedule?.timeZone ?? 'UTC');
  throw new OutOfScheduleError(
    `${where} does not take ${type} releases now: ${verdict.rule}; ${next}`,
    { app: target.app, environment: target.environment },
    verdict.nextAllowedAt,
  );
}
