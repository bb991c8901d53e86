import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { App, LogLevel, isValidSlackRequest, verifySlackRequest } from '@slack/bolt';
import { FakeSlackApi } from '../../../src/sandbox/fake-slack-api';
import {
  buttonClickPayload,
  checkboxesChangePayload,
  interactionBody,
  postToBolt,
  signSlackRequest,
  slashCommandBody,
} from '../../support/slack-requests';

const SECRET = ['signing', 'secret', String(process.pid)].join('-');
const TOKEN = 'xoxb-' + 'test-token';

function verifies(secret: string, body: string, headers: ReturnType<typeof signSlackRequest>): boolean {
  return isValidSlackRequest({
    signingSecret: secret,
    body,
    headers: {
      'x-slack-signature': headers['x-slack-signature'],
      'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
    },
  });
}

const approvalBlocks = [
  { type: 'section', block_id: 'summary', text: { type: 'mrkdwn', text: '*v1.2.0* to production' } },
  {
    type: 'actions',
    block_id: 'checklist',
    elements: [
      {
        type: 'checkboxes',
        action_id: 'check',
        options: [
          { text: { type: 'mrkdwn', text: 'Migrations reviewed' }, value: 'migrations' },
          { text: { type: 'mrkdwn', text: 'Rollback plan' }, value: 'rollback' },
        ],
        initial_options: [{ text: { type: 'mrkdwn', text: 'Rollback plan' }, value: 'rollback' }],
      },
    ],
  },
  {
    type: 'actions',
    block_id: 'decision',
    elements: [
      {
        type: 'button',
        action_id: 'approve',
        style: 'primary',
        text: { type: 'plain_text', text: 'Approve' },
        value: 'rel-42',
      },
    ],
  },
];

