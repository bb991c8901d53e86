import type { ItemStatus } from '../../domain/checklist';
import { ordinal, type QueueSlot } from '../../domain/deploy-queue';
import { shortTaskDefinition } from '../../domain/image';
import { expiryText } from '../../domain/reconcile';
import { releaseKind, type Release } from '../../domain/release';
import { SHOWN_EMOJI, SHOWN_WORDS, shownState, type ShownState } from '../../domain/release-status';
import { FALLBACK_TEXT_MAX } from './block';
import {
  STEP_WORDS,
  currentStep,
  slackTime,
  errorWords,
  failureMessage,
  failureOnStepLine,
  shownLabel,
  stepDuration,
  stepNote,
  titleMrkdwn,
  took,
  who,
} from './release-format';
import { escapeMrkdwn, escapeTruncated, truncateMrkdwn } from './text';

/**
 * The one source of what every message says a release is doing: the state
 * words of the release message, the rollback message, thread posts and status
 * lines, and the notification `text` of each. Built from the stored release and
 * its `related` one: for a reverted release its rollback, for a rollback the
 * release it reverted (only the former changes what is shown).
 *
 * Everything returned is mrkdwn-safe: user text escaped, people as mentions.
 */

/** What the release is doing as people should read it. */
export function shownOf(release: Release, related?: Release): ShownState {
  return shownState(release, release.rolledBackBy !== undefined ? related : undefined);
}

/** `Rollback`, `Migration rollback`, `Snapshot restore`; undefined for a release. */
export function rollbackKind(release: Release): string | undefined {
  if (!release.rollbackOf) return undefined;
  const kind = releaseKind(release);
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}

/** `*backend* `v1.2.0` → *production*`, or `Rollback of *backend* …`: escaped mrkdwn. */
export function subjectMrkdwn(release: Release): string {
  const kind = rollbackKind(release);
  return kind ? `${kind} of ${titleMrkdwn(release)}` : titleMrkdwn(release);
}

/** `backend v1.2.0 → production`, or `Rollback of backend v1.3.0-bad → production`: escaped, plain. */
export function subjectText(release: Release): string {
  const kind = rollbackKind(release);
  const title = `${escapeTruncated(release.app, 80)} ${escapeTruncated(release.version, 60)} → ${escapeTruncated(release.environment, 80)}`;
  return kind ? `${kind} of ${title}` : title;
}

/** What a finished rollback changed, in words: `backend-service back on backend:8`. */
export function rollbackResult(rollback: Release): string {
  const database = rollback.rollbackOf?.database;
  if (database?.action === 'restore') {
    return `snapshot restored into ${escapeTruncated(database.restoreInto ?? 'a new database', 80)}`;
  }
  if (database) {
    const summary = rollback.steps.find((s) => s.name === 'migrate_down')?.summary;
    return summary ? escapeTruncated(summary, 200) : 'migration rolled back';
  }
  const services = Object.entries(rollback.facts.targetTaskDefinitions);
  const shown = services
    .slice(0, 5)
    .map(
      ([service, td]) =>
        `${escapeTruncated(service, 80)} back on ${escapeTruncated(shortTaskDefinition(td), 120)}`,
    );
  const more = services.length > 5 ? ` and ${services.length - 5} more services` : '';
  return shown.length > 0 ? `${shown.join(', ')}${more}` : 'services back on their previous revisions';
}

/** Who approved the rollback that replaced `release`, when known. */
function approverOf(release: Release, rollback?: Release): string | undefined {
  return rollback?.startedBy ?? rollback?.proposal?.approvedBy?.by ?? release.cancelledBy;
}

/** `failed at preflight — image v1.2.0 not found` (the error's words, never its code). */
function failedPhrase(release: Release): string {
  const failure = release.failure;
  const at = failure?.step ? ` at ${escapeMrkdwn(failure.step)}` : '';
  const words = errorWords(failure?.message);
  return `failed${at}${words ? ` — ${words}` : ''}`;
}

function duration(release: Release, now: number): string {
  return took(release.startedAt ?? release.createdAt, release.endedAt ?? now);
}

