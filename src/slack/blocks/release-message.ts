import { overrideBanner } from './override-banner';
import type { ItemStatus } from '../../domain/checklist';
import type { QueueSlot } from '../../domain/deploy-queue';
import type { Release } from '../../domain/release';
import {
  MAX_BLOCKS,
  actions,
  button,
  context,
  divider,
  fieldsSection,
  header,
  lineSections,
  section,
  type Block,
  type ConfirmText,
  type Message,
} from './block';
import { LIMITS } from './limits';
import { automatedLines, isAutomatedStatus, manualBlocks, startNeedsLine } from './checklist-blocks';
import { fitParts, releaseId, slackTime, stepLines, titlePlain, who } from './release-format';
import { notificationText, outcomeLine, queuedPhrase, requiredCount, stateLabel } from './shown-status';
import { escapeMrkdwn, escapeTruncated, formatCount, trimmedNote, truncateMrkdwn } from './text';

/** Everything the one parent message of a release shows. */
export interface ReleaseView {
  release: Release;
  /** From checklistStatus(...). */
  checklist: ItemStatus[];
  /** Slack principal id to mention (U… or S…). */
  onCall?: string;
  /** The markdown section of CHANGELOG.md for this version. */
  releaseNotes?: string;
  /** The release named by `release.rolledBackBy`, as stored: whether it still runs decides what the message says. */
  rollback?: Release;
  /** A queued release's place in its queue, when the caller looked it up; else its `queue.why` is shown. */
  queueSlot?: QueueSlot;
  now: number;
}

/** Action ids of the release buttons (the Slack listeners match on them; value = release id). */
export const START_ACTION = 'release_start';
export const CANCEL_ACTION = 'release_cancel';

const NOTES_MAX = 2000;
/**
 * The release's one message, updated in place: who asked for what, the
 * checklist with Start/Cancel while it awaits its start, then the steps as they
 * run and how it ended. Within Slack's limits for any release.
 */
export function releaseMessage(view: ReleaseView): Message {
  const { release, now } = view;
  const blocks: Block[] = [...headBlocks(view), divider()];
  // Keep room for the closing blocks: start-needs line, buttons, footer.
  const room = MAX_BLOCKS - blocks.length - 1;
  const tail: Block[] =
    release.state === 'awaiting_start'
      ? awaitingBlocks(view, room)
      : release.state === 'queued'
        ? queuedBlocks(view, room)
        : progressBlocks(view);
  blocks.push(...tail, context(`Updated ${slackTime(now)}`));
  return { text: notificationText(release, view.rollback, now, view.checklist), blocks };
}

function headBlocks({ release, rollback, onCall, releaseNotes }: ReleaseView): Block[] {
  const blocks = [
    header(titlePlain(release, LIMITS.headerText, ':rocket: ')),
    // Break-glass is said first, above everything else: a release against policy is never quiet.
    ...overrideBanner(release),
    fieldsSection([
      `*Type*\n${escapeTruncated(release.type, 100)}`,
      `*Requested by*\n${who(release.requestedBy)}`,
      `*Release id*\n${releaseId(release)}`,
      `*State*\n${stateLabel(release, rollback)}`,
    ]),
  ];
  if (onCall) blocks.push(context(`:pager: On call: ${who(onCall)}`));
  if (release.promotedFrom) blocks.push(context(promotedLine(release.promotedFrom)));
  const notes = releaseNotes?.trim();
  if (notes) blocks.push(section(`*Release notes*\n${notesMrkdwn(notes, NOTES_MAX)}`));
  return blocks;
}

/** Where a promoted version proved itself: the earlier environment's release. */
function promotedLine(from: { releaseId: string; environment: string }): string {
  return `Promoted from ${escapeTruncated(from.environment, 80)}, where release \`${escapeTruncated(from.releaseId, 60)}\` succeeded`;
}

/** CHANGELOG markdown as Slack mrkdwn: headings bold, `**x**` bold, bullets, http(s) links. */
export function notesMrkdwn(markdown: string, max: number): string {
  const converted = escapeMrkdwn(markdown.replace(/\r\n/g, '\n'))
    .split('\n')
    .map((line) =>
      line
        .replace(/^#{1,6}\s+(.*?)\s*#*\s*$/, '*$1*')
        .replace(/\*\*(.+?)\*\*/g, '*$1*')
        .replace(/^(\s*)[-*+]\s+/, '$1• ')
        .replace(/\[([^\]|]+)\]\((https?:\/\/[^\s)|]+)\)/g, '<$2|$1>'),
    )
    .join('\n');
  if (converted.length <= max) return converted;
  const kept = truncateMrkdwn(converted, max - 80);
  return `${kept}\n${trimmedNote(converted.length - (kept.length - 1))}`;
}

