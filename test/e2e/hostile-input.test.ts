import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { FakeSlackApi } from '../../src/sandbox/fake-slack-api';
import {
  CANCEL_QUEUED_ACTION,
  QUEUE_IT_ACTION,
  RUN_ANYWAY_ACTION,
} from '../../src/slack/blocks/queue-blocks';
import { CANCEL_ACTION, START_ACTION } from '../../src/slack/blocks/release-message';
import { REVIEW_CALLBACK_ID } from '../../src/slack/blocks/review-modal';
import { REVIEW_OPEN_ACTION } from '../../src/slack/blocks/review-prompt';
import {
  APPROVE_ROLLBACK_ACTION,
  CONFIRM_RESTORE_ACTION,
  REJECT_ROLLBACK_ACTION,
} from '../../src/slack/blocks/rollback-message';
import { cleanup, connectTestRedis, freshPrefix } from '../support/redis';
import { blockActionsPayload, postRaw, signSlackRequest, slashCommandBody } from '../support/slack-requests';
import { startTs } from '../support/spawn';

const SECRET = ['hostile', 'signing', 'secret'].join('-');
const TOKEN = ['xoxb', 'hostile', 'token'].join('-');
const REQUESTS = 2_200;
const CONCURRENCY = 16;
/** Every button the bot listens for, by the constants its listeners use, and a checklist group. */
const ACTION_IDS = [
  START_ACTION,
  CANCEL_ACTION,
  'checklist:1',
  APPROVE_ROLLBACK_ACTION,
  REJECT_ROLLBACK_ACTION,
  CONFIRM_RESTORE_ACTION,
  QUEUE_IT_ACTION,
  RUN_ANYWAY_ACTION,
  CANCEL_QUEUED_ACTION,
  REVIEW_OPEN_ACTION,
];
/** Slack's own budget: no answer may take longer (the request is aborted, and the test fails). */
const SLACK_BUDGET_MS = 3_000;

/** mulberry32: a small seeded PRNG, so every run sends the very same requests. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

/** Characters that break naive code: controls, bidi overrides, surrogates' neighbours, emoji, quotes. */
const NASTY = [
  '\u0000',
  '\u0007',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u202e',
  '\u2066',
  '\u200f',
  '\n',
  '\r',
  '\t',
  '"',
  "'",
  '\\',
  '<',
  '>',
  '&',
  '%',
  '=',
  '+',
  '`',
  '*',
  '~',
  '😀',
  '🚀',
  'ü',
  '日',
  '\u00a0',
  '\u2028',
  '\ufeff',
  ' ',
];
function garbage(r: Rng, max = 40): string {
  let out = '';
  const length = r.int(max);
  for (let i = 0; i < length; i++)
    out += r.next() < 0.5 ? r.pick(NASTY) : String.fromCharCode(33 + r.int(90));
  return out;
}

/** A value of some JSON type, to put where another type belongs. */
function wrongValue(r: Rng): unknown {
  return r.pick([
    null,
    0,
    -1,
    1e308,
    true,
    false,
    '',
    garbage(r),
    [],
    [garbage(r)],
    {},
    { id: 7 },
    '__proto__',
  ]);
}

/**
 * Command text that may be anything but can never start or change a release:
 * a version always comes with an app that is not configured, lock/unlock/cancel
 * name nothing real, and the rest is read-only (help, status, history) or noise.
 */
function commandText(r: Rng): string {
  const noApp = `zz${r.int(1e6)}`;
  return r.pick([
    () => garbage(r, 80),
    () => `help ${garbage(r)}`,
    () => `status ${noApp}${garbage(r, 5)}`,
    () => `history ${garbage(r)}`,
    () => `v${r.int(9)}.${r.int(9)}.${r.int(9)} ${noApp} ${garbage(r)} --type ${garbage(r, 5)}`,
    () => `v${garbage(r, 6)} ${noApp}`,
    () => `cancel ${garbage(r, 20)}`,
    () => `lock ${noApp} staging ${garbage(r)}`,
    () => `unlock ${noApp}`,
    () => `--${garbage(r, 10)} ${noApp}`,
    () => garbage(r, 4000),
  ])();
}

