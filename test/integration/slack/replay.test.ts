import assert from 'node:assert/strict';
import type { FakeMessage } from '../../../src/sandbox/fake-slack/types';
import { SIGNING_SECRET, SlackHarness } from '../../support/slack-harness';
import { checkboxesChangePayload, interactionBody, postToBolt } from '../../support/slack-requests';

type Json = Record<string, unknown>;

describe('a replayed interaction over real HTTP', function () {
  this.timeout(30_000);
  let h: SlackHarness;

  beforeEach(async () => {
    h = new SlackHarness();
    await h.start();
  });
  afterEach(async () => {
    await h.stop();
  });

  /** The signed form body of a checkbox change on the release message, as Slack would send it. */
  function checkboxBody(user: string, message: FakeMessage, item: string, selected: string[]): string {
    const blocks = message.blocks as Json[];
    for (const block of blocks) {
      for (const element of (block.elements as Json[] | undefined) ?? []) {
        const options = (element.options as { value: string }[] | undefined) ?? [];
        if (element.type !== 'checkboxes' || !options.some((o) => o.value === item)) continue;
        return interactionBody(
          checkboxesChangePayload({
            user_id: user,
            message: { ts: message.ts, blocks },
            response_url: h.slack.newResponseUrl('C0ENGINEER', user, message.ts),
            action_id: String(element.action_id),
            block_id: String(block.block_id),
            selected,
          }),
        );
      }
    }
    throw new Error(`no checkbox offers ${item}`);
  }

  it('tick, untick, then the first tick replayed byte for byte: the item stays unticked, one audit entry per real click', async () => {
    await h.command('U0DEPLOYER', 'v1.2.0 backend production --type hotfix');
    const message = await h.slack.waitFor(() =>
      h.channelMessages().find((m) => JSON.stringify(m.blocks).includes('release_start')),
    );
    const [release] = await h.engine.engine.store.history('backend');
    const id = release!.id;
    const now = Math.floor(Date.now() / 1000);

    const tick = checkboxBody('U0REQUESTER', message, 'unit-tests', ['unit-tests']);
    assert.equal((await postToBolt(h.url, SIGNING_SECRET, tick, { timestamp: now })).status, 200);
    await h.engine.waitFor(id, (r) => 'unit-tests' in r.checklist);

    const untick = checkboxBody('U0REQUESTER', message, 'unit-tests', []);
    assert.equal((await postToBolt(h.url, SIGNING_SECRET, untick)).status, 200);
    await h.engine.waitFor(id, (r) => !('unit-tests' in r.checklist));

    // The captured first request again: same body, same timestamp, same signature.
    const replay = await postToBolt(h.url, SIGNING_SECRET, tick, { timestamp: now, timeoutMs: 2500 });
    assert.equal(replay.status, 200, 'acknowledged');

    // A later real click in another section's checkboxes, as a barrier: once it is
    // applied, the replay (answered before it was sent) has had its chance.
    const barrier = checkboxBody('U0REQUESTER', message, 'changelog', ['changelog']);
    assert.equal((await postToBolt(h.url, SIGNING_SECRET, barrier)).status, 200);
    const after = await h.engine.waitFor(id, (r) => 'changelog' in r.checklist);

    assert.equal('unit-tests' in after.checklist, false, 'the replay did not re-tick the item');
    const ticks = (await h.engine.engine.audit.recent(50, { releaseId: id })).filter(
      (e) => e.action === 'checklist.tick',
    );
    assert.deepEqual(
      ticks.map((e) => e.detail).sort(),
      ['+changelog', '+unit-tests', '-unit-tests'],
      'one audit entry per real click',
    );
  });

  it('two real clicks with their own action_ts both count', async () => {
    await h.command('U0DEPLOYER', 'v1.2.0 backend production --type hotfix');
    const message = await h.slack.waitFor(() =>
      h.channelMessages().find((m) => JSON.stringify(m.blocks).includes('release_start')),
    );
    const [release] = await h.engine.engine.store.history('backend');
    const id = release!.id;
    await postToBolt(
      h.url,
      SIGNING_SECRET,
      checkboxBody('U0REQUESTER', message, 'unit-tests', ['unit-tests']),
    );
    await h.engine.waitFor(id, (r) => 'unit-tests' in r.checklist);
    await postToBolt(h.url, SIGNING_SECRET, checkboxBody('U0REQUESTER', message, 'unit-tests', []));
    await h.engine.waitFor(id, (r) => !('unit-tests' in r.checklist));
    // The same change made again by a new click (a new action_ts) is applied: only replays are dropped.
    await postToBolt(
      h.url,
      SIGNING_SECRET,
      checkboxBody('U0REQUESTER', message, 'unit-tests', ['unit-tests']),
    );
    await h.engine.waitFor(id, (r) => 'unit-tests' in r.checklist);
  });
});
