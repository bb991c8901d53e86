/** Shapes of the local fake Slack workspace: what tests and the sandbox page read back. */

export interface FakeUser {
  id: string;
  /** The handle, e.g. `riley`. */
  name: string;
  realName?: string;
  isBot?: boolean;
}

export interface FakeChannel {
  id: string;
  name: string;
}

export interface FakeSlackOptions {
  users?: FakeUser[];
  /** Usergroup (subteam) id to its member user ids. */
  usergroups?: Record<string, string[]>;
  channels?: FakeChannel[];
}

/** How a message got there: a Web API call or a POST to a response_url. */
export type FakeVia = 'api' | 'response_url';

export interface FakeMessage {
  type: 'message';
  /**
   * `thread_broadcast` on a reply posted with `reply_broadcast`: it stays in its
   * thread's `replies` and also shows in the channel (see `FakeSlackApi.timeline`).
   */
  subtype?: 'thread_broadcast';
  channel: string;
  ts: string;
  text: string;
  /** The bot user, for everything posted through the fake. */
  user: string;
  bot_id: string;
  app_id: string;
  team: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: unknown;
  thread_ts?: string;
  reply_count?: number;
  reply_users?: string[];
  latest_reply?: string;
  edited?: { user: string; ts: string };
  /** Top-level messages only: the thread, oldest first. Always empty on a reply. */
  replies: FakeMessage[];
  via: FakeVia;
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  /** The `message_ts` Slack answered with. */
  ts: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  thread_ts?: string;
  via: FakeVia;
  /** Set once a response_url `delete_original` removed it (kept so tests can see it happened). */
  deleted?: boolean;
}

export interface FakeCall {
  method: string;
  /** Parsed parameters (JSON-encoded form fields decoded); never the token. */
  body: Record<string, unknown>;
  /** Epoch milliseconds. */
  at: number;
  /** HTTP status answered (200, or 429 when rate limited). */
  status: number;
  ok: boolean;
  error?: string;
}

export interface FakeResponse {
  /** The response_url used. */
  url: string;
  channel: string;
  user: string;
  body: Record<string, unknown>;
  at: number;
  status: number;
  ok: boolean;
  error?: string;
}

export interface FakeView {
  user: string;
  view: Record<string, unknown>;
  at: number;
}

export type FakeSlackChange =
  | { kind: 'call'; call: FakeCall }
  | { kind: 'message'; channel: string; ts: string; thread_ts?: string }
  | { kind: 'update'; channel: string; ts: string }
  | { kind: 'delete'; channel: string; ts: string }
  | { kind: 'ephemeral'; channel: string; user: string; ts: string }
  | { kind: 'response'; response: FakeResponse }
  | { kind: 'view'; user: string }
  | { kind: 'socket'; event: 'open' | 'close'; connection: string }
  | { kind: 'socket'; event: 'ack'; connection: string; envelope_id: string }
  | { kind: 'reset' };

/** A Socket Mode WebSocket connection the app made; `open` turns false when it closes. */
export interface FakeSocketConnection {
  id: string;
  open: boolean;
}

/** A Socket Mode envelope the fake sent. */
export interface FakeEnvelope {
  envelope_id: string;
  /** `slash_commands`, `interactive`, or whatever a test sent. */
  type: string;
  /** The connection it went out on. */
  connection: string;
  at: number;
}

/** A message the app sent back over a Socket Mode connection: an ack, `{envelope_id, payload?}`. */
export interface FakeSocketAck {
  /** '' when the message named none (or was not JSON). */
  envelope_id: string;
  /** The response payload, e.g. a slash command's immediate reply. */
  payload?: unknown;
  connection: string;
  at: number;
  /** The message as received. */
  raw: string;
}

/** A Web API answer: the JSON body plus, for rate limiting, the HTTP status and headers. */
export interface ApiAnswer {
  status: number;
  body: Record<string, unknown> & { ok: boolean; error?: string };
  headers?: Record<string, string>;
}