function startConfirm(release: Release): ConfirmText {
  const [app, version, env] = fitParts([release.app, release.version, release.environment], 250);
  return {
    title: 'Start deployment?',
    text: `Start deploying ${app} ${version} to ${env}?`,
    confirm: 'Start',
    deny: 'Not yet',
  };
}

function cancelConfirm(release: Release): ConfirmText {
  const [app, version, env] = fitParts([release.app, release.version, release.environment], 200);
  const consequence =
    release.state === 'running'
      ? 'No further step will start; what has changed stays changed.'
      : 'Nothing has been deployed yet.';
  return {
    title: 'Cancel this release?',
    text: `Cancel the release of ${app} ${version} to ${env}? ${consequence}`,
    confirm: 'Cancel release',
    deny: 'Keep it',
  };
}

const cancelButton = (release: Release): Block =>
  button('Cancel release', CANCEL_ACTION, release.id, 'danger', cancelConfirm(release));

function awaitingBlocks(view: ReleaseView, maxBlocks: number): Block[] {
  const { release, checklist } = view;
  const blocks: Block[] = [];
  const automated = checklist.filter(isAutomatedStatus);
  if (automated.length > 0) {
    blocks.push(
      ...lineSections(
        ['*Automated checks* — _checked by preflight_', ...automatedLines(automated)],
        1,
        'automated line',
      ),
    );
  }
  // Keep two blocks for the start-needs line and the buttons.
  blocks.push(...manualBlocks(checklist, maxBlocks - blocks.length - 2));
  blocks.push(context(startNeedsLine(checklist)));
  blocks.push(
    actions('release-buttons', [
      button('Start deployment', START_ACTION, release.id, 'primary', startConfirm(release)),
      cancelButton(release),
    ]),
  );
  return blocks;
}

/**
 * While queued: its place, the manual checklist (people may tick while it
 * waits; a complete one lets it start by itself at its turn) and Cancel. No
 * Start: preflight runs, and the lock is taken, only when its turn comes.
 */
function queuedBlocks(view: ReleaseView, maxBlocks: number): Block[] {
  const { release, checklist } = view;
  const blocks: Block[] = [section(`🕒 ${queuedPhrase(release, view.queueSlot)}`)];
  // Keep two blocks for the start-needs line and the button.
  blocks.push(...manualBlocks(checklist, maxBlocks - blocks.length - 2));
  blocks.push(
    context(`${startNeedsLine(checklist)} · preflight runs when its turn comes; with every required item ticked it then starts by itself`),
  );
  blocks.push(actions('release-buttons', [cancelButton(release)]));
  return blocks;
}

function progressBlocks(view: ReleaseView): Block[] {
  const { release, now } = view;
  const blocks: Block[] = lineSections(stepLines(release, now), 2, 'step');
  const proposal = rollbackProposalLine(release, view.rollback);
  if (proposal) blocks.push(section(proposal));
  const summary = checklistSummary(view.checklist);
  if (summary) blocks.push(context(summary));
  const outcome = outcomeLine(release, view.rollback, now);
  if (outcome) blocks.push(section(outcome));
  if (release.state === 'running') blocks.push(actions('release-buttons', [cancelButton(release)]));
  return blocks;
}

/**
 * Monitoring's rollback proposal for this release, as it stands: the monitor
 * line may read "all clear" for the samples since, and the window may even
 * have ended ("Released"), while the proposal still waits for an approver. Its
 * own message (in the thread) has the decision; once approved, the outcome
 * line says how the rollback goes instead. `proposal` is the proposal's record
 * when the caller read it.
 */
function rollbackProposalLine(release: Release, proposal: Release | undefined): string | undefined {
  const id = release.facts.rollbackProposal;
  if (!id || release.rolledBackBy) return undefined;
  const record = proposal?.id === id ? proposal : undefined;
  if (!record) {
    return release.state === 'running'
      ? `:rotating_light: Rollback proposed (${escapeTruncated(id, 60)}) — an approver decides in the thread`
      : undefined;
  }
  const closed = record.proposal?.closed;
  if (closed) return `:information_source: Rollback proposal ${escapeTruncated(closed.text, 500)}`;
  const reason = record.rollbackOf?.reason;
  return `:rotating_light: Rollback proposed, awaiting approval${reason ? `: ${escapeTruncated(reason, 500)}` : ''} — an approver decides in the thread`;
}

/** "Checklist: 6/6 required ticked by <@U1>, <@U2>" */
export function checklistSummary(checklist: readonly ItemStatus[]): string | undefined {
  const { done, required } = requiredCount(checklist);
  const tickers = [...new Set(checklist.flatMap((s) => (s.state === 'ticked' && s.tick ? [s.tick.by] : [])))];
  if (required === 0 && tickers.length === 0) return undefined;
  const names = tickers.slice(0, 10).map(who).join(', ');
  const more = tickers.length > 10 ? ` and ${formatCount(tickers.length - 10)} others` : '';
  return `Checklist: ${done}/${required} required ticked${names ? ` by ${names}${more}` : ''}`;
}
