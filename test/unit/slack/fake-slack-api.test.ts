import assert from 'node:assert/strict';
import { request } from 'node:http';
import { SocketModeClient } from '@slack/socket-mode';
import { LogLevel, WebClient, type Logger, type WebAPIPlatformError } from '@slack/web-api';
import { FakeSlackApi, type FakeSlackChange } from '../../../src/sandbox/fake-slack-api';

const TOKEN = 'xoxb-' + 'test-token';
const APP_TOKEN = ['xapp', '1', 'test'].join('-');

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

/** A real Slack WebClient pointed at the fake; `null` sends no token at all. */
function client(api: FakeSlackApi, token: string | null = TOKEN): WebClient {
  return new WebClient(token ?? undefined, {
    slackApiUrl: api.apiUrl,
    logger: silent,
    retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 },
  });
}

async function platformError(promise: Promise<unknown>): Promise<WebAPIPlatformError> {
  try {
    await promise;
  } catch (error) {
    const e = error as WebAPIPlatformError;
    assert.equal(e.code, 'slack_webapi_platform_error');
    return e;
  }
  assert.fail('expected the Web API call to fail');
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('FakeSlackApi', () => {
  const api = new FakeSlackApi();
  let slack: WebClient;

  before(async () => {
    await api.start();
    slack = client(api);
  });
  after(() => api.stop());
  beforeEach(() => api.reset());

  it('serves the Web API under an apiUrl ending in /api/ on loopback', () => {
    assert.match(api.apiUrl, /^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    assert.equal(api.apiUrl, `${api.baseUrl}/api/`);
  });

  it('answers auth.test with the bot identity', async () => {
    const result = await slack.auth.test();
    assert.equal(result.user_id, 'U0DEPLOYBOT');
    assert.equal(result.team_id, 'T0SANDBOX');
  });

  it('posts by channel name (with or without #) and answers the channel id and a ts', async () => {
    const first = await slack.chat.postMessage({ channel: '#engineering', text: 'hello' });
    const second = await slack.chat.postMessage({ channel: 'engineering', text: 'again' });
    assert.equal(first.channel, 'C0ENGINEER');
    assert.equal(second.channel, 'C0ENGINEER');
    assert.match(first.ts ?? '', /^\d{10}\.\d{6}$/);
    assert.equal(first.message?.text, 'hello');
    assert.deepEqual(
      api.messages('C0ENGINEER').map((m) => m.text),
      ['hello', 'again'],
    );
  });

  it('updates a message by the returned channel id and ts, keeping blocks it was not given', async () => {
    const posted = await slack.chat.postMessage({
      channel: '#engineering',
      text: 'Release v1.2.0',
      blocks: [section('*v1.2.0* awaiting approval')],
    });
    const updated = await slack.chat.update({
      channel: posted.channel!,
      ts: posted.ts!,
      text: 'Release v1.2.0 approved',
    });
    assert.equal(updated.ts, posted.ts);
    const stored = api.findMessage(posted.ts!);
    assert.equal(stored?.text, 'Release v1.2.0 approved');
    assert.deepEqual(stored?.blocks, [section('*v1.2.0* awaiting approval')]);
    assert.ok(stored?.edited);
    const call = api.callsTo('chat.update')[0];
    assert.deepEqual(call?.body.ts, posted.ts);
  });

  it('refuses to update an unknown ts with message_not_found', async () => {
    const error = await platformError(
      slack.chat.update({ channel: 'C0ENGINEER', ts: '1.000001', text: 'x' }),
    );
    assert.equal(error.data.error, 'message_not_found');
  });

  it('gives strictly increasing timestamps', async () => {
    const stamps: string[] = [];
    for (let i = 0; i < 20; i += 1)
      stamps.push((await slack.chat.postMessage({ channel: 'C0ENGINEER', text: `${i}` })).ts!);
    for (let i = 1; i < stamps.length; i += 1)
      assert.ok(Number(stamps[i]) > Number(stamps[i - 1]), stamps.join());
  });

  it('stores thread replies under their parent and counts them', async () => {
    const parent = await slack.chat.postMessage({ channel: 'C0ENGINEER', text: 'parent' });
    const reply = await slack.chat.postMessage({
      channel: 'C0ENGINEER',
      text: 'step 1',
      thread_ts: parent.ts!,
    });
    await slack.chat.postMessage({ channel: 'C0ENGINEER', text: 'step 2', thread_ts: reply.ts! });
    const [top, ...rest] = api.messages('engineering');
    assert.equal(rest.length, 0);
    assert.equal(top?.reply_count, 2);
    assert.deepEqual(
      top?.replies.map((r) => [r.text, r.thread_ts]),
      [
        ['step 1', parent.ts],
        ['step 2', parent.ts],
      ],
    );
    const missing = await platformError(
      slack.chat.postMessage({ channel: 'C0ENGINEER', text: 'x', thread_ts: '9.000001' }),
    );
    assert.equal(missing.data.error, 'thread_not_found');
  });

  it('keeps a reply_broadcast reply in its thread and shows it in the channel as a thread_broadcast', async () => {
    const parent = await slack.chat.postMessage({ channel: 'C0ENGINEER', text: 'Release v1.3.0' });
    await slack.chat.postMessage({ channel: 'C0ENGINEER', text: 'step 1', thread_ts: parent.ts! });
    // The WebClient sends a form body: reply_broadcast arrives as "true".
    const proposal = await slack.chat.postMessage({
      channel: 'C0ENGINEER',
      text: 'Roll back v1.3.0?',
      thread_ts: parent.ts!,
      reply_broadcast: true,
    });
    assert.equal(proposal.message?.subtype, 'thread_broadcast');
    assert.equal(proposal.message?.thread_ts, parent.ts);
    assert.equal((proposal.message?.root as { ts?: string } | undefined)?.ts, parent.ts);
    // A JSON body carries a real boolean; false, or a top-level post, is no broadcast.
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
    const post = async (body: Record<string, unknown>) =>
      (await (
        await fetch(`${api.apiUrl}chat.postMessage`, { method: 'POST', headers, body: JSON.stringify(body) })
      ).json()) as { ok: boolean; ts: string; message: Record<string, unknown> };
    const json = await post({
      channel: 'C0ENGINEER',
      text: 'also here',
      thread_ts: parent.ts,
      reply_broadcast: true,
    });
    const quiet = await post({
      channel: 'C0ENGINEER',
      text: 'quiet',
      thread_ts: parent.ts,
      reply_broadcast: false,
    });
    const top = await post({ channel: 'C0ENGINEER', text: 'top', reply_broadcast: true });
    assert.equal(json.message.subtype, 'thread_broadcast');
    assert.equal(quiet.message.subtype, undefined);
    assert.equal(top.message.subtype, undefined);

    // Top-level messages keep their meaning; the broadcast is still one of the thread's replies.
    const [root, ...others] = api.messages('C0ENGINEER');
    assert.deepEqual([root?.text, ...others.map((m) => m.text)], ['Release v1.3.0', 'top']);
    assert.equal(root?.reply_count, 4);
    assert.deepEqual(
      root?.replies.map((r) => [r.text, r.subtype, r.thread_ts]),
      [
        ['step 1', undefined, parent.ts],
        ['Roll back v1.3.0?', 'thread_broadcast', parent.ts],
        ['also here', 'thread_broadcast', parent.ts],
        ['quiet', undefined, parent.ts],
      ],
    );
    assert.equal(api.findMessage(proposal.ts!), root?.replies[1]);
    assert.deepEqual(
      api.timeline('engineering').map((m) => m.text),
      ['Release v1.3.0', 'Roll back v1.3.0?', 'also here', 'top'],
    );

    // conversations.history lists what the channel shows, newest first, a broadcast with its root.
    const history = await slack.conversations.history({ channel: 'C0ENGINEER' });
    assert.deepEqual(
      history.messages?.map((m) => [m.text, m.subtype, m.thread_ts]),
      [
        ['top', undefined, undefined],
        ['also here', 'thread_broadcast', parent.ts],
        ['Roll back v1.3.0?', 'thread_broadcast', parent.ts],
        ['Release v1.3.0', undefined, parent.ts],
      ],
    );
    const broadcast = history.messages?.[2] as Record<string, unknown>;
    assert.equal((broadcast.root as Record<string, unknown>).text, 'Release v1.3.0');
    assert.equal((broadcast.root as Record<string, unknown>).reply_count, 4);
    assert.equal(broadcast.replies, undefined);
    const limited = await slack.conversations.history({ channel: 'C0ENGINEER', limit: 1 });
    assert.equal(limited.messages?.length, 1);
    assert.equal(limited.has_more, true);

    // conversations.replies gives the whole thread, asked by the parent or by a reply.
    for (const ts of [parent.ts!, proposal.ts!]) {
      const thread = await slack.conversations.replies({ channel: 'C0ENGINEER', ts });
      assert.deepEqual(
        thread.messages?.map((m) => m.text),
        ['Release v1.3.0', 'step 1', 'Roll back v1.3.0?', 'also here', 'quiet'],
      );
    }
    const missing = await platformError(
      slack.conversations.replies({ channel: 'C0ENGINEER', ts: '9.000001' }),
    );
    assert.equal(missing.data.error, 'thread_not_found');

    // An update changes the one message, wherever it shows.
    await slack.chat.update({ channel: 'C0ENGINEER', ts: proposal.ts!, text: 'Rolled back' });
    assert.equal(api.timeline('C0ENGINEER')[1]?.text, 'Rolled back');
    assert.equal(api.messages('C0ENGINEER')[0]?.replies[1]?.text, 'Rolled back');
  });

  it('keeps ephemeral messages per user and answers message_ts', async () => {
    const result = await slack.chat.postEphemeral({
      channel: 'C0ENGINEER',
      user: 'U0OUTSIDER',
      text: 'not for you',
    });
    assert.match(result.message_ts ?? '', /^\d+\.\d{6}$/);
    assert.deepEqual(
      api.ephemerals('U0OUTSIDER').map((e) => e.text),
      ['not for you'],
    );
    assert.deepEqual(api.ephemerals('U0APPROVER'), []);
    assert.equal(api.messages('C0ENGINEER').length, 0);
    const unknown = await platformError(
      slack.chat.postEphemeral({ channel: 'C0ENGINEER', user: 'U0NOBODY', text: 'x' }),
    );
    assert.equal(unknown.data.error, 'user_not_found');
  });

  it('lists usergroup members and answers no_such_subteam for an unknown group', async () => {
    const result = await slack.usergroups.users.list({ usergroup: 'S0APPROVERS' });
    assert.deepEqual(result.users, ['U0APPROVER']);
    const error = await platformError(slack.usergroups.users.list({ usergroup: 'S0NOPE' }));
    assert.equal(error.data.error, 'no_such_subteam');
  });

  it('answers users.info, conversations.info and chat.getPermalink', async () => {
    const user = await slack.users.info({ user: 'U0APPROVER' });
    assert.equal(user.user?.name, 'alex');
    assert.equal((await platformError(slack.users.info({ user: 'U0NOBODY' }))).data.error, 'user_not_found');
    const channel = await slack.conversations.info({ channel: 'C0ENGINEER' });
    assert.equal(channel.channel?.name, 'engineering');
    const posted = await slack.chat.postMessage({ channel: 'C0ENGINEER', text: 'link me' });
    const link = await slack.chat.getPermalink({ channel: 'C0ENGINEER', message_ts: posted.ts! });
    assert.match(link.permalink ?? '', /\/archives\/C0ENGINEER\/p\d{16}$/);
  });

  it('publishes an App Home view per user', async () => {
    await slack.views.publish({
      user_id: 'U0DEPLOYER',
      view: { type: 'home', blocks: [section('Releases')] },
    });
    assert.deepEqual(api.homeView('U0DEPLOYER')?.view.blocks, [section('Releases')]);
  });

  it('refuses 51 blocks with invalid_blocks and the problems, as Slack does', async () => {
    const blocks = Array.from({ length: 51 }, (_, i) => section(`line ${i}`));
    const error = await platformError(
      slack.chat.postMessage({ channel: 'C0ENGINEER', text: 'too many', blocks }),
    );
    assert.equal(error.data.error, 'invalid_blocks');
    const errors = (error.data as unknown as { errors: string[] }).errors;
    assert.ok(
      errors.some((e) => e.includes('51 blocks')),
      errors.join('\n'),
    );
    assert.equal(api.messages('C0ENGINEER').length, 0);
  });

  it('refuses text over 40000 characters with msg_too_long', async () => {
    const error = await platformError(
      slack.chat.postMessage({ channel: 'C0ENGINEER', text: 'x'.repeat(40_001) }),
    );
    assert.equal(error.data.error, 'msg_too_long');
  });

  it('answers not_authed without a token and invalid_auth for a non-bot token', async () => {
    const anonymous = await platformError(client(api, null).auth.test());
    assert.equal(anonymous.data.error, 'not_authed');
    const userToken = await platformError(client(api, 'xoxp-' + 'not-a-bot').auth.test());
    assert.equal(userToken.data.error, 'invalid_auth');
  });

  it('never stores the token', async () => {
    await slack.chat.postMessage({ channel: 'C0ENGINEER', text: 'hi' });
    await fetch(`${api.apiUrl}auth.test`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: TOKEN }).toString(),
    });
    assert.equal(api.calls.length, 2);
    assert.equal(api.calls[1]?.ok, true, 'a form token is accepted like Slack does');
    assert.ok(!JSON.stringify(api.calls).includes(TOKEN));
  });

  it('answers an unknown method with HTTP 200 and unknown_method', async () => {
    const response = await fetch(`${api.apiUrl}chat.nope`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: false, error: 'unknown_method' });
  });

  it('accepts JSON bodies as well as form bodies', async () => {
    const response = await fetch(`${api.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C0ENGINEER', text: 'json', blocks: [section('json')] }),
    });
    const body = (await response.json()) as { ok: boolean; ts: string };
    assert.equal(body.ok, true);
    assert.deepEqual(api.findMessage(body.ts)?.blocks, [section('json')]);
  });

  it('answers 429 with Retry-After beyond a rate limit, and the WebClient retries until it succeeds', async () => {
    api.setRateLimit('chat.postMessage', 1, { windowMs: 500 });
    await slack.chat.postMessage({ channel: 'C0ENGINEER', text: 'first' });
    const second = await slack.chat.postMessage({ channel: 'C0ENGINEER', text: 'second' });
    assert.equal(second.ok, true);
    const statuses = api.callsTo('chat.postMessage').map((c) => c.status);
    assert.deepEqual(statuses, [200, 429, 200]);
    assert.equal(api.messages('C0ENGINEER').length, 2);

    api.rateLimitNext('auth.test');
    const raw = await fetch(`${api.apiUrl}auth.test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(raw.status, 429);
    assert.equal(raw.headers.get('retry-after'), '1');
    assert.deepEqual(await raw.json(), { ok: false, error: 'ratelimited' });
  });

  it('limits chat.postMessage per channel when the channel guard is on', async () => {
    api.setChannelPostLimit(1);
    const post = () =>
      fetch(`${api.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'C0ENGINEER', text: 'burst' }),
      });
    assert.equal((await post()).status, 200);
    assert.equal((await post()).status, 429);
    api.setChannelPostLimit(undefined);
    assert.equal((await post()).status, 200);
  });

  it('injects a failure for the next call only', async () => {
    api.failNext('chat.postMessage', 'channel_not_found');
    const error = await platformError(slack.chat.postMessage({ channel: 'C0ENGINEER', text: 'x' }));
    assert.equal(error.data.error, 'channel_not_found');
    assert.equal((await slack.chat.postMessage({ channel: 'C0ENGINEER', text: 'x' })).ok, true);
  });

  describe('response_url', () => {
    const respond = (url: string, body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    it('stores an ephemeral response for the user and posts an in_channel one to the channel', async () => {
      const url = api.newResponseUrl('C0ENGINEER', 'U0REQUESTER');
      assert.ok(url.startsWith(`${api.baseUrl}/response/`));
      assert.equal((await respond(url, { text: 'Only you can see this' })).status, 200);
      assert.equal(
        (await respond(url, { response_type: 'in_channel', text: 'Deploying v1.2.0' })).status,
        200,
      );
      assert.deepEqual(
        api.ephemerals('U0REQUESTER').map((e) => e.text),
        ['Only you can see this'],
      );
      assert.deepEqual(
        api.messages('C0ENGINEER').map((m) => [m.text, m.via]),
        [['Deploying v1.2.0', 'response_url']],
      );
      assert.equal(api.responses.length, 2);
    });

    it('replaces and deletes the original message of an interaction', async () => {
      const posted = await slack.chat.postMessage({ channel: 'C0ENGINEER', text: 'Approve?' });
      const url = api.newResponseUrl('C0ENGINEER', 'U0APPROVER', posted.ts);
      await respond(url, { replace_original: true, text: 'Approved by alex' });
      assert.equal(api.findMessage(posted.ts!)?.text, 'Approved by alex');
      await respond(url, { delete_original: true });
      assert.equal(api.findMessage(posted.ts!), undefined);
    });

    it('accepts five uses and answers 404 used_url to the sixth', async () => {
      const url = api.newResponseUrl();
      for (let i = 1; i <= 5; i += 1) assert.equal((await respond(url, { text: `use ${i}` })).status, 200);
      const sixth = await respond(url, { text: 'use 6' });
      assert.equal(sixth.status, 404);
      assert.deepEqual(await sixth.json(), { ok: false, error: 'used_url' });
      assert.equal(api.ephemerals().length, 5);
    });

    it('answers expired_url once expired and refuses invalid blocks', async () => {
      const url = api.newResponseUrl();
      const bad = await respond(url, { blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) });
      assert.equal(bad.status, 400);
      assert.equal(((await bad.json()) as { error: string }).error, 'invalid_blocks');
      api.expireResponseUrl(url);
      assert.equal((await respond(url, { text: 'late' })).status, 404);
    });
  });

  describe('Socket Mode', () => {
    const clients: SocketModeClient[] = [];
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.disconnect()));
    });

    /** Slack's own Socket Mode client, pointed at the fake; `events` collects what it hands the app. */
    function socketClient(
      events: { type: string; body: unknown; accepts: unknown; ack: (p?: object) => Promise<void> }[],
    ) {
      const socket = new SocketModeClient({
        appToken: APP_TOKEN,
        logger: silent,
        clientPingTimeout: 1000,
        clientOptions: { slackApiUrl: api.apiUrl },
      });
      socket.on(
        'slack_event',
        (e: {
          type: string;
          body: unknown;
          accepts_response_payload: unknown;
          ack: (p?: object) => Promise<void>;
        }) => events.push({ type: e.type, body: e.body, accepts: e.accepts_response_payload, ack: e.ack }),
      );
      clients.push(socket);
      return socket;
    }

    function openWith(token: string | null, asForm = false): Promise<Record<string, unknown>> {
      return fetch(`${api.apiUrl}apps.connections.open`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(token && !asForm ? { authorization: `Bearer ${token}` } : {}),
        },
        body: token && asForm ? new URLSearchParams({ token }).toString() : '',
      }).then((r) => r.json() as Promise<Record<string, unknown>>);
    }

    it('opens a loopback WebSocket URL for the app-level token in the header only', async () => {
      const opened = await openWith(APP_TOKEN);
      assert.equal(opened.ok, true);
      assert.match(
        String(opened.url),
        /^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f]{32}&app_id=A0DEPLOYBOT$/,
      );
      assert.equal((await openWith(APP_TOKEN, true)).error, 'not_authed');
      assert.equal((await openWith(TOKEN)).error, 'not_allowed_token_type');
      assert.equal((await openWith(null)).error, 'not_authed');
      const appTokenElsewhere = await platformError(client(api, APP_TOKEN).auth.test());
      assert.equal(appTokenElsewhere.data.error, 'not_allowed_token_type');
    });

    it('says hello, delivers a slash command and an interaction, and hands back their acks', async () => {
      const events: Parameters<typeof socketClient>[0] = [];
      await socketClient(events).start();
      assert.equal(api.socketMode.current?.open, true);

      const command = api.socketMode.slashCommand({
        command: '/deploy',
        text: 'help',
        user_id: 'U0DEPLOYER',
      });
      const [received] = await api.waitFor(() => (events.length === 1 ? events : undefined));
      assert.equal(received?.type, 'slash_commands');
      assert.equal(received?.accepts, true);
      assert.deepEqual(received?.body, { command: '/deploy', text: 'help', user_id: 'U0DEPLOYER' });
      await received?.ack({ text: 'usage' });
      const ack = await command;
      assert.deepEqual(ack.payload, { text: 'usage' });
      assert.equal(ack.envelope_id, api.socketMode.envelopes[0]?.envelope_id);

      const click = api.socketMode.interaction({ type: 'block_actions', actions: [] });
      await api.waitFor(() => events.length === 2);
      assert.equal(events[1]?.type, 'interactive');
      assert.equal(events[1]?.accepts, false, 'block_actions takes no response payload');
      await events[1]?.ack();
      assert.deepEqual((await click).payload, {});
    });

    it('asks the client to reconnect; it comes back on a new URL and the next envelope goes there', async () => {
      const events: Parameters<typeof socketClient>[0] = [];
      await socketClient(events).start();
      const first = api.socketMode.current?.id;
      api.socketMode.disconnect('refresh_requested');
      const second = await api.waitFor(() => {
        const current = api.socketMode.current?.id;
        return current !== first ? current : undefined;
      }, 10_000);
      assert.deepEqual(
        api.socketMode.connections.map((c) => [c.id, c.open]),
        [
          [first, false],
          [second, true],
        ],
      );
      const envelope = api.socketMode.interaction({ type: 'block_actions', actions: [] });
      await api.waitFor(() => events.length === 1);
      await events[0]?.ack();
      assert.equal((await envelope).connection, second);
    });

    it('refuses a ticket used twice, and rejects an envelope never acked', async () => {
      const url = String((await openWith(APP_TOKEN)).url);
      const status = () =>
        new Promise<number>((resolve, reject) => {
          const req = request(url.replace('ws:', 'http:'), {
            headers: {
              connection: 'Upgrade',
              upgrade: 'websocket',
              'sec-websocket-version': '13',
              'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
            },
          });
          req.on('upgrade', (res, socket) => {
            socket.destroy();
            resolve(res.statusCode ?? 0);
          });
          req.on('response', (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end();
        });
      assert.equal(await status(), 101);
      assert.equal(await status(), 401);
      await assert.rejects(
        api.socketMode.slashCommand({ command: '/deploy' }, { timeoutMs: 50 }),
        /not acknowledged within 50 ms/,
      );
      api.socketMode.closeAll('terminate');
      await api.waitFor(() => api.socketMode.current === undefined);
      await assert.rejects(
        api.socketMode.slashCommand({ command: '/deploy' }),
        /no Socket Mode connection is open/,
      );
    });
  });

  it('notifies listeners of changes and waits for a condition', async () => {
    const changes: FakeSlackChange['kind'][] = [];
    const stop = api.onChange((change) => changes.push(change.kind));
    const waiting = api.waitFor(() => api.messages('C0ENGINEER').find((m) => m.text === 'later'));
    setTimeout(() => void slack.chat.postMessage({ channel: 'C0ENGINEER', text: 'later' }), 20);
    const found = await waiting;
    assert.equal(found.text, 'later');
    stop();
    assert.ok(changes.includes('message') && changes.includes('call'), changes.join());
    await assert.rejects(
      api.waitFor(() => undefined, 50),
      /timed out after 50 ms/,
    );
  });

  it('takes its own users, groups and channels', async () => {
    const custom = new FakeSlackApi({
      users: [{ id: 'U1', name: 'one' }],
      usergroups: { S1: ['U1'] },
      channels: [{ id: 'C1', name: 'ops' }],
    });
    await custom.start();
    try {
      const web = client(custom);
      assert.equal((await web.chat.postMessage({ channel: '#ops', text: 'hi' })).channel, 'C1');
      assert.deepEqual((await web.usergroups.users.list({ usergroup: 'S1' })).users, ['U1']);
      assert.equal((await web.users.info({ user: 'U1' })).user?.name, 'one');
    } finally {
      await custom.stop();
    }
  });
});
