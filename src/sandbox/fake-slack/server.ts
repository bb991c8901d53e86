import { closeServer, listen } from '../loopback-http';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { str, type Params } from './content';
import { appTokenProblem, botTokenProblem, parseParams, readBody, sendJson, tokenOf } from './http';
import { METHODS } from './methods';
import { FakeModals, type FakeModal } from './modals';
import { RateLimiter } from './rate-limit';
import { ResponseUrls } from './response-urls';
import { SocketModeHub } from './socket-mode';
import type {
  ApiAnswer,
  FakeCall,
  FakeChannel,
  FakeEphemeral,
  FakeMessage,
  FakeResponse,
  FakeSlackChange,
  FakeSlackOptions,
  FakeUser,
  FakeView,
} from './types';
import { Workspace } from './workspace';

const RATE_LIMITED = { status: 429, headers: { 'Retry-After': '1' } } as const;

/** The one method that takes the app-level token (xapp-…) rather than the bot's. */
const SOCKET_OPEN = 'apps.connections.open';

/**
 * A small Slack on 127.0.0.1: the Web API methods deploybot uses, response_urls,
 * Block Kit validation, switchable rate limits and Socket Mode (`socketMode`),
 * with everything it was sent kept for tests (and a sandbox page) to read.
 * Tokens are checked, never kept.
 */
export class FakeSlackApi {
  /** Every Web API call, in order, with its parsed parameters (never the token). */
  readonly calls: FakeCall[] = [];
  private readonly workspace: Workspace;
  private readonly views = new Map<string, FakeView>();
  private readonly modals = new FakeModals();
  private readonly limiter = new RateLimiter();
  private readonly responseUrls: ResponseUrls;
  /** Socket Mode: envelopes to the app over the WebSocket that `apps.connections.open` hands out. */
  readonly socketMode: SocketModeHub;
  private readonly events = new EventEmitter();
  private readonly failures = new Map<string, string[]>();
  private server: Server | undefined;
  private port: number | undefined;

  constructor(options: FakeSlackOptions = {}) {
    this.events.setMaxListeners(0);
    this.workspace = new Workspace(options, (change) => this.emit(change));
    this.responseUrls = new ResponseUrls(this.workspace);
    this.socketMode = new SocketModeHub((change) => this.emit(change));
  }

