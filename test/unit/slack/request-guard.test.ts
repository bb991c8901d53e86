import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { App, HTTPReceiver } from '@slack/bolt';
import { createLogger } from '../../../src/logging/logger';
import { guardHttpReceiver, guardSlackRequests } from '../../../src/slack/request-guard';
import {
  blockActionsPayload,
  interactionBody,
  postRaw,
  postToBolt,
  signSlackRequest,
  slashCommandBody,
} from '../../support/slack-requests';

const SECRET = ['guard', 'test', 'secret'].join('-');
// Not a real webhook: the guard only needs a response URL of the right shape.
const RESPONSE_URL = 'https://response-url.invalid/commands/T0SANDBOX/1/abc';

function command(text = 'help'): string {
  return slashCommandBody({ command: '/deploy', text, user_id: 'U0DEPLOYER', response_url: RESPONSE_URL });
}

function click(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...blockActionsPayload(
      { user_id: 'U0DEPLOYER', message: { ts: '1764262000.000100', blocks: [] }, response_url: RESPONSE_URL },
      { type: 'button', action_id: 'release_start', block_id: 'b1', value: 'r1' },
    ),
    ...overrides,
  };
}

const form = (payload: unknown) => `payload=${encodeURIComponent(JSON.stringify(payload))}`;

