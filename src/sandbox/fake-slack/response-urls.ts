import { randomBytes } from 'node:crypto';
import { contentError, flag, readContent, str, type Params } from './content';
import type { FakeResponse } from './types';
import type { Workspace } from './workspace';

/** Slack lets an app use a response_url up to five times within thirty minutes. */
export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

interface Original {
  kind: 'message' | 'ephemeral';
  ts: string;
}

interface ResponseUrlState {
  channel: string;
  user: string;
  createdAt: number;
  uses: number;
  expired: boolean;
  /** What `replace_original`/`delete_original` act on: the clicked message, or the last response. */
  original?: Original;
  /** Given at creation (an interaction on a message): responses never move it. */
  pinned: boolean;
}

export interface ResponseAnswer {
  status: number;
  body: { ok: boolean; error?: string; errors?: string[] };
}

export class ResponseUrls {
  readonly list: FakeResponse[] = [];
  private urls = new Map<string, ResponseUrlState>();

  constructor(private readonly workspace: Workspace) {}

  /** Registers a response_url for an interaction by `user` in `channel`; returns its id. */
  create(channel: string, user: string, originalTs: string | undefined, now: number): string {
    const id = randomBytes(12).toString('hex');
    const state: ResponseUrlState = { channel, user, createdAt: now, uses: 0, expired: false, pinned: false };
    if (originalTs !== undefined) {
      const kind = this.workspace.findMessage(originalTs) ? 'message' : 'ephemeral';
      state.original = { kind, ts: originalTs };
      state.pinned = true;
    }
    this.urls.set(id, state);
    return id;
  }

  expire(id: string): void {
    const state = this.urls.get(id);
    if (state) state.expired = true;
  }

  /** A POST to the response_url `id`, answered and recorded as Slack would. */
  handle(id: string, url: string, body: Params, now: number): ResponseAnswer {
    const state = this.urls.get(id);
    const answer = this.answer(state, body, now);
    const record: FakeResponse = {
      url,
      channel: state?.channel ?? '',
      user: state?.user ?? '',
      body,
      at: now,
      status: answer.status,
      ok: answer.body.ok,
    };
    if (answer.body.error !== undefined) record.error = answer.body.error;
    this.list.push(record);
    return answer;
  }

  reset(): void {
    this.list.length = 0;
    this.urls.clear();
  }

  private answer(state: ResponseUrlState | undefined, body: Params, now: number): ResponseAnswer {
    if (!state || state.expired || now - state.createdAt > RESPONSE_URL_TTL_MS) {
      return { status: 404, body: { ok: false, error: 'expired_url' } };
    }
    if (state.uses >= RESPONSE_URL_MAX_USES) return { status: 404, body: { ok: false, error: 'used_url' } };
    state.uses += 1;

    if (flag(body, 'delete_original')) {
      this.deleteOriginal(state);
      return { status: 200, body: { ok: true } };
    }
    const read = readContent(body);
    if (!read.ok) return { status: 400, body: contentError(read) };
    const ws = this.workspace;

    if (flag(body, 'replace_original') && state.original) {
      if (state.original.kind === 'message') {
        const message = ws.findMessage(state.original.ts);
        if (message) {
          ws.update(message, read.content, false);
          return { status: 200, body: { ok: true } };
        }
      } else {
        const ephemeral = ws.findEphemeral(state.original.ts);
        if (ephemeral && !ephemeral.deleted) {
          ws.replaceEphemeral(ephemeral, read.content);
          return { status: 200, body: { ok: true } };
        }
      }
    }

    const threadTs = str(body, 'thread_ts');
    if (body.response_type === 'in_channel') {
      const parent = threadTs ? ws.findMessage(threadTs, state.channel) : undefined;
      const root = parent ? ws.threadRoot(parent) : undefined;
      const message = ws.post(state.channel, read.content, 'response_url', root);
      if (!state.pinned) state.original = { kind: 'message', ts: message.ts };
    } else {
      const ephemeral = ws.postEphemeral(state.channel, state.user, read.content, 'response_url', threadTs);
      if (!state.pinned) state.original = { kind: 'ephemeral', ts: ephemeral.ts };
    }
    return { status: 200, body: { ok: true } };
  }

  private deleteOriginal(state: ResponseUrlState): void {
    if (!state.original) return;
    if (state.original.kind === 'message') {
      const message = this.workspace.findMessage(state.original.ts);
      if (message) this.workspace.delete(message);
    } else {
      const ephemeral = this.workspace.findEphemeral(state.original.ts);
      if (ephemeral) this.workspace.deleteEphemeral(ephemeral);
    }
  }
}
