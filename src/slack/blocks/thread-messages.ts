import { expiryText } from '../../domain/reconcile';
import type { Release, StepName } from '../../domain/release';
import { SHOWN_EMOJI } from '../../domain/release-status';
import { FALLBACK_TEXT_MAX, context, lineSections, section, type Block, type Message } from './block';
import { LIMITS } from './limits';
import { closingLine, closingOf } from './proposal-closing';
import {
  STEP_EMOJI,
  STEP_WORDS,
  failureMessage,
  releaseId,
  stepLines,
  titleMrkdwn,
  took,
  who,
} from './release-format';
import { notificationText, rollbackKind, rollbackResult, shownOf, statusPhrase } from './shown-status';
import { codeBlock, escapeKeepingMentions, escapeMrkdwn, escapeTruncated, truncateMrkdwn } from './text';

/** Messages posted in a release's thread: a step's findings, and the summary at the end. */

const TITLE_MAX = 500;
/** Room for a log tail: a section less the line that may announce dropped lines. */
const DETAIL_MAX = LIMITS.sectionText - 100;

/**
 * Whose post it is, for the posts of a rollback, which land in the thread of
 * the release they revert: `Rollback r… · `, `Migration rollback of v1.3.0-bad · `.
 * Empty for a release's own posts. Escaped.
 */
export function threadLabel(release: Release): string {
  const of = release.rollbackOf;
  if (!of) return '';
  if (!of.database) return `Rollback ${escapeTruncated(release.id, 60)} · `;
  return `${rollbackKind(release) ?? 'Rollback'} of ${escapeTruncated(of.version, 60)} · `;
}

/**
 * A step's detail: the step's state in words, then the first line (its summary
 * or failure) as a bold title labelled with whose step it is, and the other
 * lines (check lists, log tails) in a code block that keeps the last lines,
 * since the end of a log matters most.
 */
export function stepDetailMessage(release: Release, stepName: StepName, lines: readonly string[]): Message {
  const physical = lines.flatMap((l) => l.split('\n'));
  const first = (physical[0] ?? '').trim();
  const rest = physical.slice(1);
  const step = release.steps.find((s) => s.name === stepName);
  const state = step ? `${STEP_EMOJI[step.state] ?? ''} ${STEP_WORDS[step.state] ?? ''} · ` : '';
  const titleText = first === '' || first.startsWith(stepName) ? first || stepName : `${stepName}: ${first}`;
  // Mentions the engine writes (an approver reminder, say) stay mentions; the rest is escaped.
  const title = `${threadLabel(release)}${truncateMrkdwn(escapeKeepingMentions(titleText), TITLE_MAX)}`;
  const blocks: Block[] = [section(`${state}*${title}*`)];
  if (rest.some((l) => l.trim() !== '')) blocks.push(section(codeBlock(rest, DETAIL_MAX, 'last')));
  return { text: truncateMrkdwn(title, FALLBACK_TEXT_MAX), blocks };
}

/**
 * The post in the thread when a release ends, naming what finished and how:
 * how long it took and each step with its time, where it failed (the failure's
 * words were the failed step's own post), who cancelled it, or how its
 * rollback goes. `related` is, for a reverted release, its rollback; for a
 * rollback, the release it reverted.
 */
export function releaseFinishedMessage(release: Release, now: number, related?: Release): Message {
  const kind = rollbackKind(release);
  const title = kind ? `${kind} of ${titleMrkdwn(release)}` : titleMrkdwn(release);
  const shown = shownOf(release, related);
  const duration = took(release.startedAt ?? release.createdAt, release.endedAt ?? now);
  const inTime = duration ? ` in ${duration}` : '';
  const emoji = SHOWN_EMOJI[shown];
  const closing = closingOf(release);
  let headline: string;
  switch (shown) {
    case 'succeeded':
      headline = kind
        ? `${emoji} ${title} finished${inTime}: ${rollbackResult(release)}`
        : `${emoji} ${title} released${inTime}`;
      break;
    case 'failed': {
      const step = release.failure?.step;
      headline = `${emoji} ${title} failed${step ? ` at *${escapeMrkdwn(step)}*` : ''}`;
      break;
    }
    case 'cancelled':
      if (release.expired) {
        headline = `${emoji} ${title}: ${escapeMrkdwn(expiryText(release.expired.afterMs))}`;
      } else {
        const by = release.cancelledBy ? ` by ${who(release.cancelledBy)}` : '';
        headline = `${emoji} ${title} ${kind && !release.startedBy ? 'declined' : 'cancelled'}${by}`;
      }
      break;
    default:
      // A proposal closed undecided says how and why, not "cancelled by deploybot".
      headline = closing
        ? `${title}: ${closingLine(closing)}`
        : `${emoji} ${title}: ${statusPhrase(release, related, now)}`;
  }
  const blocks: Block[] = [section(headline)];
  // A failure at a step had its own post with the error; one without a step had none.
  const message = release.state === 'failed' && !release.failure?.step ? failureMessage(release) : undefined;
  if (message) blocks.push(section(message));
  // A proposal closed undecided ran no step: listing them all pending says nothing.
  if (!closing) blocks.push(...lineSections(stepLines(release, now, false), 2, 'step'));
  blocks.push(context(footer(release)));
  return { text: notificationText(release, related, now), blocks };
}

function footer(release: Release): string {
  if (!release.rollbackOf) return `Requested by ${who(release.requestedBy)} · release ${releaseId(release)}`;
  const approved = release.startedBy ? ` · approved by ${who(release.startedBy)}` : '';
  const kind = rollbackKind(release)?.toLowerCase() ?? 'rollback';
  return `Proposed by ${who(release.requestedBy)}${approved} · ${kind} ${releaseId(release)}`;
}
