import assert from 'node:assert/strict';
import { planSteps } from '../../src/domain/plan';
import { newReleaseId } from '../../src/domain/release-id';
import type { Release } from '../../src/domain/release';
import { blockKitProblems } from '../../src/slack/blocks/limits';
import { SlackHarness } from '../support/slack-harness';

/**
 * `/deploy log <release-id>` over real HTTP: the Bolt app answers with the
 * release's deployment log as an ephemeral reply, which the local fake Slack
 * accepts only within Block Kit's limits (it refuses what Slack would).
 */
describe('/deploy log over real HTTP', function () {
  this.timeout(60_000);
  let h: SlackHarness;

  beforeEach(async () => {
    h = new SlackHarness();
    await h.start();
  });
  afterEach(async () => {
    await h.stop();
  });

  /** Runs `act` and returns the ephemeral reply it brings `user`. */
  async function replyTo(
    user: string,
    act: () => Promise<unknown>,
  ): Promise<{ text?: string; blocks?: unknown[] }> {
    const before = h.slack.ephemerals(user).length;
    await act();
    return h.slack.waitFor(() => h.slack.ephemerals(user)[before], 15_000);
  }

  it('shows a finished release in full to anyone in the channel', async () => {
    const release = await h.engine.release('v1.2.0', 'production', 'hotfix');
    assert.equal((await h.engine.waitForEnd(release.id)).state, 'succeeded');

    // The team's record: not only the deployer may read it.
    const reply = await replyTo('U0SOMEONE', () => h.command('U0SOMEONE', `log ${release.id}`));
    const text = JSON.stringify(reply.blocks);
    assert.deepEqual(blockKitProblems(reply.blocks ?? [], reply.text), []);
    assert.match(text, /Deployment log: backend v1\.2\.0 → production/);
    assert.match(text, /\*Requested\*\\n<@U0DEPLOYER>/);
    assert.match(text, /succeeded · \*deploy\*/);
    assert.match(text, /<@U0REVIEWER> — ticked unit-tests/);
    assert.match(text, new RegExp(`deploybot log ${release.id}`));
  });

  it('stays within Block Kit limits with 1,000 releases of history and 1,000 audit entries about one', async () => {
    const store = h.engine.engine.store;
    const T0 = Date.UTC(2026, 0, 1);
    const ids = Array.from({ length: 1000 }, (_, i) => newReleaseId(T0 + i * 60_000, () => i / 1000));
    for (const [i, id] of ids.entries()) await store.create(stored(id, T0 + i * 60_000));
    const oldest = ids[0] as string;
    for (let i = 0; i < 1000; i += 1) {
      await h.engine.engine.audit.append({
        at: T0 + i,
        actor: `U0PERSON${i}`,
        action: 'refused.approve',
        app: 'backend',
        environment: 'production',
        releaseId: oldest,
        detail: `only approvers may approve a rollback of backend/production (attempt ${i})`,
      });
    }
    const reply = await replyTo('U0DEPLOYER', () => h.command('U0DEPLOYER', `log ${oldest}`));
    assert.deepEqual(blockKitProblems(reply.blocks ?? [], reply.text), []);
    const text = JSON.stringify(reply.blocks);
    assert.match(text, /more events not shown/);
    assert.match(text, /deploybot export --since 30d --app backend/);
  });

  it('answers an unknown release id with one line naming it', async () => {
    const reply = await replyTo('U0DEPLOYER', () => h.command('U0DEPLOYER', 'log r20990101t000000-0000'));
    assert.match(JSON.stringify(reply), /no release r20990101t000000-0000/);
  });
});

function stored(id: string, createdAt: number): Release {
  return {
    id,
    app: 'backend',
    environment: 'production',
    version: 'v1.0.0',
    type: 'minor',
    requestedBy: 'U0DEPLOYER',
    state: 'succeeded',
    createdAt,
    updatedAt: createdAt,
    endedAt: createdAt + 60_000,
    revision: 0,
    steps: planSteps('minor', { hasDatabase: false, hasMigration: false }),
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    checklist: {},
  };
}