  async start(port = 0): Promise<void> {
    if (this.server) throw new Error('FakeSlackApi is already started');
    const server = createServer((req, res) => void this.route(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.socketMode.handleUpgrade(req, socket, head),
    );
    await listen(server, port, '127.0.0.1');
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // Upgraded sockets are no longer the HTTP server's to close.
    this.socketMode.closeAll('terminate');
    await closeServer(server);
  }

  /** `http://127.0.0.1:<port>` */
  get baseUrl(): string {
    if (this.port === undefined) throw new Error('FakeSlackApi is not started');
    return `http://127.0.0.1:${this.port}`;
  }

  /** What the Slack WebClient takes as `slackApiUrl`. */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  get channels(): readonly FakeChannel[] {
    return this.workspace.channels;
  }

  get users(): readonly FakeUser[] {
    return this.workspace.users;
  }

  get usergroups(): Readonly<Record<string, string[]>> {
    return this.workspace.usergroups;
  }

  /** Every POST to a response_url, in order. */
  get responses(): readonly FakeResponse[] {
    return this.responseUrls.list;
  }

  /**
   * Top-level messages of a channel (id or name), oldest first, each with its `replies`;
   * a broadcast reply is only in its thread's `replies` here (`timeline` lists it too).
   */
  messages(channel: string): FakeMessage[] {
    return this.workspace.messages(channel);
  }

  /**
   * What a channel (id or name) shows, oldest first: its top-level messages and the
   * thread replies also sent to the channel (`subtype: 'thread_broadcast'`, still in
   * their thread's `replies` too), as conversations.history lists them.
   */
  timeline(channel: string): FakeMessage[] {
    return this.workspace.timeline(channel);
  }

  /** Ephemeral messages still shown, optionally only to one user. */
  ephemerals(userId?: string): FakeEphemeral[] {
    return this.workspace.ephemerals(userId);
  }

  /** A message by ts, top level or in a thread, in any channel. */
  findMessage(ts: string): FakeMessage | undefined {
    return this.workspace.findMessage(ts);
  }

  /** The App Home view last published for a user. */
  homeView(userId: string): FakeView | undefined {
    return this.views.get(userId);
  }

  /**
   * A trigger_id for an interaction by `userId`, as Slack puts in each click:
   * views.open takes it (once, within 3 s) and opens the modal for that user.
   */
  newTriggerId(userId: string): string {
    return this.modals.issueTrigger(userId, Date.now());
  }

  /** The modal open for a user (views.open), until it is submitted or closed. */
  modal(userId: string): FakeModal | undefined {
    return this.modals.forUser(userId);
  }

  modalById(viewId: string): FakeModal | undefined {
    return this.modals.byId(viewId);
  }

  /** The person closed the modal, or the bot's answer to its submission did (an empty ack, `clear`). */
  closeModal(viewId: string): void {
    const closed = this.modals.close(viewId);
    if (closed) this.emit({ kind: 'view', user: closed.user });
  }

  /** The bot answered a submission with `response_action: 'update'`. */
  updateModal(viewId: string, view: Record<string, unknown>): void {
    const modal = this.modals.byId(viewId);
    if (modal && this.modals.update(viewId, view)) this.emit({ kind: 'view', user: modal.user });
  }

  callsTo(method: string): FakeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /**
   * A response_url for an interaction by `userId` in `channelId` (defaults: the
   * first channel and the first user). `originalTs` is the message the interaction
   * came from, which `replace_original`/`delete_original` then act on; without it
   * they act on the last response posted through this URL.
   */
  newResponseUrl(channelId?: string, userId?: string, originalTs?: string): string {
    const channel =
      this.workspace.channel(channelId)?.id ?? channelId ?? this.workspace.channels[0]?.id ?? '';
    const user = userId ?? this.workspace.users[0]?.id ?? '';
    return `${this.baseUrl}/response/${this.responseUrls.create(channel, user, originalTs, Date.now())}`;
  }

  /** Makes a response_url answer `expired_url`, as after Slack's 30 minutes. */
  expireResponseUrl(url: string): void {
    this.responseUrls.expire(url.split('/response/')[1] ?? '');
  }

  /**
   * At most `perMinute` calls to `method` per sliding window (60 s unless
   * `windowMs` says otherwise); beyond it HTTP 429 with `Retry-After: 1`.
   * `undefined` lifts the limit.
   */
  setRateLimit(method: string, perMinute: number | undefined, options: { windowMs?: number } = {}): void {
    this.limiter.setMethodLimit(method, perMinute, options.windowMs ?? 60_000);
  }

  /** At most `perSecond` chat.postMessage calls per channel per second; `undefined` lifts it. */
  setChannelPostLimit(perSecond: number | undefined): void {
    this.limiter.setChannelLimit(perSecond);
  }

  /** The next `times` calls to `method` get HTTP 429 regardless of any budget. */
  rateLimitNext(method: string, times = 1): void {
    this.limiter.limitNext(method, times);
  }

  /** The next `times` calls to `method` answer `{ok:false, error}` (e.g. 'channel_not_found'). */
  failNext(method: string, error: string, times = 1): void {
    const queue = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i += 1) queue.push(error);
    this.failures.set(method, queue);
  }

  /** Calls `listener` on every change; returns a function that stops it. */
  onChange(listener: (change: FakeSlackChange) => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  /**
   * Resolves with the first value of `probe` that is not undefined, null or false,
   * checking after every change and every 10 ms; a probe that throws counts as not
   * yet, and its last error is reported on timeout.
   */
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    return new Promise((resolve, reject) => {
      let lastError: unknown;
      const attempt = (): boolean => {
        try {
          const value = probe();
          if (value !== undefined && value !== null && value !== false) {
            finish();
            resolve(value);
            return true;
          }
        } catch (error) {
          lastError = error;
        }
        return false;
      };
      const interval = setInterval(attempt, 10);
      const unsubscribe = this.onChange(() => void attempt());
      const timer = setTimeout(() => {
        finish();
        const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
        reject(new Error(`FakeSlackApi.waitFor timed out after ${timeoutMs} ms${detail}`));
      }, timeoutMs);
      const finish = (): void => {
        clearInterval(interval);
        clearTimeout(timer);
        unsubscribe();
      };
      attempt();
    });
  }