interface Hostile {
  body: string;
  contentType?: string;
  /** Seconds from now the request says it was signed; 0 for now. */
  skew: number;
  badSignature?: boolean;
}

function deep(depth: number, r: Rng): string {
  return r.next() < 0.5
    ? `${'['.repeat(depth)}1${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

function generate(r: Rng, responseUrl: string): Hostile[] {
  const user = () => `U0HOSTILE${r.int(50)}`;
  const command = (name: string) =>
    slashCommandBody({
      command: name,
      text: commandText(r),
      user_id: user(),
      response_url: responseUrl,
      trigger_id: `${r.int(1e9)}.1.${r.int(1e9)}`,
    });
  const click = () =>
    blockActionsPayload(
      {
        user_id: user(),
        message: {
          ts: '1764262000.000100',
          blocks:
            r.next() < 0.5
              ? []
              : [
                  {
                    type: 'actions',
                    block_id: 'b',
                    elements: [{ type: 'button', action_id: 'release_start', value: `r${garbage(r, 10)}` }],
                  },
                ],
        },
        response_url: responseUrl,
      },
      {
        type: r.pick(['button', 'checkboxes']),
        action_id: r.pick([...ACTION_IDS, `unknown_${garbage(r, 8)}`]),
        block_id: 'b',
        value: garbage(r, 30),
        selected_options: [{ value: garbage(r, 10) }],
      },
    ) as Record<string, unknown>;
  const withWrongField = (payload: Record<string, unknown>) => {
    const keys = Object.keys(payload);
    const key = r.pick(keys);
    return r.next() < 0.3 ? { ...payload, [key]: undefined } : { ...payload, [key]: wrongValue(r) };
  };
  const form = (payload: unknown) => `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const kinds: (() => Hostile)[] = [
    () => ({
      body: `payload=${r.pick(['null', '0', '42', '-1.5e9', 'true', 'false', '"x"', '[]', '[null]', '[1,{"type":"block_actions"}]', '', '%7B', 'undefined'])}`,
      skew: 0,
    }),
    () => ({ body: form(withWrongField(click())), skew: 0 }),
    () => ({
      body: form({
        ...click(),
        type: r.pick([undefined, 'nonsense', 7, null, 'interactive_message', 'dialog_submission']),
      }),
      skew: 0,
    }),
    () => ({
      body: form({
        ...click(),
        user: r.pick([undefined, null, {}, { id: null }, { id: '__proto__' }, 'U0X', [1]]),
      }),
      skew: 0,
    }),
    () => ({ body: form(click()), skew: 0 }),
    () => ({ body: form({ ...click(), state: JSON.parse(deep(20 + r.int(200), r)) as unknown }), skew: 0 }),
    () => ({
      body: form({
        type: r.pick(['view_submission', 'view_closed', 'shortcut', 'message_action', 'block_suggestion']),
        user: { id: user() },
        team: { id: 'T0SANDBOX' },
        view: r.next() < 0.7 ? { id: 'V0X', callback_id: garbage(r, 10) } : wrongValue(r),
        callback_id: garbage(r, 10),
        trigger_id: '1.2.x',
        action_id: 'a',
        block_id: 'b',
        value: garbage(r),
      }),
      skew: 0,
    }),
    () => ({ body: command(r.pick(['/deploy', '/deploy', '/rollback', '/nope'])), skew: 0 }),
    () => ({
      body: `${command('/deploy')}&${r.pick(['text=again', 'event=x', 'payload=null', 'user_id=', 'actions=1'])}`,
      skew: 0,
    }),
    () => ({
      body: command('/deploy').replace(/(user_id|team_id|channel_id|response_url|command)=[^&]*&?/, ''),
      skew: 0,
    }),
    () => ({
      body: JSON.stringify(
        r.pick([
          null,
          1,
          'x',
          [],
          true,
          { type: 'event_callback' },
          { type: 'url_verification' },
          { type: 'app_rate_limited' },
          { type: garbage(r, 8) },
        ]),
      ),
      contentType: 'application/json',
      skew: 0,
    }),
    () => ({
      body: JSON.stringify({
        type: 'event_callback',
        team_id: r.pick(['T0SANDBOX', null, 5, '__proto__']),
        api_app_id: 'A0DEPLOYBOT',
        event_id: 'Ev1',
        event_time: 1,
        event: r.pick([
          { type: 'app_mention', user: user(), channel: 'C0ENGINEER', text: garbage(r), ts: '1.2' },
          { type: 'message', channel: null },
          { type: 'reaction_added', item: 'x' },
          { type: 'subteam_created', subteam: null },
          'x',
          null,
        ]),
      }),
      contentType: 'application/json',
      skew: 0,
    }),
    () => ({
      body: deep(1000 + r.int(50_000), r),
      contentType: r.pick(['application/json', 'application/x-www-form-urlencoded']),
      skew: 0,
    }),
    () => ({ body: `payload=${'A'.repeat(1024 * 1024 + r.int(500_000))}`, skew: 0 }),
    () => ({ body: form(click()), skew: r.pick([-1, 1]) * (301 + r.int(86_400)) }),
    () => ({ body: command('/deploy'), skew: r.pick([-1, 1]) * (301 + r.int(3_600)) }),
    () => ({
      body: form(click()),
      contentType: r.pick(['text/plain', 'multipart/form-data', 'application/xml', '', 'application/json']),
      skew: 0,
    }),
    () => ({ body: command('/deploy'), skew: 0, badSignature: true }),
    () => ({ body: `ssl_check=1&token=x&${form(null)}`, skew: 0 }),
    () => ({
      body: garbage(r, 300),
      contentType: r.pick(['application/json', 'application/x-www-form-urlencoded']),
      skew: 0,
    }),
    // The review modal's submission with its state broken: answers of the wrong type, no state,
    // a release id that is garbage (or a prototype key) in private_metadata.
    () => ({
      body: form({
        type: 'view_submission',
        user: r.pick([{ id: user() }, { id: null }, undefined, wrongValue(r)]),
        team: { id: 'T0SANDBOX' },
        trigger_id: '1.2.x',
        view: {
          id: 'V0HOSTILE',
          callback_id: REVIEW_CALLBACK_ID,
          private_metadata: r.pick([garbage(r, 30), '__proto__', '', wrongValue(r)]),
          state: r.pick([
            undefined,
            wrongValue(r),
            { values: wrongValue(r) },
            {
              values: {
                'review:wentWell': {
                  answer: { type: 'plain_text_input', value: r.pick([garbage(r, 200), wrongValue(r)]) },
                },
                'review:followUpActions': wrongValue(r),
                [garbage(r, 10)]: { [garbage(r, 5)]: wrongValue(r) },
              },
            },
          ]),
        },
      }),
      skew: 0,
    }),
    // App Home opened by someone, or by something that is not a user.
    () => ({
      body: JSON.stringify({
        type: 'event_callback',
        team_id: 'T0SANDBOX',
        api_app_id: 'A0DEPLOYBOT',
        event_id: `Ev${r.int(1e9)}`,
        event_time: 1,
        event: {
          type: 'app_home_opened',
          user: r.pick([user(), null, wrongValue(r), garbage(r, 12)]),
          channel: r.pick(['D0HOME', wrongValue(r)]),
          tab: r.pick(['home', 'messages', wrongValue(r)]),
        },
      }),
      contentType: 'application/json',
      skew: 0,
    }),
  ];
  const cases: Hostile[] = [];
  while (cases.length < REQUESTS) {
    const kind = r.int(kinds.length);
    // Huge bodies are the costly kind: a few dozen are plenty.
    if (kind === 13 && r.next() < 0.8) continue;
    cases.push((kinds[kind] as () => Hostile)());
  }
  return cases;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('hostile input into the running web process', function () {
  this.timeout(120_000);
  const prefix = freshPrefix();
  const slack = new FakeSlackApi();
  let child: ChildProcess;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let exited: Promise<void>;
  let output = '';
  let url = '';

  before(async () => {
    await slack.start();
    const port = await freePort();
    url = `http://127.0.0.1:${port}/slack/events`;
    child = startTs('src/main.ts', [], {
      DEPLOYBOT_CONFIG: 'deploybot.example.yaml',
      DEPLOYBOT_ROLE: 'web',
      DEPLOYBOT_REDIS_PREFIX: prefix,
      PORT: String(port),
      LOG_LEVEL: 'info',
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_APP_TOKEN: '',
    });
    // Read everything it writes: a full pipe would stall the process, not the test.
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        exit = { code, signal };
        resolve();
      }),
    );
    const deadline = Date.now() + 30_000;
    while (!output.includes('deploybot started')) {
      if (exit || Date.now() > deadline) throw new Error(`web process did not start: ${output.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  after(async () => {
    if (!exit) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (!exit) child.kill('SIGKILL');
    }
    const redis = connectTestRedis();
    await cleanup(redis, prefix);
    await redis.quit();
    await slack.stop();
  });

  async function send(request: Hostile): Promise<number> {
    const timestamp = Math.floor(Date.now() / 1000) + request.skew;
    const signature = signSlackRequest(
      request.badSignature ? `${SECRET}-forged` : SECRET,
      request.body,
      timestamp,
    );
    const headers: Record<string, string> = { ...signature };
    const contentType = request.contentType ?? 'application/x-www-form-urlencoded';
    if (contentType) headers['content-type'] = contentType;
    const answer = await postRaw(url, request.body, headers, { timeoutMs: SLACK_BUDGET_MS });
    return answer.status;
  }

  it('never exits, never answers 5xx or late, starts nothing, and still answers /deploy help', async () => {
    const requests = generate(prng(0x5eed_2026), `${slack.baseUrl}/response/hostile-unknown`);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let nextIndex = 0;
    const worker = async () => {
      while (nextIndex < requests.length) {
        const index = nextIndex++;
        try {
          const status = await send(requests[index] as Hostile);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status >= 500) failures.push(`request ${index} answered ${status}`);
        } catch (error) {
          failures.push(`request ${index} failed: ${(error as Error).name} ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    assert.deepEqual(failures.slice(0, 10), [], `no 5xx, no answer slower than ${SLACK_BUDGET_MS} ms`);
    assert.equal(exit, undefined, `the web process is still running: ${output.slice(-2000)}`);
    // Refused at the door or answered in words: no listener tripped over a body it trusted.
    const tripped = output
      .split('\n')
      .filter((line) => /"type":"TypeError"|Cannot read properties|is not a function/.test(line));
    assert.deepEqual(tripped.slice(0, 3), [], 'a listener threw on a malformed body');
    for (const status of [400, 401, 413])
      assert.ok((statuses.get(status) ?? 0) > 0, `some answered ${status}`);

    // Nothing was started: no release, lock or queued job under the prefix, nothing posted.
    const redis = connectTestRedis();
    try {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        keys.push(...found);
        cursor = next;
      } while (cursor !== '0');
      const started = keys.filter((k) =>
        /:(release|history|lock|manual-lock):|:bull:.*:(id|wait|delayed|prioritized|active|completed|failed)$/.test(
          k,
        ),
      );
      assert.deepEqual(started, [], 'no release, lock or job keys');
    } finally {
      await redis.quit();
    }
    assert.equal(slack.callsTo('chat.postMessage').length, 0, 'nothing posted to a channel');
    assert.equal(slack.callsTo('views.open').length, 0, 'no modal opened for a release that does not exist');

    const help = slashCommandBody({
      command: '/deploy',
      text: 'help',
      user_id: 'U0DEPLOYER',
      response_url: slack.newResponseUrl(),
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const answer = await postRaw(
      url,
      help,
      {
        'content-type': 'application/x-www-form-urlencoded',
        ...signSlackRequest(SECRET, help, timestamp),
      },
      { timeoutMs: SLACK_BUDGET_MS },
    );
    assert.equal(answer.status, 200);
    assert.match(answer.body, /\/deploy status/);
    assert.equal(exit, undefined);
  });
});
