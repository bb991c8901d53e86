import { closeServer, listen } from '../loopback-http';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeChannel, FakeSlackApi } from '../fake-slack-api';
import { readBody, sendJson } from '../fake-slack/http';
import { BotBridge, type ActionRequest } from './bridge';
import { ChangeStream } from './events';
import { HomeBridge } from './home-bridge';
import { DEFAULT_PERSONAS, type Persona } from './personas';
import { isAddressInUse, PortInUseError } from './port-in-use';
import { workspaceState } from './state';
import { loadStaticFiles, renderIndex, type StaticFile } from './static-files';

export interface WorkspaceServerOptions {
  slack: FakeSlackApi;
  /** The bot's Bolt endpoint, e.g. `http://127.0.0.1:3001/slack/events`. */
  botEventsUrl: string;
  signingSecret: string;
  personas?: Persona[];
  /** The channel shown (id or name); `engineering`, else the fake's first channel. */
  channelId?: string;
  /** How long the bot has to acknowledge (Slack: 3 s). */
  ackTimeoutMs?: number;
  /** The app's slash commands; others get Slack's "not a valid command". */
  commands?: string[];
  /** Coalescing window of the change events (ms). */
  changeDelayMs?: number;
}

type Json = Record<string, unknown>;

/** What the page POSTs: commands, clicks, and a modal's submit or close. */
const POST_PATHS = new Set(['/api/command', '/api/action', '/api/view-submit', '/api/view-close']);

/**
 * A local Slack client for one channel: a page showing what the bot posted to the
 * fake Slack, as any of a few people, whose commands and clicks reach the bot as
 * signed Slack requests. Listens on loopback unless told otherwise.
 */
export class WorkspaceServer {
  private readonly slack: FakeSlackApi;
  private readonly channel: FakeChannel;
  private readonly personas: readonly Persona[];
  private readonly commands: readonly string[];
  private readonly bridge: BotBridge;
  private readonly home: HomeBridge;
  private readonly changeDelayMs: number;
  private files = new Map<string, StaticFile>();
  private index = '';
  private changes: ChangeStream | undefined;
  private server: Server | undefined;
  private address: string | undefined;

