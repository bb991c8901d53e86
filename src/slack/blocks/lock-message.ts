import { FALLBACK_TEXT_MAX, section, type Message } from './block';
import { plainTime, slackTime, who } from './release-format';
import { escapeTruncated, truncateMrkdwn } from './text';

/** A lock of one app and environment: who took it, why and since when. */
export interface AppLock {
  app: string;
  environment: string;
  by: string;
  reason: string;
  at: number;
}

/** The command that lifts a lock, exactly as it is typed. */
export function unlockCommand(app: string, environment: string): string {
  return `/deploy unlock ${app} ${environment}`;
}

const REASON_MAX = 500;

/**
 * `🔒 locked backend/production: <reason> — by <@U1>, since <time>. Unlock
 * with `/deploy unlock backend production`` — one line, the same in the
 * announcement and in `/deploy status`.
 */
export function lockLine(lock: AppLock, when: 'time' | 'datetime' = 'datetime'): string {
  const target = `${escapeTruncated(lock.app, 80)}/${escapeTruncated(lock.environment, 80)}`;
  const command = escapeTruncated(unlockCommand(lock.app, lock.environment).replace(/`/g, "'"), 200);
  return (
    `🔒 locked ${target}: ${escapeTruncated(lock.reason, REASON_MAX)} — by ${who(lock.by)}, ` +
    `since ${slackTime(lock.at, when)}. Unlock with \`${command}\``
  );
}

/**
 * The announcement that an app is locked (after a service rollback): why, by
 * whom, since when, and the command that unlocks it, so that nobody has to
 * guess why the next `/deploy` is refused, nor how to end it.
 */
export function appLockedMessage(lock: AppLock, now: number): Message {
  // Posted as it happens: the time of day is enough, unless the lock is older than a day.
  const when = Number.isFinite(now) && now - lock.at < 86_400_000 ? 'time' : 'datetime';
  const line = `${lockLine(lock, when)} when the cause is understood.`;
  const target = `${escapeTruncated(lock.app, 80)}/${escapeTruncated(lock.environment, 80)}`;
  const text =
    `locked ${target}: ${escapeTruncated(lock.reason, 200)} — by ${who(lock.by)}, since ${plainTime(lock.at, when)}. ` +
    `Unlock with ${escapeTruncated(unlockCommand(lock.app, lock.environment), 200)}`;
  return { text: truncateMrkdwn(text, FALLBACK_TEXT_MAX), blocks: [section(line)] };
}
