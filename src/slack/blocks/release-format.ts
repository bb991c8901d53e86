import { mention } from '../../domain/authorization';
import { formatDuration } from '../../domain/duration';
import { expiryText } from '../../domain/reconcile';
import type { Release, ReleaseState, StepRecord, StepState } from '../../domain/release';
import { codeBlock, escapeMrkdwn, escapeTruncated, truncate } from './text';

/** How a release's pieces look in chat, shared by the release message, its thread and replies. */

export const STEP_EMOJI: Record<StepState, string> = {
  succeeded: '✅',
  running: '⏳',
  waiting: '⏳',
  pending: '⬜',
  failed: '❌',
  skipped: '➖',
};

export const RELEASE_EMOJI: Record<ReleaseState, string> = {
  awaiting_start: '📋',
  running: '⏳',
  succeeded: '✅',
  failed: '❌',
  cancelled: '🚫',
  rolled_back: '↩️',
};

export const STATE_WORDS: Record<ReleaseState, string> = {
  awaiting_start: 'awaiting start',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  rolled_back: 'rolled back',
};

/** Longest piece of user text inside one line of a list (summaries, notes, reasons). */
export const LINE_TEXT_MAX = 300;

const SLACK_ID = /^[UWS][A-Z0-9]{2,}$/;

/** A mention for a Slack id, or the escaped name for anything else (`cli:alice`). */
export function who(principal: string): string {
  return SLACK_ID.test(principal) ? mention(principal) : escapeTruncated(principal, 80);
}

/**
 * Shrinks the longest of `parts` until they fit in `budget` code units together,
 * so that a 255-character app name cannot push the version and environment out
 * of a header.
 */
export function fitParts(parts: readonly string[], budget: number): string[] {
  const out = [...parts];
  for (let guard = 0; guard < 1000; guard += 1) {
    const total = out.reduce((n, p) => n + p.length, 0);
    if (total <= budget) break;
    let longest = 0;
    out.forEach((p, i) => {
      if (p.length > (out[longest] as string).length) longest = i;
    });
    const part = out[longest] as string;
    out[longest] = truncate(part, Math.max(1, part.length - (total - budget)));
    if ((out[longest] as string).length >= part.length) break;
  }
  return out;
}

/** `backend v1.2.0 → production` as plain text within `max` code units. */
export function titlePlain(release: Release, max: number, prefix = ''): string {
  const around = prefix.length + ' '.length + ' → '.length;
  const [app, version, env] = fitParts([release.app, release.version, release.environment], max - around);
  return `${prefix}${app} ${version} → ${env}`;
}

/** `*backend* `v1.2.0` → *production*` as escaped mrkdwn; each name bounded. */
export function titleMrkdwn(release: Release): string {
  return `*${escapeTruncated(release.app, 80)}* \`${escapeTruncated(release.version, 60)}\` → *${escapeTruncated(release.environment, 80)}*`;
}

/** `4m 12s` between two instants, or '' when either is unknown. */
export function took(from: number | undefined, to: number | undefined): string {
  if (from === undefined || to === undefined || !Number.isFinite(from) || !Number.isFinite(to)) return '';
  return formatDuration(Math.max(0, to - from));
}

export function stepDuration(step: StepRecord, now: number): string {
  return step.startedAt === undefined ? '' : took(step.startedAt, step.finishedAt ?? now);
}

/** What a step found, is doing, or why it did not run: escaped, one line. */
export function stepNote(step: StepRecord): string {
  const oneLine = (text: string) => escapeTruncated(text.replace(/\s*\n\s*/g, ' '), LINE_TEXT_MAX);
  switch (step.state) {
    case 'skipped':
      return oneLine(`skipped: ${step.reason ?? 'not needed'}`);
    case 'pending':
      return '';
    case 'failed':
      return step.error
        ? `\`${escapeTruncated(step.error.code, 60)}\` ${oneLine(step.error.message)}`
        : 'failed';
    case 'succeeded':
      return step.summary ? oneLine(step.summary) : '';
    default: {
      const note = step.progress.note;
      return typeof note === 'string' && note !== '' ? oneLine(note) : step.state;
    }
  }
}

/** `✅ *preflight*  42s — 7 checks passed` */
export function stepLine(step: StepRecord, now: number): string {
  const duration = stepDuration(step, now);
  const note = stepNote(step);
  return `${STEP_EMOJI[step.state] ?? '•'} *${escapeMrkdwn(step.name)}*${duration ? `  ${duration}` : ''}${note ? ` — ${note}` : ''}`;
}

/** The step a release is at: the first one running, waiting or failed, else the next pending one. */
export function currentStep(release: Release): StepRecord | undefined {
  return (
    release.steps.find((s) => s.state === 'running' || s.state === 'waiting' || s.state === 'failed') ??
    release.steps.find((s) => s.state === 'pending')
  );
}

/** `17:20:05 UTC` (or `—` for a clock reading that is not a time). */
export function clockTime(now: number): string {
  const date = new Date(now);
  return Number.isNaN(date.getTime()) ? '—' : `${date.toISOString().slice(11, 19)} UTC`;
}

/** `2026-11-27 17:13 UTC` */
export function dateTime(at: number): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? '—' : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A release id as inline code (ids are ours, but a stored one is still escaped). */
export function releaseId(release: Release): string {
  return `\`${escapeTruncated(release.id.replace(/`/g, "'"), 60)}\``;
}

const FAILURE_MAX = 2000;

/** ` at *migrate*: `MIGRATION_FAILED`` — where and how a release failed, for a headline. */
export function failureWhere(release: Release): string {
  const failure = release.failure;
  if (!failure) return '';
  const where = failure.step ? ` at *${escapeMrkdwn(failure.step)}*` : '';
  return `${where}: \`${escapeTruncated(failure.code, 80)}\``;
}

/** A failure's message as a code block (its start kept: an error says what went wrong first). */
export function failureMessage(release: Release): string | undefined {
  const message = release.failure?.message;
  return message && message.trim() !== '' ? codeBlock([message], FAILURE_MAX, 'first') : undefined;
}

function capitalizeFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** How a finished release ended (undefined while it still runs). */
export function outcomeText(release: Release, now: number): string | undefined {
  switch (release.state) {
    case 'succeeded': {
      const duration = took(release.startedAt ?? release.createdAt, release.endedAt ?? now);
      return `✅ *Released${duration ? ` in ${duration}` : ''}*`;
    }
    case 'cancelled':
      if (release.expired) return `🚫 *${capitalizeFirst(expiryText(release.expired.afterMs))}*`;
      return `🚫 *Cancelled${release.cancelledBy ? ` by ${who(release.cancelledBy)}` : ''}*`;
    case 'rolled_back':
      return `↩️ *Rolled back${release.cancelledBy ? `: approved by ${who(release.cancelledBy)}` : ''}*${release.rolledBackBy ? ` (rollback \`${release.rolledBackBy}\`)` : ''}`;
    case 'failed': {
      const message = failureMessage(release);
      return `❌ *Failed*${failureWhere(release)}${message ? `\n${message}` : ''}`;
    }
    default:
      return undefined;
  }
}
