import assert from 'node:assert/strict';
import { FakeSlackApi } from '../../../src/sandbox/fake-slack-api';
import { DemoBot, WorkspaceServer } from '../../../src/sandbox/workspace';
import { postToBolt, slashCommandBody } from '../../../src/sandbox/slack-payloads';

type Json = Record<string, unknown>;

/** The stand-in bot behind `main.ts --demo`, driven through the page like a person would. */
describe('sandbox workspace: the demo bot', function () {
  const secret = ['demo', 'secret'].join('-');
  let slack: FakeSlackApi;
  let bot: DemoBot;
  let page: WorkspaceServer;

  beforeEach(async () => {
    slack = new FakeSlackApi();
    await slack.start();
    bot = new DemoBot({ slack, signingSecret: secret, stepMs: 5 });
    await bot.start();
    page = new WorkspaceServer({ slack, botEventsUrl: bot.eventsUrl, signingSecret: secret });
    await page.start();
  });
  afterEach(async () => {
    await page.stop();
    await bot.stop();
    await slack.stop();
  });

  const api = async (path: string, body: Json) =>
    (await fetch(`${page.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => r.json())) as Json;

  it('refuses a request signed with another secret', async () => {
    const body = slashCommandBody({
      command: '/deploy',
      text: 'help',
      user_id: 'U0REQUESTER',
      response_url: 'x',
    });
    assert.equal((await postToBolt(bot.eventsUrl, `${secret}-wrong`, body)).status, 401);
  });

  it('plays a release: help in the ack, checklist ticks, Start, steps in the thread', async () => {
    await api('/api/command', { user: 'U0OUTSIDER', text: '/deploy help' });
    assert.match(String(slack.ephemerals('U0OUTSIDER')[0]?.text), /Usage/);

    await api('/api/command', { user: 'U0REQUESTER', text: '/deploy v1.2.0' });
    const message = await slack.waitFor(() => slack.messages('C0ENGINEER')[0]);
    await slack.waitFor(() => message.reply_count === 1);
    await api('/api/action', {
      user: 'U0APPROVER',
      ts: message.ts,
      blockId: 'checklist-demo-0',
      actionId: 'checklist:1',
      selected: ['migrations'],
    });
    await slack.waitFor(() =>
      JSON.stringify(slack.findMessage(message.ts)?.blocks).includes('ticked by <@U0APPROVER>'),
    );
    await api('/api/action', {
      user: 'U0DEPLOYER',
      ts: message.ts,
      blockId: 'release-buttons',
      actionId: 'release_start',
    });
    await slack.waitFor(() => slack.findMessage(message.ts)?.text.endsWith('succeeded'));
    assert.equal(message.reply_count, 6);
    assert.equal(JSON.stringify(message.blocks).includes('release_start'), false);
  });
});