  /**
   * Forgets messages, calls, responses, views, limits, injected failures and
   * Socket Mode envelopes and acks; keeps running, and open sockets stay open.
   */
  reset(): void {
    this.calls.length = 0;
    this.workspace.clear();
    this.views.clear();
    this.modals.clear();
    this.limiter.reset();
    this.responseUrls.reset();
    this.failures.clear();
    this.socketMode.reset();
    this.emit({ kind: 'reset' });
  }

  private emit(change: FakeSlackChange): void {
    this.events.emit('change', change);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const raw = await readBody(req);
      const parsed = parseParams(req.headers['content-type'], raw, url.searchParams);
      if (url.pathname.startsWith('/api/')) {
        const method = url.pathname.slice('/api/'.length);
        if ('error' in parsed)
          return this.answer(res, method, {}, { status: 200, body: { ok: false, error: 'invalid_json' } });
        const isForm = !(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
        // Slack refuses an app-level token sent as a POST parameter: it must come in the header.
        const formToken = isForm && method !== SOCKET_OPEN ? str(parsed.params, 'token') : undefined;
        const { token: _token, ...params } = parsed.params;
        const answer = this.callMethod(method, tokenOf(req.headers.authorization, formToken), params);
        return this.answer(res, method, params, answer);
      }
      if (url.pathname.startsWith('/response/') && req.method === 'POST') {
        if ('error' in parsed) return sendJson(res, 400, { ok: false, error: 'invalid_json' });
        const answer = this.responseUrls.handle(
          url.pathname.slice('/response/'.length),
          `${this.baseUrl}${url.pathname}`,
          parsed.params,
          Date.now(),
        );
        const last = this.responseUrls.list.at(-1);
        if (last) this.emit({ kind: 'response', response: last });
        return sendJson(res, answer.status, answer.body);
      }
      sendJson(res, 404, { ok: false, error: 'not_found' });
    } catch {
      if (!res.headersSent) sendJson(res, 400, { ok: false, error: 'invalid_request' });
    }
  }

  private callMethod(method: string, token: string | undefined, params: Params): ApiAnswer {
    const handler = METHODS[method];
    if (!handler && method !== SOCKET_OPEN)
      return { status: 200, body: { ok: false, error: 'unknown_method' } };
    const tokenProblem = method === SOCKET_OPEN ? appTokenProblem(token) : botTokenProblem(token);
    if (tokenProblem) return { status: 200, body: { ok: false, error: tokenProblem } };
    const now = Date.now();
    if (this.limiter.methodLimited(method, now))
      return { ...RATE_LIMITED, body: { ok: false, error: 'ratelimited' } };
    if (method === 'chat.postMessage') {
      const channel = this.workspace.channel(str(params, 'channel'));
      if (channel && this.limiter.channelLimited(channel.id, now)) {
        return { ...RATE_LIMITED, body: { ok: false, error: 'ratelimited' } };
      }
    }
    const injected = this.failures.get(method)?.shift();
    if (injected !== undefined) return { status: 200, body: { ok: false, error: injected } };
    if (!handler)
      return { status: 200, body: { ok: true, url: this.socketMode.openUrl(`ws://127.0.0.1:${this.port}`) } };
    return {
      status: 200,
      body: handler(
        { workspace: this.workspace, views: this.views, modals: this.modals, now: Date.now },
        params,
      ),
    };
  }

  private answer(res: ServerResponse, method: string, params: Params, answer: ApiAnswer): void {
    const call: FakeCall = {
      method,
      body: params,
      at: Date.now(),
      status: answer.status,
      ok: answer.body.ok,
    };
    if (answer.body.error !== undefined) call.error = answer.body.error;
    this.calls.push(call);
    sendJson(res, answer.status, answer.body, answer.headers);
    this.emit({ kind: 'call', call });
  }
}