/** How the reverted release's rollback is going: `rollback r… approved by <@U1>`, `rollback r… failed at deploy — …`. */
function rollbackProgress(release: Release, rollback: Release | undefined, now: number): string {
  const id = escapeTruncated(release.rolledBackBy ?? '', 60);
  const approver = approverOf(release, rollback);
  if (!rollback) return `rollback ${id}${approver ? ` approved by ${who(approver)}` : ''}`;
  switch (rollback.state) {
    case 'succeeded': {
      const d = duration(rollback, now);
      return `rollback ${id} finished${d ? ` in ${d}` : ''}: ${rollbackResult(rollback)}`;
    }
    case 'failed':
      return `rollback ${id} ${failedPhrase(rollback)}`;
    case 'cancelled':
      return `rollback ${id} cancelled${rollback.cancelledBy ? ` by ${who(rollback.cancelledBy)}` : ''}`;
    default: {
      const step = rollback.state === 'running' ? currentStep(rollback) : undefined;
      return `rollback ${id}${approver ? ` approved by ${who(approver)}` : ''}${step ? `, at ${escapeMrkdwn(step.name)}` : ''}`;
    }
  }
}

/** `deploy waiting — backend-service: 1/2 tasks on backend:43`: where a running release is. */
function runningPhrase(release: Release, now: number): string {
  const claimed = release.state === 'awaiting_start' ? release.proposal?.approvedBy : undefined;
  if (claimed) return `approved by ${who(claimed.by)}, starting`;
  const step = currentStep(release);
  const note = step ? stepNote(step) : '';
  const since = step ? stepDuration(step, now) : '';
  const at = step
    ? `: ${escapeMrkdwn(step.name)} ${STEP_WORDS[step.state]}${since ? ` ${since}` : ''}${note ? ` — ${note}` : ''}`
    : '';
  const approved = release.rollbackOf && release.startedBy ? ` (approved by ${who(release.startedBy)})` : '';
  return `running${approved}${at}`;
}

/**
 * What the release is doing, after its subject: `rolling back (rollback r…
 * approved by <@U1>)`, `awaiting approval`, `failed at preflight — …`. The
 * checklist, when given, counts the ticks of a release awaiting its start.
 */
export function statusPhrase(
  release: Release,
  related: Release | undefined,
  now: number,
  checklist?: readonly ItemStatus[],
): string {
  const shown = shownOf(release, related);
  const rollback = release.rolledBackBy !== undefined ? related : undefined;
  switch (shown) {
    case 'awaiting_start': {
      const counts = checklist ? requiredCount(checklist) : undefined;
      return counts && counts.required > 0
        ? `awaiting start (checklist ${counts.done}/${counts.required} required ticked)`
        : 'awaiting start';
    }
    case 'queued':
      return queuedPhrase(release);
    case 'awaiting_confirmation': {
      const first = release.rollbackOf?.database?.confirmedBy;
      return `awaiting second confirmation${first ? ` (first by ${who(first.by)})` : ''}`;
    }
    case 'running': {
      // facts.rollbackProposal is the proposal's id; its reason is in the proposal's own message.
      const proposed = !release.rollbackOf && release.facts.rollbackProposal ? '; rollback proposed' : '';
      return `${runningPhrase(release, now)}${proposed}`;
    }
    case 'succeeded': {
      const d = duration(release, now);
      return release.rollbackOf
        ? `finished${d ? ` in ${d}` : ''}: ${rollbackResult(release)}`
        : `succeeded${d ? ` in ${d}` : ''}`;
    }
    case 'failed':
      return failedPhrase(release);
    case 'cancelled':
      return cancelledPhrase(release);
    case 'superseded':
    case 'withdrawn':
    case 'expired':
      return escapeTruncated(release.proposal?.closed?.text ?? SHOWN_WORDS[shown], 300);
    case 'rolling_back':
    case 'rolled_back':
    case 'rollback_failed':
      return `${SHOWN_WORDS[shown]} (${rollbackProgress(release, rollback, now)})`;
    default:
      return SHOWN_WORDS[shown];
  }
}

