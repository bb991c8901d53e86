import assert from 'node:assert/strict';
import type { FakeMessage } from '../../../src/sandbox/fake-slack-api';
import { WorkspaceServer, type WorkspaceState } from '../../../src/sandbox/workspace';
import { SIGNING_SECRET, SlackHarness } from '../../support/slack-harness';

type Json = Record<string, unknown>;

/**
 * The page against the real bot (Bolt in HTTP mode, engine on Redis, fake AWS):
 * whatever the page sends, Bolt accepts as coming from Slack.
 */
describe('sandbox workspace: driving the real bot', function () {
  this.timeout(30_000);
  let h: SlackHarness;
  let page: WorkspaceServer;

  beforeEach(async () => {
    h = new SlackHarness();
    await h.start();
    page = new WorkspaceServer({ slack: h.slack, botEventsUrl: h.url, signingSecret: SIGNING_SECRET });
    await page.start();
  });
  afterEach(async () => {
    await page.stop();
    await h.stop();
  });

  async function api(path: string, body: Json): Promise<Json> {
    const response = await fetch(`${page.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as Json;
    assert.equal(response.status, 200, JSON.stringify(json));
    return json;
  }

  async function state(user: string): Promise<WorkspaceState> {
    return (await (await fetch(`${page.url}/api/state?user=${user}`)).json()) as WorkspaceState;
  }

  /** What the page does on a tick: the element's ticks so far plus the new ones. */
  async function tick(user: string, ts: string, items: string[]): Promise<void> {
    const message = (await state(user)).messages.find((m) => m.ts === ts) as FakeMessage;
    for (const block of message.blocks as Json[]) {
      for (const element of (block.elements as Json[] | undefined) ?? []) {
        const offered = ((element.options as Json[] | undefined) ?? []).map((o) => String(o.value));
        if (element.type !== 'checkboxes' || !items.some((i) => offered.includes(i))) continue;
        const ticked = ((element.initial_options as Json[] | undefined) ?? []).map((o) => String(o.value));
        const selected = [...new Set([...ticked, ...items.filter((i) => offered.includes(i))])];
        await api('/api/action', {
          user,
          ts,
          blockId: block.block_id,
          actionId: element.action_id,
          selected,
        });
      }
    }
  }

  it("shows the bot's help, carried in its acknowledgement, to whoever asked", async () => {
    const answer = await api('/api/command', { user: 'U0OUTSIDER', text: '/deploy help' });
    assert.equal(answer.ok, true);
    assert.equal(answer.ackShown, true);
    const [help] = (await state('U0OUTSIDER')).ephemerals;
    assert.match(JSON.stringify(help), /\/deploy history/);
    assert.deepEqual((await state('U0REQUESTER')).ephemerals, []);
  });

  it('runs a release from the composer, checklist ticks and a Start click', async () => {
    await api('/api/command', {
      user: 'U0DEPLOYER',
      text: '/deploy v1.2.0 backend production --type hotfix',
    });
    const message = await h.slack.waitFor(() =>
      h.slack.messages('C0ENGINEER').find((m) => JSON.stringify(m.blocks).includes('release_start')),
    );
    const [release] = await h.engine.engine.store.history('backend');
    assert.ok(release);
    await h.engine.waitFor(release.id, (r) => r.steps[0]?.state === 'succeeded');

    // An outsider's click reaches the bot, which refuses them alone.
    await api('/api/action', {
      user: 'U0OUTSIDER',
      ts: message.ts,
      blockId: 'release-buttons',
      actionId: 'release_start',
    });
    const refusal = await h.slack.waitFor(() => h.slack.ephemerals('U0OUTSIDER').at(-1));
    assert.match(JSON.stringify(refusal), /deploy/i);

    await tick('U0REQUESTER', message.ts, ['unit-tests', 'code-reviewed']);
    await h.slack.waitFor(() =>
      JSON.stringify(h.slack.findMessage(message.ts)?.blocks).includes('ticked by <@U0REQUESTER>'),
    );
    assert.equal(
      (await h.engine.engine.store.get(release.id))?.checklist['code-reviewed']?.by,
      'U0REQUESTER',
    );

    await api('/api/action', {
      user: 'U0DEPLOYER',
      ts: message.ts,
      blockId: 'release-buttons',
      actionId: 'release_start',
    });
    const done = await h.engine.waitForEnd(release.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));
    const root = (await state('U0DEPLOYER')).messages.find((m) => m.ts === message.ts);
    assert.ok((root?.reply_count ?? 0) > 0, 'step details in the thread');
    assert.match(JSON.stringify(root?.replies), /preflight/);
  });
});