  constructor(options: WorkspaceServerOptions) {
    this.slack = options.slack;
    const wanted = options.channelId;
    const channel = wanted
      ? options.slack.channels.find((c) => c.id === wanted || c.name === wanted.replace(/^#/, ''))
      : (options.slack.channels.find((c) => c.name === 'engineering') ?? options.slack.channels[0]);
    if (!channel) throw new Error(`the fake Slack has no channel ${wanted ?? ''}`.trim());
    this.channel = channel;
    this.personas = options.personas ?? DEFAULT_PERSONAS;
    if (this.personas.length === 0) throw new Error('WorkspaceServer needs at least one persona');
    // A persona the fake does not know could neither be mentioned nor get its ephemerals.
    const stranger = this.personas.find((p) => !options.slack.users.some((u) => u.id === p.id && !u.isBot));
    if (stranger) throw new Error(`persona ${stranger.id} is not a user of the fake Slack`);
    this.commands = options.commands ?? ['/deploy', '/rollback'];
    this.changeDelayMs = options.changeDelayMs ?? 100;
    this.bridge = new BotBridge({
      slack: options.slack,
      botEventsUrl: options.botEventsUrl,
      signingSecret: options.signingSecret,
      channel,
      ackTimeoutMs: options.ackTimeoutMs ?? 3000,
      commands: this.commands,
    });
    this.home = new HomeBridge({
      slack: options.slack,
      botEventsUrl: options.botEventsUrl,
      signingSecret: options.signingSecret,
      ackTimeoutMs: options.ackTimeoutMs ?? 3000,
    });
  }

  async start(port = 0, host = '127.0.0.1'): Promise<void> {
    if (this.server) throw new Error('WorkspaceServer is already started');
    this.files = await loadStaticFiles();
    this.index = renderIndex(this.files.get('index.html')?.body ?? '', {
      personas: this.personas,
      channel: this.channel,
      commands: this.commands,
    });
    this.changes = new ChangeStream(this.slack, this.changeDelayMs);
    const server = createServer((req, res) => void this.route(req, res));
    await listen(server, port, host).catch((error: unknown) => {
      this.changes?.close();
      this.changes = undefined;
      throw isAddressInUse(error) ? new PortInUseError(port, host, { cause: error }) : error;
    });
    this.server = server;
    const { port: bound } = server.address() as AddressInfo;
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    this.address = `http://${shown}:${bound}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // Open event streams would keep close() waiting forever.
    this.changes?.close();
    this.changes = undefined;
    await closeServer(server);
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    if (!this.address) throw new Error('WorkspaceServer is not started');
    return this.address;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname;
      if (req.method === 'GET' || req.method === 'HEAD') {
        if (path === '/' || path === '/index.html')
          return this.sendText(res, 'text/html; charset=utf-8', this.index);
        const file = path.startsWith('/static/') ? this.files.get(path.slice('/static/'.length)) : undefined;
        if (file && path !== '/static/index.html') return this.sendText(res, file.type, file.body);
        if (path === '/api/state') return this.state(res, url.searchParams.get('user'));
        if (path === '/api/home') return this.homeView(res, url.searchParams.get('user'));
        if (path === '/api/events' && req.method === 'GET' && this.changes)
          return this.changes.attach(req, res);
        if (path === '/favicon.ico') return void res.writeHead(204).end();
      }
      if (req.method === 'POST' && POST_PATHS.has(path)) {
        // JSON only: a form or text/plain POST from another site cannot get here without CORS.
        if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
          return sendJson(res, 415, { ok: false, error: 'json_only' });
        }
        const body = parseJson(await readBody(req));
        if (!body) return sendJson(res, 400, { ok: false, error: 'invalid_json' });
        const user = this.userOf(body.user);
        if (!user) return sendJson(res, 400, { ok: false, error: 'unknown_user' });
        const outcome =
          path === '/api/command'
            ? await this.bridge.command(user, typeof body.text === 'string' ? body.text : '')
            : path === '/api/action'
              ? await this.action(user, body)
              : await this.view(path, user, body);
        return sendJson(res, outcome.status, outcome.body);
      }
      if (req.method === 'POST' && path === '/api/home') return await this.openHome(req, res);
      sendJson(res, 404, { ok: false, error: 'not_found' });
    } catch (error) {
      if (!res.headersSent)
        sendJson(res, 500, { ok: false, error: 'internal_error', message: String(error) });
    }
  }

  private state(res: ServerResponse, user: string | null): void {
    const me = user === null ? this.personas[0]?.id : this.userOf(user);
    if (!me) return sendJson(res, 400, { ok: false, error: 'unknown_user' });
    sendJson(res, 200, workspaceState(this.slack, this.channel, this.personas, me), {
      'Cache-Control': 'no-store',
    });
  }

  private action(user: string, body: Json) {
    const { ts, actionId, blockId, selected } = body;
    if (typeof ts !== 'string' || typeof actionId !== 'string') {
      return Promise.resolve({ status: 400, body: { ok: false, error: 'ts_and_action_id_required' } });
    }
    const request: ActionRequest = { ts, actionId, blockId: typeof blockId === 'string' ? blockId : '' };
    if (selected !== undefined) {
      if (!Array.isArray(selected) || !selected.every((v) => typeof v === 'string')) {
        return Promise.resolve({ status: 400, body: { ok: false, error: 'selected_must_be_values' } });
      }
      request.selected = selected;
    }
    return this.bridge.action(user, request);
  }

  /** The modal's submit (with what was typed, by input block id) or its close. */
  private async view(path: string, user: string, body: Json) {
    const { viewId, values } = body;
    if (typeof viewId !== 'string') return { status: 400, body: { ok: false, error: 'view_id_required' } };
    if (path === '/api/view-close') return this.bridge.closeView(user, viewId);
    const typed = values && typeof values === 'object' && !Array.isArray(values) ? (values as Json) : {};
    if (!Object.values(typed).every((v) => typeof v === 'string')) {
      return { status: 400, body: { ok: false, error: 'values_must_be_text' } };
    }
    return this.bridge.submitView(user, viewId, typed as Record<string, string>);
  }

  /** The Home tab's view as the bot last published it for a user. */
  private homeView(res: ServerResponse, user: string | null): void {
    const me = this.userOf(user);
    if (!me) return sendJson(res, 400, { ok: false, error: 'unknown_user' });
    sendJson(res, 200, { ok: true, ...this.home.view(me) }, { 'Cache-Control': 'no-store' });
  }

  /** The person opened the Home tab: Slack tells the bot (app_home_opened). */
  private async openHome(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      return sendJson(res, 415, { ok: false, error: 'json_only' });
    }
    const me = this.userOf(parseJson(await readBody(req))?.user);
    if (!me) return sendJson(res, 400, { ok: false, error: 'unknown_user' });
    const outcome = await this.home.open(me);
    sendJson(res, outcome.status, outcome.body);
  }

  /** A person the fake Slack knows (a persona or any other user), never the bot itself. */
  private userOf(value: unknown): string | undefined {
    if (typeof value !== 'string') return undefined;
    const user = this.slack.users.find((u) => u.id === value);
    return user && !user.isBot ? user.id : undefined;
  }

  private sendText(res: ServerResponse, type: string, body: string): void {
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(body);
  }
}

function parseJson(raw: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}