describe('Slack request helpers', () => {
  describe('signSlackRequest', () => {
    it('produces a v0 signature that Bolt’s own verifier accepts', () => {
      const body = slashCommandBody({
        command: '/deploy',
        text: 'v1.2.0',
        user_id: 'U0REQUESTER',
        response_url: 'http://x',
      });
      const now = Math.floor(Date.now() / 1000);
      const headers = signSlackRequest(SECRET, body, now);
      assert.match(headers['x-slack-signature'], /^v0=[0-9a-f]{64}$/);
      assert.equal(headers['x-slack-request-timestamp'], String(now));
      assert.doesNotThrow(() =>
        verifySlackRequest({
          signingSecret: SECRET,
          body,
          headers: { 'x-slack-signature': headers['x-slack-signature'], 'x-slack-request-timestamp': now },
        }),
      );
    });

    it('matches the example in Slack’s signing documentation', () => {
      const body =
        'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V' +
        '&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=' +
        '&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN' +
        '&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
      const headers = signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', body, 1531420618);
      assert.equal(
        headers['x-slack-signature'],
        'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      );
    });

    it('does not verify against another secret or a changed body', () => {
      const now = Math.floor(Date.now() / 1000);
      const headers = signSlackRequest(SECRET, 'a=1', now);
      assert.equal(verifies(SECRET, 'a=1', headers), true);
      assert.equal(verifies(`${SECRET}x`, 'a=1', headers), false);
      assert.equal(verifies(SECRET, 'a=2', headers), false);
    });
  });

  describe('slashCommandBody', () => {
    it('sends every field Slack sends, in Slack’s order, form-urlencoded', () => {
      const body = slashCommandBody({
        command: '/deploy',
        text: 'v1.2.0 --skip-canary',
        user_id: 'U0REQUESTER',
        response_url: 'http://127.0.0.1:1/response/abc',
      });
      const fields = new URLSearchParams(body);
      assert.deepEqual(
        [...fields.keys()],
        [
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
        ],
      );
      assert.equal(fields.get('command'), '/deploy');
      assert.equal(fields.get('text'), 'v1.2.0 --skip-canary');
      assert.equal(fields.get('user_name'), 'riley');
      assert.equal(fields.get('channel_id'), 'C0ENGINEER');
      assert.equal(fields.get('channel_name'), 'engineering');
      assert.equal(fields.get('is_enterprise_install'), 'false');
      assert.equal(fields.get('response_url'), 'http://127.0.0.1:1/response/abc');
      assert.match(fields.get('trigger_id') ?? '', /^\d+\.\d+\.[0-9a-f]+$/);
      assert.ok(body.includes('command=%2Fdeploy'), body);
    });

    it('takes given values and appends extra fields', () => {
      const fields = new URLSearchParams(
        slashCommandBody({
          command: '/deploy',
          text: '',
          user_id: 'U9',
          user_name: 'nine',
          channel_id: 'C9',
          channel_name: 'ops',
          response_url: 'http://r',
          trigger_id: '1.2.ab',
          team_id: 'T9',
          enterprise_id: 'E9',
        }),
      );
      assert.equal(fields.get('user_name'), 'nine');
      assert.equal(fields.get('channel_name'), 'ops');
      assert.equal(fields.get('trigger_id'), '1.2.ab');
      assert.equal(fields.get('team_id'), 'T9');
      assert.equal([...fields.keys()].at(-1), 'enterprise_id');
    });
  });

  describe('block_actions payloads', () => {
    const message = { ts: '1764262000.000100', text: 'Approve v1.2.0?', blocks: approvalBlocks };

    it('describes a button click like Slack, reading the label and value from the message', () => {
      const payload = buttonClickPayload({
        user_id: 'U0APPROVER',
        message,
        response_url: 'http://r',
        action_id: 'approve',
        block_id: 'decision',
      });
      assert.equal(payload.type, 'block_actions');
      assert.deepEqual(payload.container, {
        type: 'message',
        message_ts: message.ts,
        channel_id: 'C0ENGINEER',
        is_ephemeral: false,
      });
      assert.deepEqual((payload.user as { id: string }).id, 'U0APPROVER');
      assert.equal((payload.message as { ts: string }).ts, message.ts);
      const [action, ...others] = payload.actions as Record<string, unknown>[];
      assert.equal(others.length, 0);
      assert.equal(action?.type, 'button');
      assert.equal(action?.action_id, 'approve');
      assert.equal(action?.block_id, 'decision');
      assert.equal(action?.value, 'rel-42');
      assert.deepEqual(action?.text, { type: 'plain_text', text: 'Approve', emoji: true });
      assert.match(String(action?.action_ts), /^\d{10}\.\d{6}$/);
      assert.deepEqual(payload.state, {
        values: {
          checklist: {
            check: {
              type: 'checkboxes',
              selected_options: [{ text: { type: 'mrkdwn', text: 'Rollback plan' }, value: 'rollback' }],
            },
          },
        },
      });
    });

    it('describes a checkboxes change with the new selection in the action and in state', () => {
      const payload = checkboxesChangePayload({
        user_id: 'U0APPROVER',
        message,
        response_url: 'http://r',
        action_id: 'check',
        block_id: 'checklist',
        selected: ['migrations', 'rollback'],
      });
      const selected = [
        { text: { type: 'mrkdwn', text: 'Migrations reviewed' }, value: 'migrations' },
        { text: { type: 'mrkdwn', text: 'Rollback plan' }, value: 'rollback' },
      ];
      const action = (payload.actions as Record<string, unknown>[])[0];
      assert.equal(action?.type, 'checkboxes');
      assert.deepEqual(action?.selected_options, selected);
      assert.deepEqual(payload.state, {
        values: { checklist: { check: { type: 'checkboxes', selected_options: selected } } },
      });
    });

    it('encodes an interaction as payload=<url-encoded JSON>', () => {
      const body = interactionBody({ type: 'block_actions', a: 'b&c' });
      assert.ok(body.startsWith('payload='));
      assert.deepEqual(JSON.parse(new URLSearchParams(body).get('payload') ?? ''), {
        type: 'block_actions',
        a: 'b&c',
      });
    });
  });

  describe('postToBolt against a real Bolt app', () => {
    const slack = new FakeSlackApi();
    let app: App;
    let url: string;
    const seen: { retryNum?: number; retryReason?: string; kind: string; detail: unknown }[] = [];

    before(async () => {
      await slack.start();
      app = new App({
        token: TOKEN,
        signingSecret: SECRET,
        logLevel: LogLevel.ERROR,
        clientOptions: { slackApiUrl: slack.apiUrl },
      });
      app.command('/deploy', async ({ ack, command, respond, context }) => {
        await ack();
        seen.push({
          kind: 'command',
          detail: command.text,
          retryNum: context.retryNum,
          retryReason: context.retryReason,
        });
        await respond({ response_type: 'in_channel', text: `Deploying ${command.text}` });
      });
      app.action('approve', async ({ ack, body, action }) => {
        await ack();
        seen.push({ kind: 'button', detail: [body.user.id, (action as { value?: string }).value] });
      });
      app.action('check', async ({ ack, action }) => {
        await ack();
        seen.push({
          kind: 'checkboxes',
          detail: (action as { selected_options: { value: string }[] }).selected_options.map((o) => o.value),
        });
      });
      const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    });
    after(async () => {
      await app.stop();
      await slack.stop();
    });
    beforeEach(() => {
      seen.length = 0;
      slack.reset();
    });

    it('delivers a signed slash command that Bolt accepts and that can respond through the response_url', async () => {
      const body = slashCommandBody({
        command: '/deploy',
        text: 'v1.2.0',
        user_id: 'U0REQUESTER',
        response_url: slack.newResponseUrl('C0ENGINEER', 'U0REQUESTER'),
      });
      const response = await postToBolt(url, SECRET, body);
      assert.equal(response.status, 200);
      const posted = await slack.waitFor(() => slack.messages('C0ENGINEER')[0]);
      assert.equal(posted.text, 'Deploying v1.2.0');
      assert.deepEqual(seen[0], {
        kind: 'command',
        detail: 'v1.2.0',
        retryNum: undefined,
        retryReason: undefined,
      });
    });

    it('passes Slack’s retry headers through to the handler', async () => {
      const body = slashCommandBody({
        command: '/deploy',
        text: 'v1',
        user_id: 'U0REQUESTER',
        response_url: slack.newResponseUrl(),
      });
      await postToBolt(url, SECRET, body, { retryNum: 1, retryReason: 'http_timeout' });
      await slack.waitFor(() => seen[0]);
      assert.equal(seen[0]?.retryNum, 1);
      assert.equal(seen[0]?.retryReason, 'http_timeout');
    });

    it('is refused by Bolt with a bad signature or a stale timestamp', async () => {
      const body = slashCommandBody({
        command: '/deploy',
        text: 'v1',
        user_id: 'U0REQUESTER',
        response_url: 'http://r',
      });
      assert.equal((await postToBolt(url, SECRET, body, { badSignature: true })).status, 401);
      const stale = Math.floor(Date.now() / 1000) - 600;
      assert.equal((await postToBolt(url, SECRET, body, { timestamp: stale })).status, 401);
      assert.equal(seen.length, 0);
    });

    it('delivers button clicks and checkbox changes to Bolt action handlers', async () => {
      const posted = await app.client.chat.postMessage({
        channel: '#engineering',
        text: 'Approve?',
        blocks: approvalBlocks,
      });
      const message = slack.findMessage(posted.ts!)!;
      const base = {
        user_id: 'U0APPROVER',
        message,
        channel_id: message.channel,
        response_url: slack.newResponseUrl(message.channel, 'U0APPROVER', message.ts),
      };
      const click = buttonClickPayload({ ...base, action_id: 'approve', block_id: 'decision' });
      assert.equal((await postToBolt(url, SECRET, interactionBody(click))).status, 200);
      const change = checkboxesChangePayload({
        ...base,
        action_id: 'check',
        block_id: 'checklist',
        selected: ['migrations'],
      });
      assert.equal((await postToBolt(url, SECRET, interactionBody(change))).status, 200);
      await slack.waitFor(() => seen.length === 2);
      assert.deepEqual(
        seen.map((s) => [s.kind, s.detail]),
        [
          ['button', ['U0APPROVER', 'rel-42']],
          ['checkboxes', ['migrations']],
        ],
      );
    });
  });
});
