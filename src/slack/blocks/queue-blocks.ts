import type { ActionsBlock, Button, KnownBlock, SectionBlock } from '@slack/types';
import { ordinal, type QueueListing, type QueueSlot } from '../../domain/deploy-queue';
import type { Release } from '../../domain/release';
import type { QueueTurn } from '../../ports/release-chat';
import type { QueueItRequest } from '../queue-it-request';
import { FALLBACK_TEXT_MAX, MAX_BLOCKS } from './block';
import { LIMITS } from './limits';
import { slackTime, who } from './release-format';
import { subjectMrkdwn, subjectText } from './shown-status';
import { escapeMrkdwn, escapeTruncated, plural, truncate, truncateMrkdwn } from './text';

export { queuedPhrase } from './shown-status';

/** Action ids of the queue's buttons (commands/queue-actions.ts listens for them). */
export const QUEUE_IT_ACTION = 'queue_it';
/** Value: the release id. */
export const RUN_ANYWAY_ACTION = 'queue_run_anyway';
/** Value: the release id. */
export const CANCEL_QUEUED_ACTION = 'queue_cancel';

/** A queue message: blocks typed as Slack's, and the notification text. */
export interface QueueMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Room the rest of the request leaves `why` in a button's value (2000 characters). */
const WHY_MAX = 300;

const mrkdwnSection = (text: string): SectionBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncateMrkdwn(text, LIMITS.sectionText) },
});

function button(text: string, actionId: string, value: string, style: 'primary' | 'danger'): Button {
  return {
    type: 'button',
    text: { type: 'plain_text', text: truncate(text, LIMITS.buttonText), emoji: true },
    action_id: actionId,
    value,
    style,
  };
}

/** The actions block a busy or out-of-window refusal ends with: join the queue instead. */
export function queueItButton(request: QueueItRequest): ActionsBlock {
  const value: QueueItRequest = { ...request, why: request.why.slice(0, WHY_MAX) };
  return {
    type: 'actions',
    block_id: 'queue-it',
    elements: [button('Queue it', QUEUE_IT_ACTION, JSON.stringify(value), 'primary')],
  };
}

/** One line of `/deploy queue`: place, subject, who asked, id. */
function slotLine(slot: QueueSlot): string {
  const { entry } = slot;
  const place =
    slot.scheduledFor !== undefined
      ? `🕒 scheduled for ${slackTime(slot.scheduledFor, 'datetime')}`
      : ordinal(slot.position);
  const subject = `*${escapeTruncated(entry.app, 80)}* \`${escapeTruncated(entry.version, 60)}\` → *${escapeTruncated(entry.environment, 80)}*`;
  return `${place} · ${subject} · ${who(entry.requestedBy)} · \`${escapeTruncated(entry.id, 60)}\``;
}

function scopeLine(listing: QueueListing): string {
  const { scope, holder, slots } = listing;
  // A lock group's queue is named by its group (its scope's app is `@lock-group`).
  const name = scope.app.startsWith('@')
    ? `lock group ${escapeTruncated(scope.environment, 80)}`
    : `${escapeTruncated(scope.app, 80)}/${escapeTruncated(scope.environment, 80)}`;
  const busy = holder
    ? ` — busy with \`${escapeTruncated(holder.id, 60)}\` (${escapeTruncated(holder.version, 60)})`
    : '';
  return `*${name}*: ${plural(slots.length, 'release')} queued${busy}`;
}

/**
 * `/deploy queue [app] [env]`: each queue, its releases in the order they run,
 * scheduled ones last. Lines beyond Slack's blocks are counted, not dropped silently.
 */
export function queueReply(listings: readonly QueueListing[]): QueueMessage {
  if (listings.length === 0)
    return { text: 'Nothing is queued', blocks: [mrkdwnSection('Nothing is queued.')] };
  const sections: SectionBlock[] = [];
  let current = '';
  const lines = listings.flatMap((l) => [scopeLine(l), ...l.slots.map(slotLine)]);
  let shown = 0;
  for (const line of lines) {
    const joined = current === '' ? line : `${current}\n${line}`;
    if (joined.length <= LIMITS.sectionText - 100) {
      current = joined;
      shown += 1;
      continue;
    }
    if (sections.length === MAX_BLOCKS - 2) break;
    sections.push(mrkdwnSection(current));
    current = line;
    shown += 1;
  }
  if (current !== '') sections.push(mrkdwnSection(current));
  if (shown < lines.length)
    sections.push(mrkdwnSection(`_… ${plural(lines.length - shown, 'more line')} not shown_`));
  const total = listings.reduce((n, l) => n + l.slots.length, 0);
  return { text: `${plural(total, 'release')} queued`, blocks: sections };
}

/**
 * The thread post when a queued release's turn came, mentioning its
 * requester: press Start (and what is still open), or it started by itself.
 */
export function queueTurnMessage(release: Release, turn: QueueTurn): QueueMessage {
  const subject = subjectMrkdwn(release);
  const mention = who(release.requestedBy);
  const tickers = turn.kind === 'started' ? turn.tickedBy.slice(0, 10).map(who).join(', ') : '';
  const open =
    turn.kind === 'press_start' ? turn.missing.slice(0, 10).map((m) => escapeTruncated(m, 80)) : [];
  const body =
    turn.kind === 'started'
      ? `:rocket: ${mention} ${subject} reached the head of its queue and started by itself: its checklist was completed while it waited${tickers ? ` (ticked by ${tickers})` : ''}.`
      : `:bell: ${mention} it's your turn: ${subject} reached the head of its queue and preflight has run. ${
          open.length > 0
            ? `Tick ${open.join('; ')}, then press *Start deployment*.`
            : 'Press *Start deployment*.'
        }`;
  const said = turn.kind === 'started' ? 'started from the queue' : 'its turn in the queue, press Start';
  return {
    text: truncateMrkdwn(`${subjectText(release)}: ${said}`, FALLBACK_TEXT_MAX),
    blocks: [mrkdwnSection(body)],
  };
}

/** The question when a newer version overtook a queued release at the head of its queue. */
export function supersededQuestion(release: Release, newer: { id: string; version: string }): QueueMessage {
  const body =
    `:warning: ${who(release.requestedBy)} ${subjectMrkdwn(release)} is next in its queue, but ` +
    `\`${escapeMrkdwn(newer.version.slice(0, 60))}\` (\`${escapeTruncated(newer.id, 60)}\`) is newer. ` +
    'Run it anyway, or cancel it? The queue waits for your answer.';
  const runAnyway: Button = {
    ...button(`Run ${release.version.slice(0, 40)} anyway`, RUN_ANYWAY_ACTION, release.id, 'primary'),
    confirm: {
      title: { type: 'plain_text', text: 'Run an older version?' },
      text: {
        type: 'plain_text',
        text: `Deploy ${release.version.slice(0, 60)} although ${newer.version.slice(0, 60)} is newer?`,
      },
      confirm: { type: 'plain_text', text: 'Run it' },
      deny: { type: 'plain_text', text: 'Not yet' },
    },
  };
  return {
    text: truncateMrkdwn(
      `${subjectText(release)}: overtaken by ${newer.version}; run it anyway?`,
      FALLBACK_TEXT_MAX,
    ),
    blocks: [
      mrkdwnSection(body),
      {
        type: 'actions',
        block_id: 'queue-superseded',
        elements: [runAnyway, button('Cancel it', CANCEL_QUEUED_ACTION, release.id, 'danger')],
      },
    ],
  };
}
