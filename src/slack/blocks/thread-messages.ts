import { expiryText } from '../../domain/reconcile';
import { releaseKind, type Release, type StepName } from '../../domain/release';
import { FALLBACK_TEXT_MAX, context, lineSections, section, type Block, type Message } from './block';
import { LIMITS } from './limits';
import { closingLine, closingOf } from './proposal-closing';
import {
  RELEASE_EMOJI,
  STATE_WORDS,
  STEP_EMOJI,
  failureMessage,
  failureWhere,
  releaseId,
  stepLine,
  titleMrkdwn,
  took,
  who,
} from './release-format';
import { codeBlock, escapeMrkdwn, escapeTruncated } from './text';

/** Messages posted in a release's thread: a step's findings, and the summary at the end. */

const TITLE_MAX = 500;
/** Room for a log tail: a section less the line that may announce dropped lines. */
const DETAIL_MAX = LIMITS.sectionText - 100;

/**
 * A step's detail: the first line (the step's summary or failure) as a bold
 * title, the other lines (check lists, log tails) in a code block that keeps the
 * last lines, since the end of a log matters most.
 */
export function stepDetailMessage(release: Release, stepName: StepName, lines: readonly string[]): Message {
  const physical = lines.flatMap((l) => l.split('\n'));
  const first = (physical[0] ?? '').trim();
  const rest = physical.slice(1);
  const step = release.steps.find((s) => s.name === stepName);
  const emoji = step ? `${STEP_EMOJI[step.state] ?? ''} ` : '';
  const titleText = first === '' || first.startsWith(stepName) ? first || stepName : `${stepName}: ${first}`;
  const blocks: Block[] = [section(`${emoji}*${escapeTruncated(titleText, TITLE_MAX)}*`)];
  if (rest.some((l) => l.trim() !== '')) blocks.push(section(codeBlock(rest, DETAIL_MAX, 'last')));
  return { text: escapeTruncated(titleText, FALLBACK_TEXT_MAX), blocks };
}

/**
 * The summary posted in the thread when a release ends: how long it took and
 * each step with its time, or where it failed and why, or who cancelled it.
 */
export function releaseFinishedMessage(release: Release, now: number): Message {
  // A rollback is named for what it is: "Snapshot restore of backend v1.2.0 → production finished".
  const kind = releaseKind(release);
  const title = release.rollbackOf ? `${capitalize(kind)} of ${titleMrkdwn(release)}` : titleMrkdwn(release);
  const done = release.rollbackOf ? 'finished' : 'released';
  const duration = took(release.startedAt ?? release.createdAt, release.endedAt ?? now);
  let headline: string;
  switch (release.state) {
    case 'succeeded':
      headline = `✅ ${title} ${done}${duration ? ` in ${duration}` : ''}`;
      break;
    case 'failed':
      headline = `❌ ${title} failed${failureWhere(release)}`;
      break;
    case 'cancelled': {
      // A proposal closed undecided says how and why, not "cancelled by deploybot".
      const closing = closingOf(release);
      if (closing) headline = `${title}: ${closingLine(closing)}`;
      else if (release.expired) headline = `🚫 ${title}: ${expiryText(release.expired.afterMs)}`;
      else headline = `🚫 ${title} cancelled${release.cancelledBy ? ` by ${who(release.cancelledBy)}` : ''}`;
      break;
    }
    default:
      headline = `${RELEASE_EMOJI[release.state] ?? ''} ${title} is ${escapeMrkdwn(STATE_WORDS[release.state] ?? String(release.state))}`;
  }
  const blocks: Block[] = [section(headline)];
  const message = release.state === 'failed' ? failureMessage(release) : undefined;
  if (message) blocks.push(section(message));
  // A proposal closed undecided ran no step: listing them all pending says nothing.
  if (!closingOf(release)) {
    blocks.push(
      ...lineSections(
        release.steps.map((s) => stepLine(s, now)),
        2,
        'step',
      ),
    );
  }
  blocks.push(context(`Requested by ${who(release.requestedBy)} · release ${releaseId(release)}`));
  const text = `${release.app} ${release.version} → ${release.environment}: ${closingOf(release)?.how ?? STATE_WORDS[release.state] ?? release.state}${
    release.state === 'failed' && release.failure ? ` (${release.failure.code})` : ''
  }`;
  return { text: escapeTruncated(text, FALLBACK_TEXT_MAX), blocks };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