describe('the request guard in front of Bolt', () => {
  let server: Server;
  let url = '';
  let forwarded: { contentType?: string; rawBody?: string }[] = [];
  let lines: Record<string, unknown>[] = [];

  before(async () => {
    const logger = createLogger({
      level: 'debug',
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    const bolt = (req: IncomingMessage, res: ServerResponse) => {
      forwarded.push({
        contentType: req.headers['content-type'],
        rawBody: (req as { rawBody?: Buffer }).rawBody?.toString(),
      });
      res.writeHead(200).end('bolt');
    };
    server = createServer(
      guardSlackRequests(bolt, {
        signingSecret: SECRET,
        endpoints: ['/slack/events'],
        logger,
        maxBodyBytes: 64 * 1024,
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/slack/events`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    forwarded = [];
    lines = [];
  });

  /** Refused lines only: the guard logs each refusal as exactly one warn line. */
  const refusals = () => lines.filter((l) => l.msg === 'slack request refused');

  async function expectRefused(body: string, status: number, options: Parameters<typeof postToBolt>[3] = {}) {
    const answer = await postToBolt(url, SECRET, body, options);
    assert.equal(answer.status, status);
    assert.equal(forwarded.length, 0, 'Bolt never saw it');
    assert.equal(refusals().length, 1, 'one log line');
    const line = JSON.stringify(refusals()[0]);
    assert.ok(!line.includes(SECRET), 'no secret in the log line');
    return refusals()[0] as { reason: string; status: number };
  }

  describe('hands Bolt what Slack sends, already read', () => {
    it('a slash command', async () => {
      const body = command();
      assert.equal((await postToBolt(url, SECRET, body)).status, 200);
      assert.deepEqual(forwarded, [{ contentType: 'application/x-www-form-urlencoded', rawBody: body }]);
    });

    it('a block action, with a charset parameter reduced to the bare media type Bolt matches', async () => {
      const body = interactionBody(click());
      const answer = await postToBolt(url, SECRET, body, {
        contentType: 'application/x-www-form-urlencoded; charset=utf-8',
      });
      assert.equal(answer.status, 200);
      assert.equal(forwarded[0]?.contentType, 'application/x-www-form-urlencoded');
    });

    it('a view submission with its answers, and one of a view without inputs', async () => {
      const answers = {
        'review:wentWell': { answer: { type: 'plain_text_input', value: 'Quick' } },
        'review:couldImprove': { answer: { type: 'plain_text_input', value: null } },
      };
      for (const state of [{ values: answers }, { values: {} }]) {
        const payload = { type: 'view_submission', user: { id: 'U0A' }, view: { id: 'V0A', state } };
        const answer = await postToBolt(url, SECRET, form(payload));
        assert.equal(answer.status, 200);
      }
      assert.equal(forwarded.length, 2);
    });

    it('an Events API callback and a URL verification', async () => {
      const event = {
        type: 'event_callback',
        team_id: 'T0SANDBOX',
        api_app_id: 'A0DEPLOYBOT',
        event: { type: 'app_mention', user: 'U0DEPLOYER', channel: 'C0ENGINEER', ts: '1.2', text: 'hi' },
        event_id: 'Ev1',
        event_time: 1,
      };
      assert.equal((await postToBolt(url, SECRET, JSON.stringify(event))).status, 200);
      const challenge = JSON.stringify({ type: 'url_verification', challenge: 'c', token: 't' });
      assert.equal((await postToBolt(url, SECRET, challenge)).status, 200);
      assert.equal(forwarded.length, 2);
    });

    it('command text with control characters and unicode (the parser cleans it)', async () => {
      const answer = await postToBolt(url, SECRET, command('v1.2.0\u0000 \u202ebackend\u0007 ünïcødé 🚀'));
      assert.equal(answer.status, 200);
      assert.equal(forwarded.length, 1);
    });

    it('other routes untouched', async () => {
      const response = await fetch(url.replace('/slack/events', '/healthz'));
      assert.equal(response.status, 200);
      assert.equal(forwarded.length, 1);
    });
  });

  describe('answers 400 for a body Slack could never send', () => {
    const cases: [string, string, RegExp?][] = [
      ['payload=null (Bolt would crash the process)', 'payload=null', /^payload is not an object$/],
      ['a number payload', 'payload=42'],
      ['a string payload', `payload=${encodeURIComponent('"text"')}`],
      ['an array payload', `payload=${encodeURIComponent('[1,2]')}`],
      ['payload=true', 'payload=true'],
      ['a payload that is not JSON', 'payload=%7Bnope'],
      ['a payload without a type', form({ ...click(), type: undefined }), /type is missing or unknown/],
      ['a payload of an unknown type', form(click({ type: 'nonsense' })), /type is missing or unknown/],
      ['a payload without user (Bolt would answer 500)', form({ ...click(), user: undefined }), /no user/],
      ['a user without id', form(click({ user: { name: 'x' } }))],
      ['a user id that is not a Slack id', form(click({ user: { id: '__proto__' } }))],
      ['a team id that is a number', form(click({ team: { id: 7 } }))],
      ['actions that is not a list', form(click({ actions: 'click' }))],
      ['an empty actions list', form(click({ actions: [] }))],
      [
        'an action without action_ts',
        form(click({ actions: [{ type: 'button', action_id: 'a', block_id: 'b' }] })),
      ],
      ['message blocks that are a number', form(click({ message: { ts: '1.2', blocks: 5 } }))],
      ['a response_url that is not http(s)', form(click({ response_url: 'javascript:alert(1)' }))],
      ['a block action carrying an event field', form(click({ event: 'x' }))],
      [
        'a click on a message without response_url (no way to answer it)',
        form({ ...click(), response_url: undefined }),
        /without response_url/,
      ],
      ['a repeated payload field', `${form(click())}&${form(click())}`],
      ['a form that is neither command nor interaction', 'hello=world'],
      ['a slash command without user_id', command().replace(/user_id=[^&]*&/, '')],
      ['a slash command with a repeated text field', `${command()}&text=again`],
      ['a slash command carrying an event field', `${command()}&event=x`],
      ['a JSON body that is null', 'null'],
      ['a JSON body that is a list', '[{"type":"event_callback"}]'],
      ['a JSON body of an unknown type', '{"type":"block_actions"}'],
      [
        'an event_callback whose event is a string',
        '{"type":"event_callback","team_id":"T0SANDBOX","event":"x"}',
      ],
      [
        'an event whose channel is null',
        '{"type":"event_callback","team_id":"T0SANDBOX","event":{"type":"message","channel":null}}',
      ],
      [
        'JSON nested 10,000 deep',
        `{"type":"event_callback","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
        /nested too deeply/,
      ],
      [
        'a view submission whose state is a string',
        form({ type: 'view_submission', user: { id: 'U0A' }, view: { id: 'V0A', state: 'x' } }),
        /^view\.state is not an object$/,
      ],
      [
        'a view submission without state',
        form({ type: 'view_submission', user: { id: 'U0A' }, view: { id: 'V0A' } }),
        /^view\.state is missing$/,
      ],
      [
        'a view submission without state.values',
        form({ type: 'view_submission', user: { id: 'U0A' }, view: { id: 'V0A', state: {} } }),
        /^view\.state\.values is not an object$/,
      ],
      [
        'a view submission whose answer block is a string',
        form({
          type: 'view_submission',
          user: { id: 'U0A' },
          view: { id: 'V0A', state: { values: { 'review:wentWell': 'x' } } },
        }),
        /holds something other than objects/,
      ],
      [
        'a view submission whose private_metadata is not a string',
        form({ type: 'view_submission', user: { id: 'U0A' }, view: { id: 'V0A', private_metadata: {} } }),
        /private_metadata/,
      ],
      [
        'a payload nested 100 deep',
        form(click({ state: JSON.parse(`${'{"a":'.repeat(100)}1${'}'.repeat(100)}`) })),
      ],
    ];
    for (const [name, body, reason] of cases) {
      it(name, async () => {
        const line = await expectRefused(body, 400);
        if (reason) assert.match(line.reason, reason);
      });
    }

    it('a body that is not UTF-8', async () => {
      const body = Buffer.concat([Buffer.from('payload='), Buffer.from([0xff, 0xfe, 0x00])]);
      const answer = await postRaw(url, body, {
        'content-type': 'application/x-www-form-urlencoded',
        ...signed(body, now()),
      });
      assert.equal(answer.status, 400);
      assert.equal(forwarded.length, 0);
    });

    it('an unknown content type', async () => {
      const reason = await expectRefused(command(), 400, { contentType: 'text/plain' });
      assert.equal(reason.reason, 'unknown content type');
    });
  });

  describe('answers 401 as Bolt does for what is not signed by Slack now', () => {
    it('a bad signature', async () => {
      await expectRefused(command(), 401, { badSignature: true });
    });

    it('no signature at all', async () => {
      const answer = await postRaw(url, command(), { 'content-type': 'application/x-www-form-urlencoded' });
      assert.equal(answer.status, 401);
      assert.equal(refusals()[0]?.reason, 'missing or malformed x-slack-request-timestamp');
    });

    it('a timestamp more than 5 minutes old', async () => {
      const line = await expectRefused(command(), 401, { timestamp: now() - 301 });
      assert.equal(line.reason, 'timestamp more than 5 minutes old');
    });

    it('a timestamp more than 5 minutes in the future', async () => {
      const line = await expectRefused(command(), 401, { timestamp: now() + 6 * 60 });
      assert.equal(line.reason, 'timestamp more than 5 minutes in the future');
    });

    it('a timestamp with a leading zero (not what Slack writes, and not what Bolt re-signs)', async () => {
      const body = command();
      const ts = now();
      const headers = signSlackRequest(SECRET, body, ts);
      const answer = await postRaw(url, body, {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-signature': headers['x-slack-signature'],
        'x-slack-request-timestamp': `0${ts}`,
      });
      assert.equal(answer.status, 401);
    });
  });

  it('answers 413 for a body over the cap, and keeps serving', async () => {
    const huge = `payload=${'x'.repeat(200 * 1024)}`;
    const line = await expectRefused(huge, 413);
    assert.equal(line.reason, 'body too large');
    assert.equal((await postToBolt(url, SECRET, command())).status, 200);
  });

  it('acknowledges an unsigned SSL check without passing it on, whatever else it carries', async () => {
    const answer = await postRaw(url, `ssl_check=1&token=x&${form(null)}`, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(answer.status, 200);
    assert.equal(forwarded.length, 0);
  });

  it('acknowledges a signed SSL check the same way, without passing it on', async () => {
    const answer = await postToBolt(url, SECRET, `ssl_check=1&token=x&${form(null)}`);
    assert.equal(answer.status, 200);
    assert.equal(forwarded.length, 0);
  });

  it('acknowledges app_rate_limited notices itself', async () => {
    const body = JSON.stringify({ type: 'app_rate_limited', team_id: 'T0SANDBOX', minute_rate_limited: 1 });
    assert.equal((await postToBolt(url, SECRET, body)).status, 200);
    assert.equal(forwarded.length, 0);
  });

  it('never logs the body it refuses', async () => {
    await expectRefused(form(click({ user: { id: 'not-an-id-SENTINEL' } })), 400);
    assert.ok(!JSON.stringify(lines).includes('SENTINEL'));
  });
});

describe("guardHttpReceiver: Bolt's HTTPReceiver with our guard as its only signature check", () => {
  let app: App;
  let receiver: HTTPReceiver;
  let url = '';
  let heard: string[] = [];

  before(async () => {
    const silent = createLogger({ level: 'silent' });
    receiver = new HTTPReceiver({ signingSecret: SECRET, endpoints: '/slack/events' });
    guardHttpReceiver(receiver, { signingSecret: SECRET, endpoints: ['/slack/events'], logger: silent });
    app = new App({
      token: ['xoxb', 'guard', 'test'].join('-'),
      receiver,
      // Known bot ids: Bolt never calls auth.test, so no Web API is needed.
      botId: 'B0DEPLOYBOT',
      botUserId: 'U0DEPLOYBOT',
      tokenVerificationEnabled: false,
      clientOptions: { slackApiUrl: 'http://slack.invalid/api/' },
    });
    app.command('/deploy', async ({ command: slash, ack }) => {
      heard.push(slash.text);
      await ack();
    });
    const server = (await app.start(0)) as Server;
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/slack/events`;
  });
  after(async () => {
    await app.stop();
  });
  beforeEach(() => {
    heard = [];
  });

  it("turns Bolt's second verification off (the field it reads per request)", () => {
    assert.equal((receiver as unknown as { signatureVerification: unknown }).signatureVerification, false);
  });

  it('lets a signed command reach its listener', async () => {
    assert.equal((await postToBolt(url, SECRET, command('status'))).status, 200);
    assert.deepEqual(heard, ['status']);
  });

  it('keeps every unsigned or wrongly signed request from any listener', async () => {
    const unsigned = await postRaw(url, command('status'), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    const forged = await postToBolt(url, SECRET, command('status'), { badSignature: true });
    const stale = await postToBolt(url, SECRET, command('status'), { timestamp: now() - 301 });
    assert.deepEqual([unsigned.status, forged.status, stale.status], [401, 401, 401]);
    assert.deepEqual(heard, []);
  });
});

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function signed(body: Buffer, timestamp: number): Record<string, string> {
  const digest = createHmac('sha256', SECRET).update(`v0:${timestamp}:`).update(body).digest('hex');
  return { 'x-slack-signature': `v0=${digest}`, 'x-slack-request-timestamp': String(timestamp) };
}
