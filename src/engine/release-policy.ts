import type { EnvironmentConfig } from '../config/schema';
import { OutOfScheduleError } from '../domain/errors';
import type { Release, ReleaseType } from '../domain/release';
import type { Logger } from '../logging/logger';
import type { AuditLog } from '../ports/audit-log';
import type { Clock } from '../ports/clock';
import type { ReleaseChat } from '../ports/release-chat';
import type { ReleaseStore } from '../ports/release-store';
import { appendAudit } from './audit-trail';
import { bestEffort } from './best-effort';
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

/**
 * A break-glass release, once its message is posted: the audit log records
 * who overrode which rule and why, and the thread and channel are told (the
 * message itself carries the banner). Nothing for a release within policy.
 */
export async function recordOverride(
  deps: { audit: AuditLog; clock: Clock; store: ReleaseStore; chat: ReleaseChat; logger: Logger },
  release: Release,
): Promise<void> {
  const override = release.override;
  if (!override) return;
  await appendAudit(deps, {
    actor: override.by,
    action: 'release.override',
    app: release.app,
    environment: release.environment,
    releaseId: release.id,
    detail: `${override.overrode} — reason: ${override.reason}`,
  });
  // The stored copy knows where its message is, so the notice lands in its thread.
  const posted = (await deps.store.get(release.id)) ?? release;
  await bestEffort(deps.logger, 'chat override', () => deps.chat.policyOverridden(posted));
}
