import assert from 'node:assert/strict';
import { WorkspaceServer, type WorkspaceState } from '../../../src/sandbox/workspace';
import { SIGNING_SECRET, SlackHarness } from '../../support/slack-harness';

type Json = Record<string, unknown>;

/**
 * The review modal from the sandbox page: a click on the prompt's button
 * reaches the bot with a trigger id the fake Slack issued, the modal it opens
 * is in that person's state, and the page's submit reaches the bot as a
 * signed view_submission whose ack closes the modal or names field errors.
 */
describe('sandbox workspace: the review modal', function () {
  this.timeout(30_000);
  let h: SlackHarness;
  let page: WorkspaceServer;

  beforeEach(async () => {
    h = new SlackHarness();
    await h.start();
    // Until src/slack/app.ts registers the review listeners itself (the lead wires it): then remove this.
    page = new WorkspaceServer({ slack: h.slack, botEventsUrl: h.url, signingSecret: SIGNING_SECRET });
    await page.start();
  });
  afterEach(async () => {
    await page.stop();
    await h.stop();
  });

  async function api(path: string, body: Json): Promise<{ status: number; json: Json }> {
    const response = await fetch(`${page.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Json };
  }

  async function state(user: string): Promise<WorkspaceState> {
    return (await (await fetch(`${page.url}/api/state?user=${user}`)).json()) as WorkspaceState;
  }

  async function openReview(user: string) {
    const started = await h.engine.release('v1.2.0', 'production', 'hotfix');
    const release = await h.engine.waitForEnd(started.id);
    const prompt = await h.slack.waitFor(
      () =>
        h.slack
          .findMessage(release.chat?.ts ?? '')
          ?.replies.find((m) => JSON.stringify(m.blocks).includes('"review_open"')),
      10_000,
    );
    const click = await api('/api/action', {
      user,
      ts: prompt.ts,
      blockId: 'review_prompt',
      actionId: 'review_open',
    });
    assert.equal(click.status, 200, JSON.stringify(click.json));
    const modal = await h.slack.waitFor(() => h.slack.modal(user));
    return { release, modal };
  }

  it('shows the modal the click opened to the clicker alone, and its submit stores the review', async () => {
    const { release, modal } = await openReview('U0REQUESTER');
    const mine = (await state('U0REQUESTER')).modal;
    assert.equal(mine?.id, modal.id);
    assert.equal(mine?.view.private_metadata, release.id);
    assert.equal((await state('U0OUTSIDER')).modal, undefined);

    const blank = await api('/api/view-submit', { user: 'U0REQUESTER', viewId: modal.id, values: {} });
    assert.deepEqual(blank.json, {
      ok: true,
      closed: false,
      errors: { 'review:wentWell': 'Answer at least one question.' },
    });
    assert.equal((await state('U0REQUESTER')).modal?.id, modal.id, 'errors keep the modal open');

    const sent = await api('/api/view-submit', {
      user: 'U0REQUESTER',
      viewId: modal.id,
      values: { 'review:wentWell': 'Green all along', 'review:followUpActions': 'Nothing' },
    });
    assert.deepEqual(sent.json, { ok: true, closed: true });
    assert.equal((await state('U0REQUESTER')).modal, undefined);
    const stored = await h.engine.waitFor(release.id, (r) => r.review !== undefined);
    assert.equal(stored.review?.by, 'U0REQUESTER');
    assert.equal(stored.review?.wentWell, 'Green all along');
    assert.equal(stored.review?.followUpActions, 'Nothing');
  });

  it("refuses someone else's modal, and Cancel closes it, storing nothing", async () => {
    const { release, modal } = await openReview('U0REQUESTER');
    const theirs = await api('/api/view-submit', {
      user: 'U0OUTSIDER',
      viewId: modal.id,
      values: { 'review:wentWell': 'not mine' },
    });
    assert.equal(theirs.status, 404);
    const cancel = await api('/api/view-close', { user: 'U0REQUESTER', viewId: modal.id });
    assert.deepEqual(cancel.json, { ok: true, closed: true });
    assert.equal((await state('U0REQUESTER')).modal, undefined);
    assert.equal((await h.engine.engine.store.get(release.id))?.review, undefined);
  });
});
