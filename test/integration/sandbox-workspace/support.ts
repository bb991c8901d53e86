import { verifySlackRequest } from '@slack/bolt';
import { createServer, get, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeSlackApi } from '../../../src/sandbox/fake-slack-api';
import { WorkspaceServer, type WorkspaceServerOptions } from '../../../src/sandbox/workspace';

export const SECRET = ['workspace', 'test', 'secret'].join('-');
const TOKEN = ['xoxb', 'workspace', 'test'].join('-');

type Json = Record<string, unknown>;

export interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  form: URLSearchParams;
  /** The parsed `payload` field of an interaction. */
  payload?: Json;
}

export interface Reply {
  status?: number;
  body?: string;
  contentType?: string;
  delayMs?: number;
}

/**
 * The bot's side of the wire: records what arrives at /slack/events, refusing
 * (401) anything whose signature Bolt's own `verifySlackRequest` rejects.
 */
export class RecordingBot {
  readonly received: Received[] = [];
  rejected = 0;
  reply: (request: Received) => Reply = () => ({});
  private server: Server | undefined;

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        try {
          verifySlackRequest({
            signingSecret: SECRET,
            body: raw,
            headers: {
              'x-slack-signature': String(req.headers['x-slack-signature']),
              'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
            },
          });
        } catch {
          this.rejected += 1;
          return void res.writeHead(401).end();
        }
        const form = new URLSearchParams(raw);
        const payload = form.get('payload');
        const request: Received = { headers: req.headers, raw, form };
        if (payload) request.payload = JSON.parse(payload) as Json;
        this.received.push(request);
        const reply = this.reply(request);
        const send = () => {
          const headers = reply.contentType ? { 'content-type': reply.contentType } : undefined;
          res.writeHead(reply.status ?? 200, headers).end(reply.body ?? '');
        };
        if (reply.delayMs) setTimeout(send, reply.delayMs);
        else send();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/slack/events`;
  }
}

/** Fake Slack, recording bot and workspace page, started together. */
export class Rig {
  readonly slack = new FakeSlackApi({ usergroups: { S0APPROVERS: ['U0APPROVER'] } });
  readonly bot = new RecordingBot();
  workspace!: WorkspaceServer;

  async start(options: Partial<WorkspaceServerOptions> = {}): Promise<this> {
    await this.slack.start();
    await this.bot.start();
    this.workspace = new WorkspaceServer({
      slack: this.slack,
      botEventsUrl: this.bot.url,
      signingSecret: SECRET,
      ...options,
    });
    await this.workspace.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.workspace?.stop();
    await this.bot.stop();
    await this.slack.stop();
  }

  /** POSTs JSON to the workspace page's API, as the page's script does. */
  async api(path: string, body: unknown): Promise<{ status: number; json: Json }> {
    const response = await fetch(`${this.workspace.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Json };
  }

  /** A Web API call as the bot makes it, straight to the fake Slack. */
  async slackCall(method: string, params: Json): Promise<Json> {
    const response = await fetch(`${this.slack.apiUrl}${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(params),
    });
    const json = (await response.json()) as Json;
    if (json.ok !== true) throw new Error(`${method} failed: ${JSON.stringify(json)}`);
    return json;
  }
}

/** Reads a Server-Sent Events stream, collecting `event:` names as they come. */
export function openEvents(
  url: string,
): Promise<{ events: string[]; seqs: number[]; close: () => void; status: number; type: string }> {
  return new Promise((resolve, reject) => {
    const events: string[] = [];
    /** Each event's `seq` (the server counts the events it sent), in arrival order. */
    const seqs: number[] = [];
    const req = get(url, (res) => {
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const name = /^event: (.+)$/m.exec(frame)?.[1];
          if (name) events.push(name);
          const seq = /^data: .*"seq":(\d+)/m.exec(frame)?.[1];
          if (name && seq !== undefined) seqs.push(Number(seq));
        }
      });
      res.on('error', () => undefined);
      resolve({
        events,
        seqs,
        close: () => req.destroy(),
        status: res.statusCode ?? 0,
        type: String(res.headers['content-type']),
      });
    });
    // After the stream is open, rejecting is a no-op: close() destroys the request on purpose.
    req.on('error', reject);
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
