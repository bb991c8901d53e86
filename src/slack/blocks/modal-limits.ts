import { blockKitProblems } from './limits';

/**
 * Slack's documented limits for a modal view (views.open, views.update),
 * checked before anything is sent and by the local fake Slack API, which
 * refuses what Slack would refuse. Blocks other than `input` are checked by
 * blockKitProblems, one at a time (a modal holds 100 blocks, not a message's 50).
 */
export const MODAL_LIMITS = {
  blocks: 100,
  title: 24,
  submit: 24,
  close: 24,
  callbackId: 255,
  privateMetadata: 3000,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  plainTextInputLength: 3000,
  actionId: 255,
  blockId: 255,
} as const;

type Json = Record<string, unknown>;

const textOf = (value: unknown): string | undefined =>
  value && typeof value === 'object' && typeof (value as Json).text === 'string'
    ? ((value as Json).text as string)
    : undefined;

function within(problems: string[], where: string, value: string | undefined, max: number): void {
  if (value !== undefined && value.length > max)
    problems.push(`${where} has ${value.length} characters (max ${max})`);
}

/** A title, submit or close label: plain_text, 1 to `max` characters. */
function label(problems: string[], where: string, value: unknown, max: number, required: boolean): void {
  if (value === undefined) {
    if (required) problems.push(`${where} is missing`);
    return;
  }
  const text = textOf(value);
  if ((value as Json).type !== 'plain_text' || text === undefined) {
    problems.push(`${where} is not a plain_text object`);
    return;
  }
  if (text.length === 0) problems.push(`${where} is empty`);
  within(problems, where, text, max);
}

function inputProblems(problems: string[], where: string, block: Json): void {
  label(problems, `${where}.label`, block.label, MODAL_LIMITS.inputLabel, true);
  if (block.hint !== undefined) label(problems, `${where}.hint`, block.hint, MODAL_LIMITS.inputHint, true);
  const element = block.element as Json | undefined;
  if (!element || typeof element !== 'object') {
    problems.push(`${where}.element is missing`);
    return;
  }
  within(
    problems,
    `${where}.element.action_id`,
    element.action_id as string | undefined,
    MODAL_LIMITS.actionId,
  );
  if (element.type !== 'plain_text_input') {
    problems.push(`${where}.element: ${String(element.type)} is not used by deploybot`);
    return;
  }
  if (element.placeholder !== undefined)
    label(problems, `${where}.element.placeholder`, element.placeholder, MODAL_LIMITS.placeholder, true);
  const max = element.max_length;
  if (max !== undefined && (typeof max !== 'number' || max < 1 || max > MODAL_LIMITS.plainTextInputLength))
    problems.push(`${where}.element.max_length must be 1 to ${MODAL_LIMITS.plainTextInputLength}`);
  const initial = element.initial_value;
  if (initial !== undefined) {
    if (typeof initial !== 'string') problems.push(`${where}.element.initial_value is not a string`);
    else
      within(
        problems,
        `${where}.element.initial_value`,
        initial,
        typeof max === 'number' ? max : MODAL_LIMITS.plainTextInputLength,
      );
  }
}

/** Every way `view` breaks Slack's limits for a modal; empty when Slack would open it. */
export function modalViewProblems(view: unknown): string[] {
  if (!view || typeof view !== 'object' || Array.isArray(view)) return ['view is not an object'];
  const v = view as Json;
  const problems: string[] = [];
  if (v.type !== 'modal') problems.push(`view type ${String(v.type)} is not modal`);
  label(problems, 'title', v.title, MODAL_LIMITS.title, true);
  label(problems, 'close', v.close, MODAL_LIMITS.close, false);
  label(problems, 'submit', v.submit, MODAL_LIMITS.submit, false);
  within(problems, 'callback_id', v.callback_id as string | undefined, MODAL_LIMITS.callbackId);
  within(
    problems,
    'private_metadata',
    v.private_metadata as string | undefined,
    MODAL_LIMITS.privateMetadata,
  );
  if (!Array.isArray(v.blocks)) return [...problems, 'blocks is not a list'];
  if (v.blocks.length > MODAL_LIMITS.blocks)
    problems.push(`view has ${v.blocks.length} blocks (max ${MODAL_LIMITS.blocks})`);
  const blockIds = new Set<string>();
  let inputs = 0;
  v.blocks.forEach((raw: unknown, index: number) => {
    const block = (raw ?? {}) as Json;
    const where = `blocks[${index}] (${String(block.type)})`;
    const blockId = block.block_id as string | undefined;
    if (blockId !== undefined) {
      within(problems, `${where}.block_id`, blockId, MODAL_LIMITS.blockId);
      if (blockIds.has(blockId)) problems.push(`${where}: duplicate block_id ${blockId}`);
      blockIds.add(blockId);
    }
    if (block.type === 'input') {
      inputs += 1;
      inputProblems(problems, where, block);
    } else {
      for (const problem of blockKitProblems([block]))
        problems.push(problem.replace(/^blocks\[0\] \([^)]*\)/, where));
    }
  });
  // Slack cannot submit a modal without a submit button, so it refuses inputs without one.
  if (inputs > 0 && v.submit === undefined) problems.push('a view with input blocks needs submit');
  return problems;
}
