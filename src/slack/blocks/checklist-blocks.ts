import { AUTOMATED_SECTION, isAutomated, missingForStart, type ItemStatus } from '../../domain/checklist';
import { actions, context, section, type Block } from './block';
import { LIMITS } from './limits';
import { who } from './release-format';
import { ELLIPSIS, escapeMrkdwn, escapeTruncated, formatCount, plural, truncate, truncateMrkdwn } from './text';

/**
 * The checklist of a release awaiting its start: what preflight proved, then the
 * runbook's manual items as checkboxes that people tick.
 *
 * Interaction contract (read by the Slack listeners): every checkbox element has
 * action_id `checklist:<n>` (n counts elements across the message), its block
 * has block_id `checklist-<section-slug>-<k>`, every option's `value` is the
 * checklist item id, and `initial_options` holds the very option objects of the
 * ticked items, as Slack requires.
 */

/** Prefix of every checklist checkbox element's action_id (`checklist:1`, `checklist:2`, …). */
export const CHECKLIST_ACTION_PREFIX = 'checklist:';

const AUTOMATED_EMOJI = { ticked: '✅', failed: '❌', pending: '⏳', 'not-applicable': '➖', open: '⏳' };
/** The word beside each symbol, so that the list reads whole without an emoji font. */
const AUTOMATED_WORDS = {
  ticked: 'passed',
  failed: 'failed',
  pending: 'checking',
  'not-applicable': 'not applicable',
  open: 'checking',
};
const REQUIRED_SUFFIX = ' (required)';

export function isAutomatedStatus(status: ItemStatus): boolean {
  return isAutomated(status.item) || status.item.section === AUTOMATED_SECTION;
}

/** `✅ passed · Database available`: a line per automated item, evidence under the failed ones. */
export function automatedLines(statuses: readonly ItemStatus[]): string[] {
  const lines: string[] = [];
  for (const s of statuses) {
    const text = escapeTruncated(s.item.text, 200);
    const mark = `${AUTOMATED_EMOJI[s.state] ?? '•'} ${AUTOMATED_WORDS[s.state] ?? s.state}`;
    lines.push(`${mark} · ${text}`);
    if (s.state === 'failed') {
      for (const evidence of s.evidence ?? []) lines.push(`        ${escapeTruncated(evidence, 300)}`);
    }
  }
  return lines;
}

export interface CheckboxOption {
  text: { type: 'plain_text'; text: string; emoji: boolean };
  value: string;
  description?: { type: 'mrkdwn'; text: string };
}

/** One checkbox option for a manual item; ticked ones say who ticked them. */
export function checklistOption(status: ItemStatus): CheckboxOption {
  const text = status.required
    ? truncate(status.item.text, LIMITS.optionText - REQUIRED_SUFFIX.length) + REQUIRED_SUFFIX
    : truncate(status.item.text, LIMITS.optionText);
  return {
    text: { type: 'plain_text', text: text.trim() === '' ? '—' : text, emoji: true },
    value: truncate(status.item.id, LIMITS.optionValue),
    ...(status.state === 'ticked' && status.tick
      ? {
          description: {
            type: 'mrkdwn',
            text: truncateMrkdwn(
              `ticked by ${who(status.tick.by)}${status.tick.note ? `: ${escapeMrkdwn(status.tick.note)}` : ''}`,
              LIMITS.optionDescription,
            ),
          },
        }
      : {}),
  };
}

/** Manual items grouped by section, sections in the order they first appear. */
export function manualSections(statuses: readonly ItemStatus[]): [string, ItemStatus[]][] {
  const groups = new Map<string, ItemStatus[]>();
  for (const s of statuses) {
    if (isAutomatedStatus(s)) continue;
    const group = groups.get(s.item.section) ?? [];
    group.push(s);
    groups.set(s.item.section, group);
  }
  return [...groups.entries()];
}

function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return s === '' ? 'section' : s;
}

const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

/**
 * The manual sections as a title section and checkbox actions each, within
 * `maxBlocks`. Sections that do not fit are left out and counted in a context
 * line (one block is kept for it).
 */
export function manualBlocks(statuses: readonly ItemStatus[], maxBlocks: number): Block[] {
  const blocks: Block[] = [];
  const usedSlugs = new Set<string>();
  const sections = manualSections(statuses);
  let element = 0;
  let hiddenItems = 0;
  let hiddenSections = 0;
  sections.forEach(([name, items], index) => {
    const groups = chunk(items, LIMITS.checkboxOptions);
    const actionBlocks = chunk(groups, LIMITS.actionsElements);
    const needed = 1 + actionBlocks.length;
    const isLast = index === sections.length - 1;
    if (hiddenSections > 0 || blocks.length + needed > maxBlocks - (isLast ? 0 : 1)) {
      hiddenSections += 1;
      hiddenItems += items.length;
      return;
    }
    let base = slug(name);
    for (let n = 2; usedSlugs.has(base); n += 1) base = `${slug(name)}-${n}`;
    usedSlugs.add(base);
    const ticked = items.filter((s) => s.state === 'ticked').length;
    blocks.push(section(`*${escapeTruncated(name, 200)}*  ${ticked}/${items.length} ticked`));
    actionBlocks.forEach((groupsOfBlock, k) => {
      const elements = groupsOfBlock.map((group) => {
        const options = group.map(checklistOption);
        const initial = options.filter((_, i) => group[i]?.state === 'ticked');
        element += 1;
        return {
          type: 'checkboxes',
          action_id: `${CHECKLIST_ACTION_PREFIX}${element}`,
          options,
          ...(initial.length > 0 ? { initial_options: initial } : {}),
        };
      });
      blocks.push(actions(`checklist-${base}-${k}`, elements));
    });
  });
  if (hiddenSections > 0) {
    blocks.push(
      context(
        `_${ELLIPSIS} ${plural(hiddenItems, 'more checklist item')} in ${plural(hiddenSections, 'section')} not shown (message size limit)_`,
      ),
    );
  }
  return blocks;
}

/** "Start needs: …" naming every required item that holds up the start, or that none does. */
export function startNeedsLine(statuses: readonly ItemStatus[]): string {
  const missing = missingForStart([...statuses]);
  if (missing.length === 0) return '✅ All required items ticked';
  const names = missing.map((s) => {
    const name = escapeTruncated(s.item.text, 80);
    if (s.state === 'failed') return `${name} (preflight failed)`;
    if (s.state === 'pending') return `${name} (preflight checking)`;
    return name;
  });
  let line = '*Start needs:* ';
  let shown = 0;
  for (const name of names) {
    const next = `${line}${shown > 0 ? ', ' : ''}${name}`;
    if (next.length > LIMITS.sectionText - 60) break;
    line = next;
    shown += 1;
  }
  return shown < names.length ? `${line} and ${formatCount(names.length - shown)} more` : line;
}
