import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { WorkspaceState } from '../../../src/sandbox/workspace';
import { Rig } from './support';

type Json = Record<string, unknown>;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const PROPOSAL_BLOCKS = [
  { type: 'section', text: { type: 'mrkdwn', text: '*Roll back* backend v1.3.0-bad?' } },
  {
    type: 'actions',
    block_id: 'rollback',
    elements: [
      {
        type: 'button',
        text: { type: 'plain_text', text: 'Approve rollback' },
        action_id: 'rollback_approve',
        value: 'rel-9',
        style: 'danger',
      },
    ],
  },
];

/**
 * A thread reply posted with `reply_broadcast` (deploybot's rollback proposal), as
 * Slack shows it: in its thread and in the channel, one message in both places.
 */
describe('sandbox workspace: replies also sent to the channel', function () {
  this.timeout(60_000);
  let rig: Rig;
  let browser: Browser;
  let page: Page;
  let rootTs: string;
  let replyTs: string;

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`no browser at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  });
  after(async () => browser?.close());

  beforeEach(async () => {
    rig = await new Rig().start();
    const root = await rig.slackCall('chat.postMessage', {
      channel: 'C0ENGINEER',
      text: 'backend v1.3.0-bad → production: monitoring found errors after the release went out',
    });
    rootTs = String(root.ts);
    await rig.slackCall('chat.postMessage', {
      channel: 'C0ENGINEER',
      thread_ts: rootTs,
      text: 'deploy done',
    });
    const reply = await rig.slackCall('chat.postMessage', {
      channel: 'C0ENGINEER',
      thread_ts: rootTs,
      reply_broadcast: true,
      text: 'Roll back backend v1.3.0-bad?',
      blocks: PROPOSAL_BLOCKS,
    });
    replyTs = String(reply.ts);
    await rig.slackCall('chat.postMessage', { channel: 'C0ENGINEER', text: 'later, at top level' });
    page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    await page.goto(rig.workspace.url);
    await page.getByTestId(`persona-U0APPROVER`).click();
  });
  afterEach(async () => {
    await page?.close();
    await rig.stop();
  });

  it('gives the page the broadcast as a flagged reply of its thread, top-level messages unchanged', async () => {
    const state = (await (
      await fetch(`${rig.workspace.url}/api/state?user=U0APPROVER`)
    ).json()) as WorkspaceState;
    assert.deepEqual(
      state.messages.map((m) => m.ts),
      [rootTs, rig.slack.messages('C0ENGINEER')[1]?.ts],
    );
    const reply = state.messages[0]?.replies.find((r) => r.ts === replyTs);
    assert.equal(reply?.subtype, 'thread_broadcast');
    assert.equal(reply?.thread_ts, rootTs);
  });

  it('shows the reply in the channel in time order, under "replied to a thread: …", and opens the thread from there', async () => {
    const copy = page.getByTestId(`broadcast-${replyTs}`);
    await copy.waitFor();
    const context = copy.getByTestId(`broadcast-thread-${replyTs}`);
    assert.equal(
      await context.innerText(),
      'replied to a thread: backend v1.3.0-bad → production: monitoring found errors after the release went…',
    );
    assert.match(await copy.innerText(), /Roll back backend v1\.3\.0-bad\?/);
    // Between the root and the later top-level message; the plain reply stays in the thread only.
    const order = await page
      .locator(
        '#messages [data-testid^="message-"], #messages [data-testid^="broadcast-"]:not([data-testid^="broadcast-thread-"])',
      )
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-testid')));
    const later = rig.slack.messages('C0ENGINEER')[1]?.ts;
    assert.deepEqual(order, [`message-${rootTs}`, `broadcast-${replyTs}`, `message-${later}`]);
    assert.equal(await page.locator('#messages').getByText('deploy done').count(), 0);
    // The reply-count links still open only their own threads (the browser test clicks the last one).
    const links = page.locator('[data-testid^="thread-"]:not([data-testid="thread-panel"])');
    assert.equal(await links.count(), 1);
    assert.equal(await links.last().getAttribute('data-thread'), rootTs);

    await context.click();
    const panel = page.getByTestId('thread-panel');
    await panel.getByTestId(`message-${replyTs}`).waitFor();
    assert.equal(await panel.getByTestId(`thread-root-${rootTs}`).count(), 1);
    assert.match(await panel.innerText(), /deploy done/);
    assert.equal(await panel.getByTestId('action-rollback_approve').count(), 1);
  });

  it('sends a click on the channel copy as Slack sends one on a broadcast reply, signed', async () => {
    const copy = page.getByTestId(`broadcast-${replyTs}`);
    await copy.getByTestId('action-rollback_approve').click();
    await rig.slack.waitFor(() => rig.bot.received.length > 0);
    assert.equal(rig.bot.rejected, 0);
    const payload = rig.bot.received[0]?.payload as Json;
    assert.equal(payload.type, 'block_actions');
    assert.equal((payload.user as Json).id, 'U0APPROVER');
    assert.deepEqual(payload.container, {
      type: 'message',
      message_ts: replyTs,
      channel_id: 'C0ENGINEER',
      is_ephemeral: false,
      thread_ts: rootTs,
    });
    const message = payload.message as Json;
    assert.equal(message.ts, replyTs);
    assert.equal(message.thread_ts, rootTs);
    assert.equal(message.subtype, 'thread_broadcast');
    assert.deepEqual(message.blocks, PROPOSAL_BLOCKS);
    const [action] = payload.actions as Json[];
    assert.equal(action?.action_id, 'rollback_approve');
    assert.equal(action?.block_id, 'rollback');
    assert.equal(action?.value, 'rel-9');

    // The same click from the thread sends the same message.
    await page.getByTestId(`broadcast-thread-${replyTs}`).click();
    await page.getByTestId('thread-panel').getByTestId('action-rollback_approve').click();
    await rig.slack.waitFor(() => rig.bot.received.length > 1);
    const again = rig.bot.received[1]?.payload as Json;
    assert.deepEqual(again.container, payload.container);
    assert.deepEqual(again.message, payload.message);
  });

  it('shows an update of the reply in the channel and in the thread', async () => {
    await page.getByTestId(`broadcast-thread-${replyTs}`).click();
    const panel = page.getByTestId('thread-panel');
    await panel.getByTestId(`message-${replyTs}`).waitFor();
    await rig.slackCall('chat.update', {
      channel: 'C0ENGINEER',
      ts: replyTs,
      text: 'Rollback approved by <@U0APPROVER>',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Rollback approved by <@U0APPROVER>' } }],
    });
    const copy = page.getByTestId(`broadcast-${replyTs}`);
    const inThread = panel.getByTestId(`message-${replyTs}`);
    for (const where of [copy, inThread]) {
      await where.getByText('Rollback approved by @alex').waitFor();
      assert.equal(await where.getByTestId('action-rollback_approve').count(), 0);
      assert.match(await where.innerText(), /\(edited\)/);
    }
    assert.match(await copy.innerText(), /replied to a thread: backend v1\.3\.0-bad/);
  });
});
