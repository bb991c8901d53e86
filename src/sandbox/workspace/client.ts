import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext, runInContext } from 'node:vm';
import { staticDir } from './static-files';

/** Mentions resolve through these, as the page builds them from /api/state. */
export interface MrkdwnContext {
  users?: Record<string, { name: string }>;
  usergroups?: Record<string, { handle: string }>;
  channels?: Record<string, { name: string }>;
}

/** The page's renderers (static/mrkdwn.js and static/blocks.js), callable from Node. */
export interface ClientRenderers {
  renderMrkdwn(text: string, ctx?: MrkdwnContext): string;
  renderPlain(text: string, emoji?: boolean): string;
  escapeHtml(text: string): string;
  decodeEntities(text: string): string;
  messageBody(
    message: { ts: string; text?: string; blocks?: unknown[]; attachments?: unknown[] },
    ctx?: MrkdwnContext,
  ): string;
  blocks(blocks: unknown[], ts: string, ctx?: MrkdwnContext): string;
}

/**
 * Runs the very files the browser gets in a fresh V8 context, so tests (and any
 * server-side preview) exercise the page's code itself rather than a copy of it.
 */
export function loadClientRenderers(dir = staticDir()): ClientRenderers {
  const context = createContext({});
  for (const file of ['mrkdwn.js', 'blocks.js']) {
    runInContext(readFileSync(join(dir, file), 'utf8'), context, { filename: file });
  }
  const { SlackMrkdwn: m, SlackBlocks: b } = context as {
    SlackMrkdwn: Omit<ClientRenderers, 'messageBody' | 'blocks'>;
    SlackBlocks: Pick<ClientRenderers, 'messageBody' | 'blocks'>;
  };
  return {
    renderMrkdwn: (text, ctx) => m.renderMrkdwn(text, ctx),
    renderPlain: (text, emoji) => m.renderPlain(text, emoji),
    escapeHtml: (text) => m.escapeHtml(text),
    decodeEntities: (text) => m.decodeEntities(text),
    messageBody: (message, ctx) => b.messageBody(message, ctx),
    blocks: (list, ts, ctx) => b.blocks(list, ts, ctx),
  };
}
