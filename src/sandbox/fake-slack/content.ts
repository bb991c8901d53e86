import { blockKitProblems, LIMITS } from '../../slack/blocks/limits';
import type { MessageContent } from './workspace';

export type Params = Record<string, unknown>;

/** Fields that @slack/web-api JSON-encodes inside a form body. */
export const JSON_FIELDS = ['blocks', 'attachments', 'view', 'metadata'] as const;

/** A parameter as a string (numbers too, as form bodies have no types). */
export function str(params: Params, key: string): string | undefined {
  const value = params[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** A boolean parameter: JSON `true`, or `"true"`/`"1"` in a form body. */
export function flag(params: Params, key: string): boolean {
  const value = params[key];
  return value === true || value === 'true' || value === '1' || value === 1;
}

export type ContentResult =
  { ok: true; content: MessageContent } | { ok: false; error: string; errors?: string[] };

/**
 * The message content of a chat.* call or a response_url POST, checked as Slack
 * checks it: text length, Block Kit limits, something to show at all.
 */
export function readContent(params: Params, requireSomething = true): ContentResult {
  const content: MessageContent = {};
  const text = str(params, 'text');
  if (text !== undefined) content.text = text;
  if (params.blocks !== undefined) {
    if (!Array.isArray(params.blocks)) return { ok: false, error: 'invalid_blocks_format' };
    content.blocks = params.blocks;
  }
  if (params.attachments !== undefined) {
    if (!Array.isArray(params.attachments)) return { ok: false, error: 'invalid_attachments' };
    content.attachments = params.attachments;
  }
  if (params.metadata !== undefined) content.metadata = params.metadata;
  if (text !== undefined && text.length > LIMITS.messageText) return { ok: false, error: 'msg_too_long' };
  if (content.blocks) {
    const problems = blockKitProblems(content.blocks, text);
    if (problems.length > 0) return { ok: false, error: 'invalid_blocks', errors: problems };
  }
  const hasSomething =
    Boolean(text) || Boolean(content.blocks?.length) || Boolean(content.attachments?.length);
  if (requireSomething && !hasSomething) return { ok: false, error: 'no_text' };
  return { ok: true, content };
}

/** Slack's error body for content it refuses. */
export function contentError(result: { error: string; errors?: string[] }): {
  ok: false;
  error: string;
  errors?: string[];
  response_metadata?: { messages: string[] };
} {
  if (!result.errors) return { ok: false, error: result.error };
  return {
    ok: false,
    error: result.error,
    errors: result.errors,
    response_metadata: { messages: result.errors.map((e) => `[ERROR] ${e}`) },
  };
}
