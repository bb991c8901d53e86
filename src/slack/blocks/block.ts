import { LIMITS } from './limits';
import { ELLIPSIS, plural, truncate, truncateMrkdwn } from './text';

/**
 * Block Kit as plain JSON. `KnownBlock` from @slack/types is stricter than Slack
 * here: it types an option's `description` as plain_text only, while Slack lets
 * checkbox options use mrkdwn (which a "ticked by <@U1>" mention needs).
 */
export type Block = Record<string, unknown>;

/** What every builder returns: blocks plus the notification / fallback text. */
export interface Message {
  text: string;
  blocks: Block[];
}

/** Builders stay below Slack's 50 so a caller can still append one block. */
export const MAX_BLOCKS = LIMITS.blocksPerMessage - 1;

/** The fallback text is only a notification line; keep it short whatever the input. */
export const FALLBACK_TEXT_MAX = 500;

/** Slack rejects empty text objects; a dash says "nothing" without breaking the message. */
const nonEmpty = (text: string): string => (text.trim() === '' ? '—' : text);

export const plainText = (text: string, max: number): Block => ({
  type: 'plain_text',
  text: truncate(nonEmpty(text), max),
  emoji: true,
});

export const mrkdwn = (text: string, max: number = LIMITS.sectionText): Block => ({
  type: 'mrkdwn',
  text: truncateMrkdwn(nonEmpty(text), max),
});

export const header = (text: string): Block => ({ type: 'header', text: plainText(text, LIMITS.headerText) });

export const section = (text: string, extra: Block = {}): Block => ({
  type: 'section',
  text: mrkdwn(text),
  ...extra,
});

/** A section of up to 10 short mrkdwn fields. */
export const fieldsSection = (fields: readonly string[]): Block => ({
  type: 'section',
  fields: fields.slice(0, LIMITS.sectionFields).map((f) => mrkdwn(f, LIMITS.fieldText)),
});

export const context = (...texts: string[]): Block => ({
  type: 'context',
  elements: texts.slice(0, LIMITS.contextElements).map((t) => mrkdwn(t)),
});

export const divider = (): Block => ({ type: 'divider' });

export const actions = (blockId: string | undefined, elements: Block[]): Block => ({
  type: 'actions',
  ...(blockId ? { block_id: truncate(blockId, LIMITS.blockId) } : {}),
  elements: elements.slice(0, LIMITS.actionsElements),
});

export interface ConfirmText {
  title: string;
  text: string;
  confirm: string;
  deny: string;
}

export function button(
  label: string,
  actionId: string,
  value: string,
  style?: 'primary' | 'danger',
  confirm?: ConfirmText,
): Block {
  return {
    type: 'button',
    text: plainText(label, LIMITS.buttonText),
    action_id: truncate(actionId, LIMITS.actionId),
    value: truncate(value, LIMITS.buttonValue),
    ...(style ? { style } : {}),
    ...(confirm
      ? {
          confirm: {
            title: plainText(confirm.title, LIMITS.confirmTitle),
            text: plainText(confirm.text, LIMITS.confirmText),
            confirm: plainText(confirm.confirm, LIMITS.confirmButton),
            deny: plainText(confirm.deny, LIMITS.confirmButton),
            ...(style === 'danger' ? { style: 'danger' } : {}),
          },
        }
      : {}),
  };
}

/**
 * Mrkdwn lines packed into as few sections as they need, at most `maxBlocks`.
 * Lines that do not fit are dropped from the end and counted in a last line
 * ("… 12 more releases not shown"). A line longer than a section is cut.
 */
export function lineSections(lines: readonly string[], maxBlocks: number, noun = 'line'): Block[] {
  const max = LIMITS.sectionText;
  const noteRoom = 80;
  const texts: string[] = [];
  let current = '';
  let shown = 0;
  for (const raw of lines) {
    const line = truncateMrkdwn(raw, max - noteRoom - 1);
    const lastBlock = texts.length === maxBlocks - 1;
    const room = lastBlock ? max - noteRoom - 1 : max;
    const joined = current === '' ? line : `${current}\n${line}`;
    if (joined.length <= room) {
      current = joined;
      shown += 1;
      continue;
    }
    if (lastBlock || maxBlocks <= 0) break;
    texts.push(current);
    current = line;
    shown += 1;
  }
  const hidden = lines.length - shown;
  if (hidden > 0) {
    const note = `_${ELLIPSIS} ${plural(hidden, `more ${noun}`)} not shown_`;
    current = current === '' ? note : `${current}\n${note}`;
  }
  if (current !== '') texts.push(current);
  return texts.slice(0, Math.max(1, maxBlocks)).map((t) => section(t));
}
