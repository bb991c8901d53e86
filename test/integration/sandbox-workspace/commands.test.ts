import assert from 'node:assert/strict';
import { verifySlackRequest } from '@slack/bolt';
import { Rig, SECRET } from './support';

/** The order of fields in the body Slack POSTs for a slash command. */
const SLACK_FIELDS = [
  'token',
  'team_id',
  'team_domain',
  'channel_id',
  'channel_name',
  'user_id',
  'user_name',
  'command',
  'text',
  'api_app_id',
  'is_enterprise_install',
  'response_url',
  'trigger_id',
];

describe('sandbox workspace: slash commands from the composer', function () {
  let rig: Rig;

  beforeEach(async () => {
    rig = await new Rig().start({ ackTimeoutMs: 500 });
  });
  afterEach(async () => rig.stop());

  it('sends /deploy as a slash command signed as Slack signs it, from the chosen persona', async () => {
    const answer = await rig.api('/api/command', { user: 'U0APPROVER', text: '/deploy v1.2.0' });
    assert.equal(answer.status, 200);
    assert.equal(answer.json.ok, true);
    assert.equal(rig.bot.rejected, 0);
    assert.equal(rig.bot.received.length, 1);
    const [request] = rig.bot.received;
    assert.ok(request);
    assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.match(String(request.headers['x-slack-signature']), /^v0=[0-9a-f]{64}$/);
    const age = Date.now() / 1000 - Number(request.headers['x-slack-request-timestamp']);
    assert.ok(age >= 0 && age < 10, `timestamp is now (${age} s old)`);
    // The signature covers this very body: any other secret fails Bolt's check.
    assert.throws(() =>
      verifySlackRequest({
        signingSecret: `${SECRET}-other`,
        body: request.raw,
        headers: {
          'x-slack-signature': String(request.headers['x-slack-signature']),
          'x-slack-request-timestamp': Number(request.headers['x-slack-request-timestamp']),
        },
      }),
    );

    const { form } = request;
    assert.deepEqual([...form.keys()], SLACK_FIELDS);
    assert.equal(form.get('user_id'), 'U0APPROVER');
    assert.equal(form.get('user_name'), 'alex');
    assert.equal(form.get('command'), '/deploy');
    assert.equal(form.get('text'), 'v1.2.0');
    assert.equal(form.get('channel_id'), 'C0ENGINEER');
    assert.equal(form.get('channel_name'), 'engineering');
    assert.equal(form.get('team_id'), 'T0SANDBOX');
    assert.equal(form.get('team_domain'), 'deploybot-sandbox');
    assert.equal(form.get('api_app_id'), 'A0DEPLOYBOT');
    assert.equal(form.get('is_enterprise_install'), 'false');
    assert.match(String(form.get('trigger_id')), /^\d+\.\d+\.[0-9a-f]{32}$/);
    assert.ok(String(form.get('response_url')).startsWith(`${rig.slack.baseUrl}/response/`));

    // The response_url is the fake Slack's, for this channel and this person.
    await fetch(String(form.get('response_url')), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Release proposed' }),
    });
    assert.deepEqual(
      rig.slack.ephemerals('U0APPROVER').map((e) => [e.channel, e.text]),
      [['C0ENGINEER', 'Release proposed']],
    );
  });

  it('splits the command from its text, and gives every command its own trigger_id and response_url', async () => {
    await rig.api('/api/command', { user: 'U0REQUESTER', text: '  /rollback   backend production ' });
    await rig.api('/api/command', { user: 'U0REQUESTER', text: '/Deploy' });
    const [first, second] = rig.bot.received.map((r) => r.form);
    assert.equal(first?.get('command'), '/rollback');
    assert.equal(first?.get('text'), 'backend production');
    assert.equal(first?.get('user_id'), 'U0REQUESTER');
    assert.equal(second?.get('command'), '/deploy');
    assert.equal(second?.get('text'), '');
    assert.notEqual(first?.get('trigger_id'), second?.get('trigger_id'));
    assert.notEqual(first?.get('response_url'), second?.get('response_url'));
  });

  it("shows an acknowledgement's JSON body to the person who typed the command, and only to them", async () => {
    const usage = { response_type: 'ephemeral', text: 'Usage: /deploy <version>', blocks: [] as unknown[] };
    usage.blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Usage*: `/deploy <version>`' } }];
    rig.bot.reply = () => ({ body: JSON.stringify(usage), contentType: 'application/json' });
    const answer = await rig.api('/api/command', { user: 'U0OUTSIDER', text: '/deploy nonsense' });
    assert.equal(answer.json.ackShown, true);
    const [shown, ...more] = rig.slack.ephemerals('U0OUTSIDER');
    assert.equal(more.length, 0);
    assert.equal(shown?.text, usage.text);
    assert.deepEqual(shown?.blocks, usage.blocks);
    assert.equal(shown?.channel, 'C0ENGINEER');
    assert.deepEqual(rig.slack.ephemerals('U0REQUESTER'), []);
    assert.deepEqual(rig.slack.messages('C0ENGINEER'), []);
  });

  it('shows a plain-text acknowledgement as text, one that says in_channel in the channel, and an empty one not at all', async () => {
    rig.bot.reply = () => ({ body: 'Working on it' });
    await rig.api('/api/command', { user: 'U0REQUESTER', text: '/deploy status' });
    assert.deepEqual(
      rig.slack.ephemerals('U0REQUESTER').map((e) => e.text),
      ['Working on it'],
    );
    rig.bot.reply = () => ({
      body: JSON.stringify({ response_type: 'in_channel', text: 'Everyone sees this' }),
      contentType: 'application/json',
    });
    await rig.api('/api/command', { user: 'U0REQUESTER', text: '/deploy history' });
    assert.deepEqual(
      rig.slack.messages('C0ENGINEER').map((m) => m.text),
      ['Everyone sees this'],
    );
    rig.bot.reply = () => ({});
    const quiet = await rig.api('/api/command', { user: 'U0REQUESTER', text: '/deploy v1.2.0' });
    assert.equal(quiet.json.ackShown, false);
    assert.equal(rig.slack.ephemerals('U0REQUESTER').length, 1);
  });

  it("passes the bot's refusal back rather than hiding it", async () => {
    rig.bot.reply = () => ({ status: 500, body: 'boom' });
    const answer = await rig.api('/api/command', { user: 'U0REQUESTER', text: '/deploy v1.2.0' });
    assert.equal(answer.status, 200);
    assert.equal(answer.json.ok, false);
    assert.equal(answer.json.status, 500);
    assert.deepEqual(rig.slack.ephemerals(), []);
  });

  it('answers for Slack when the bot is too slow or not there', async () => {
    rig.bot.reply = () => ({ delayMs: 1500 });
    const slow = await rig.api('/api/command', { user: 'U0REQUESTER', text: '/deploy v1.2.0' });
    assert.equal(slow.status, 504);
    assert.equal(slow.json.error, 'operation_timeout');
    await rig.bot.stop();
    const gone = await rig.api('/api/command', { user: 'U0REQUESTER', text: '/deploy v1.2.0' });
    assert.equal(gone.status, 502);
    assert.equal(gone.json.error, 'bot_unreachable');
  });

  it('sends nothing for text that is no command of the app, from someone unknown, or not as JSON', async () => {
    const cases: [unknown, number, string][] = [
      [{ user: 'U0REQUESTER', text: 'hello' }, 400, 'not_a_command'],
      [{ user: 'U0REQUESTER', text: '/giphy cats' }, 400, 'unknown_command'],
      [{ user: 'U0NOBODY', text: '/deploy help' }, 400, 'unknown_user'],
      [{ user: 'U0DEPLOYBOT', text: '/deploy help' }, 400, 'unknown_user'],
    ];
    for (const [body, status, error] of cases) {
      const answer = await rig.api('/api/command', body);
      assert.equal(answer.status, status, JSON.stringify(body));
      assert.equal(answer.json.error, error);
    }
    const form = await fetch(`${rig.workspace.url}/api/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'user=U0REQUESTER&text=%2Fdeploy+help',
    });
    assert.equal(form.status, 415);
    assert.equal(rig.bot.received.length, 0);
  });
});
