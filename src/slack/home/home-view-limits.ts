import { blockKitProblems } from '../blocks/limits';

/**
 * Slack's documented limits for a Home tab view (views.publish): 100 blocks
 * where a message holds 50, and the view's own fields. Each block is checked
 * by blockKitProblems one at a time, so its 50-block message limit does not
 * apply; block ids must still be unique across the whole view.
 */
export const HOME_VIEW_LIMITS = {
  blocks: 100,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
} as const;

type Json = Record<string, unknown>;

/** Every way `view` breaks Slack's limits for a Home tab; empty when Slack would accept it. */
export function homeViewProblems(view: unknown): string[] {
  if (!view || typeof view !== 'object' || Array.isArray(view)) return ['view is not an object'];
  const record = view as Json;
  const problems: string[] = [];
  if (record.type !== 'home') problems.push(`view type is ${String(record.type)}, not home`);
  if (!Array.isArray(record.blocks)) return [...problems, 'view has no blocks list'];
  const blocks = record.blocks as unknown[];
  if (blocks.length > HOME_VIEW_LIMITS.blocks) {
    problems.push(`view has ${blocks.length} blocks (max ${HOME_VIEW_LIMITS.blocks})`);
  }
  for (const [field, max] of [
    ['private_metadata', HOME_VIEW_LIMITS.privateMetadata],
    ['callback_id', HOME_VIEW_LIMITS.callbackId],
    ['external_id', HOME_VIEW_LIMITS.externalId],
  ] as const) {
    const value = record[field];
    if (value !== undefined && (typeof value !== 'string' || value.length > max))
      problems.push(`view ${field} is not a string of at most ${max} characters`);
  }
  const blockIds = new Set<string>();
  blocks.forEach((block, index) => {
    const blockId = (block as Json | null)?.block_id;
    if (typeof blockId === 'string') {
      if (blockIds.has(blockId)) problems.push(`blocks[${index}]: duplicate block_id ${blockId}`);
      blockIds.add(blockId);
    }
    for (const problem of blockKitProblems([block])) {
      problems.push(problem.replace(/^blocks\[0\]/, `blocks[${index}]`));
    }
  });
  return problems;
}
