import { closeServer } from '../loopback-http';
import { verifySlackRequest } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeSlackApi } from '../fake-slack-api';
import { readBody } from '../fake-slack/http';

type Json = Record<string, unknown>;

interface DemoRelease {
  id: string;
  version: string;
  by: string;
  ts: string;
  channel: string;
  ticked: Map<string, string>;
  state: 'waiting' | 'running' | 'succeeded' | 'cancelled';
  note: string;
}

const CHECKLIST = [
  { value: 'migrations', text: 'Migrations reviewed' },
  { value: 'rollback-plan', text: 'Rollback plan written' },
];
const STEPS = ['preflight', 'backup', 'migrate', 'deploy', 'verify'];
const USAGE = '```/deploy <version>\n/deploy help```';

/**
 * A stand-in bot for a look at the workspace page without Redis or AWS: it checks
 * Slack's signature like Bolt, answers `/deploy help` in its ack, and plays a
 * release (checklist, Start and Cancel with confirm dialogs, step replies in the
 * thread) through the fake Slack's Web API. Not deploybot: its messages only
 * resemble the real ones.
 */
export class DemoBot {
  private readonly client: WebClient;
  private readonly releases = new Map<string, DemoRelease>();
  private server: Server | undefined;
  private port: number | undefined;

  constructor(private readonly options: { slack: FakeSlackApi; signingSecret: string; stepMs?: number }) {
    this.client = new WebClient(['xoxb', 'demo'].join('-'), { slackApiUrl: options.slack.apiUrl });
  }

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await closeServer(server);
  }

  get eventsUrl(): string {
    return `http://127.0.0.1:${this.port ?? 0}/slack/events`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    try {
      verifySlackRequest({
        signingSecret: this.options.signingSecret,
        body: raw,
        headers: {
          'x-slack-signature': String(req.headers['x-slack-signature']),
          'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
        },
      });
    } catch {
      return void res.writeHead(401).end();
    }
    const form = new URLSearchParams(raw);
    const payload = form.get('payload');
    const ack = payload ? undefined : this.command(form);
    res.writeHead(200, ack ? { 'content-type': 'application/json' } : {}).end(ack ? JSON.stringify(ack) : '');
    if (payload) await this.action(JSON.parse(payload) as Json).catch(() => undefined);
  }

  /** Answers in the ack (as deploybot does for help and usage) or starts a release. */
  private command(form: URLSearchParams): Json | undefined {
    const text = (form.get('text') ?? '').trim();
    if (form.get('command') !== '/deploy') {
      return { response_type: 'ephemeral', text: `The demo bot only plays \`/deploy\`. ${USAGE}` };
    }
    if (text === '' || text === 'help' || !/^v?\d+\.\d+\.\d+$/.test(text)) {
      return { response_type: 'ephemeral', text: `:information_source: Usage:\n${USAGE}` };
    }
    const release: DemoRelease = {
      id: `rel-${this.releases.size + 1}`,
      version: text,
      by: form.get('user_id') ?? '',
      ts: '',
      channel: form.get('channel_id') ?? '',
      ticked: new Map(),
      state: 'waiting',
      note: 'Tick the checklist, then Start.',
    };
    void this.client.chat
      .postMessage({ channel: release.channel, ...this.message(release) })
      .then(async (posted) => {
        release.ts = String(posted.ts);
        this.releases.set(release.ts, release);
        await this.reply(release, `:clipboard: Plan: ${STEPS.map((s) => `\`${s}\``).join(' → ')}`);
      });
    return undefined;
  }

  private async action(payload: Json): Promise<void> {
    const ts = String((payload.container as Json | undefined)?.message_ts);
    const release = this.releases.get(ts);
    const action = (payload.actions as Json[] | undefined)?.[0];
    const user = String((payload.user as Json | undefined)?.id);
    if (!release || !action) return;
    if (action.type === 'checkboxes') {
      const selected = new Set(
        ((action.selected_options as Json[] | undefined) ?? []).map((o) => String(o.value)),
      );
      for (const item of CHECKLIST) {
        if (!selected.has(item.value)) release.ticked.delete(item.value);
        else if (!release.ticked.has(item.value)) release.ticked.set(item.value, user);
      }
    } else if (action.action_id === 'release_cancel' && release.state === 'waiting') {
      release.state = 'cancelled';
      release.note = `Cancelled by <@${user}>.`;
    } else if (action.action_id === 'release_start' && release.state === 'waiting') {
      release.state = 'running';
      release.note = `Started by <@${user}>; steps are in the thread.`;
      void this.run(release);
    }
    await this.client.chat.update({ channel: release.channel, ts: release.ts, ...this.message(release) });
  }

  private async run(release: DemoRelease): Promise<void> {
    for (const step of STEPS) {
      await new Promise((resolve) => setTimeout(resolve, this.options.stepMs ?? 700));
      await this.reply(release, `:white_check_mark: *${step}* done`);
    }
    release.state = 'succeeded';
    release.note = `:tada: *${release.version}* is live. Requested by <@${release.by}>.`;
    await this.client.chat.update({ channel: release.channel, ts: release.ts, ...this.message(release) });
  }

  private async reply(release: DemoRelease, text: string): Promise<void> {
    await this.client.chat.postMessage({ channel: release.channel, thread_ts: release.ts, text });
  }

  private message(r: DemoRelease): { text: string; blocks: Json[] } {
    const open = r.state === 'waiting';
    const blocks: Json[] = [
      {
        type: 'header',
        text: { type: 'plain_text', text: `:rocket: backend ${r.version} → production`, emoji: true },
      },
      {
        type: 'section',
        fields: [
          `*App*\nbackend`,
          `*Environment*\nproduction`,
          `*Version*\n\`${r.version}\``,
          `*State*\n${r.state}`,
        ].map((text) => ({ type: 'mrkdwn', text })),
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `\`${r.id}\` · requested by <@${r.by}> · ${r.note}` }],
      },
      { type: 'divider' },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*Checklist*  ${r.ticked.size}/${CHECKLIST.length} ticked` },
      },
    ];
    const options = CHECKLIST.map((item) => ({
      text: { type: 'plain_text', text: item.text, emoji: true },
      value: item.value,
      ...(r.ticked.has(item.value)
        ? { description: { type: 'mrkdwn', text: `ticked by <@${r.ticked.get(item.value)}>` } }
        : {}),
    }));
    const initial = options.filter((o) => r.ticked.has(o.value));
    const checkboxes = { type: 'checkboxes', action_id: 'checklist:1', options };
    blocks.push({
      type: 'actions',
      block_id: 'checklist-demo-0',
      elements: [initial.length > 0 ? { ...checkboxes, initial_options: initial } : checkboxes],
    });
    if (open) {
      const confirm = (title: string, text: string, yes: string, danger: boolean) => ({
        title: { type: 'plain_text', text: title },
        text: { type: 'plain_text', text },
        confirm: { type: 'plain_text', text: yes },
        deny: { type: 'plain_text', text: 'Not yet' },
        ...(danger ? { style: 'danger' } : {}),
      });
      blocks.push({
        type: 'actions',
        block_id: 'release-buttons',
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Start' },
            action_id: 'release_start',
            value: r.id,
            style: 'primary',
            confirm: confirm('Start the release?', `${r.version} goes to production.`, 'Start', false),
          },
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Cancel' },
            action_id: 'release_cancel',
            value: r.id,
            style: 'danger',
            confirm: confirm('Cancel the release?', 'Nothing has been changed yet.', 'Cancel release', true),
          },
        ],
      });
    }
    return { text: `backend ${r.version} → production: ${r.state}`, blocks };
  }
}