/**
 * A queued release's place in words (mrkdwn): `queued: 2nd behind `r…` (v1.2.0)`,
 * or, without a place at hand or while it is scheduled, why it waits:
 * `queued: scheduled for Tue 14:00 Europe/Berlin`.
 */
export function queuedPhrase(release: Release, slot?: QueueSlot): string {
  if (slot && slot.scheduledFor === undefined) {
    const behind = slot.ahead
      ? ` behind \`${escapeTruncated(slot.ahead.id, 60)}\` (${escapeTruncated(slot.ahead.version, 60)})`
      : '';
    return `queued: ${ordinal(slot.position)}${behind}`;
  }
  const why = release.queue?.why;
  if (why) return `queued: ${escapeTruncated(why, 300)}`;
  if (slot?.scheduledFor !== undefined) return `queued: scheduled for ${slackTime(slot.scheduledFor, 'datetime')}`;
  return 'queued';
}

function cancelledPhrase(release: Release): string {
  if (release.expired) return escapeMrkdwn(expiryText(release.expired.afterMs));
  const by = release.cancelledBy ? ` by ${who(release.cancelledBy)}` : '';
  // A proposal turned down before it started was declined, not cancelled mid-way.
  if (release.rollbackOf && !release.startedBy) return `declined${by}`;
  return `cancelled${by}`;
}

/**
 * The notification text (what notifications, screen readers and clients
 * without blocks get): `backend v1.3.0-bad → production: rolling back
 * (rollback r… approved by <@U1>)`. Mentions stay mentions; times, if any,
 * are plain UTC, since Slack does not format date tokens there.
 */
export function notificationText(
  release: Release,
  related: Release | undefined,
  now: number,
  checklist?: readonly ItemStatus[],
): string {
  const text = `${subjectText(release)}: ${statusPhrase(release, related, now, checklist)}`;
  return truncateMrkdwn(text.replace(/\s+/g, ' '), FALLBACK_TEXT_MAX);
}

export function requiredCount(checklist: readonly ItemStatus[]): { done: number; required: number } {
  const required = checklist.filter((s) => s.required && s.state !== 'not-applicable');
  return { done: required.filter((s) => s.state === 'ticked').length, required: required.length };
}

/** `*State*` as symbol and word, e.g. `⏪ rolling back`. */
export function stateLabel(release: Release, related?: Release): string {
  return shownLabel(shownOf(release, related));
}

/**
 * How a release ended (or, once reverted, how its rollback is going) for the
 * release message, its symbol followed by the word that says it: `❌ Failed at
 * *deploy*`, `⏪ Rolling back: rollback r… approved by <@U1>`. Undefined while
 * it awaits its start or runs. A failure is named by its step alone when that
 * step's line already says the error, so the error appears once.
 */
export function outcomeLine(release: Release, related: Release | undefined, now: number): string | undefined {
  const shown = shownOf(release, related);
  const rollback = release.rolledBackBy !== undefined ? related : undefined;
  const emoji = SHOWN_EMOJI[shown];
  switch (shown) {
    case 'succeeded': {
      const d = duration(release, now);
      const inTime = d ? ` in ${d}` : '';
      if (release.rollbackOf) return `${emoji} Finished${inTime}: ${rollbackResult(release)}`;
      return `${emoji} Released${inTime}`;
    }
    case 'failed': {
      const at = release.failure?.step ? ` at *${escapeMrkdwn(release.failure.step)}*` : '';
      const message = failureOnStepLine(release) ? undefined : failureMessage(release);
      return `${emoji} Failed${at}${message ? `\n${message}` : ''}`;
    }
    case 'cancelled':
      return `${emoji} ${capitalize(cancelledPhrase(release))}`;
    case 'rolling_back':
    case 'rolled_back':
    case 'rollback_failed':
      return `${emoji} ${capitalize(SHOWN_WORDS[shown])}: ${rollbackProgress(release, rollback, now)}`;
    default:
      return undefined;
  }
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
