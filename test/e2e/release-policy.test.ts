import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load';
import type { FakeMessage } from '../../src/sandbox/fake-slack/types';
import { SlackHarness } from '../support/slack-harness';
import { TEST_CONFIG_YAML } from '../support/test-config';

/** Everything in a value, as one string, for matching. */
const textOf = (value: unknown): string => JSON.stringify(value);

/** "2026-12-01 14:05" in UTC: the schedule's own way of writing a moment. */
function wallTime(at: number): string {
  return new Date(at).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * The test config with production frozen from an hour ago until `frozenFor`
 * from now (UTC), and U0DEPLOYER (alone of the deployers) allowed to break glass.
 */
function frozenConfig(frozenForMs: number) {
  const now = Date.now();
  const schedule = `
        schedule:
          timeZone: UTC
          freezes:
            - { from: "${wallTime(now - 3_600_000)}", to: "${wallTime(now + frozenForMs)}", reason: "year-end freeze" }
        overriders: [U0DEPLOYER]
        requireSuccessIn: staging`;
  return parseConfig(
    TEST_CONFIG_YAML.replace('\n        requireSuccessIn: staging', schedule),
    'test config',
  );
}

describe('release policy in Slack over real HTTP: freezes, break-glass, promotion', function () {
  this.timeout(30_000);
  let h: SlackHarness;

  afterEach(async () => {
    await h?.stop();
  });

  async function replyTo(user: string, act: () => Promise<unknown>): Promise<string> {
    const before = h.slack.ephemerals(user).length;
    await act();
    return textOf(await h.slack.waitFor(() => h.slack.ephemerals(user)[before]));
  }

  /** The channel's message (not a thread reply) whose blocks contain `marker`. */
  async function messageWith(marker: string): Promise<FakeMessage> {
    return h.slack.waitFor(() => h.channelMessages().find((m) => textOf(m.blocks).includes(marker)));
  }

  it('refuses a release during a freeze with the rule and the next allowed time, and starts nothing', async () => {
    h = new SlackHarness(frozenConfig(2 * 3_600_000 + 10 * 60_000));
    await h.start();
    const reply = await replyTo('U0DEPLOYER', () => h.command('U0DEPLOYER', 'v1.2.0 backend production'));
    assert.match(reply, /backend\/production does not take minor releases now/);
    assert.match(reply, /year-end freeze/);
    // The freeze ends 2 h 10 min from now (give or take the test's own minute).
    assert.match(reply, /in 2 h (9|10) min/);
    // And once more as a date token, which each reader's Slack shows in their own time zone.
    assert.match(reply, /In your time zone: <!date\^\d+\^\{date_short\} \{time\}\|/);
    assert.deepEqual(await h.engine.engine.store.history('backend'), []);
    assert.equal(
      await h.engine.engine.locks.holder({ app: 'backend', environment: 'production' }),
      undefined,
    );
  });

  it('lets an overrider break glass: banner on the message, notice to the channel, audited; others are refused', async () => {
    h = new SlackHarness(frozenConfig(3_600_000));
    await h.start();
    const refused = await replyTo('U0REQUESTER', () =>
      h.command('U0REQUESTER', 'v1.2.0 backend production --override "checkout is down"'),
    );
    assert.match(refused, /only <@U0DEPLOYER> may override production's release windows and freezes/);
    assert.deepEqual(await h.engine.engine.store.history('backend'), []);

    await h.command('U0DEPLOYER', 'v1.2.0 backend production --override \u201ccheckout is down\u201d');
    const message = await messageWith('Break-glass');
    assert.match(textOf(message.blocks), /Break-glass:\* <@U0DEPLOYER> overrode the release policy/);
    assert.match(textOf(message.blocks), /year-end freeze/);
    assert.match(textOf(message.blocks), /checkout is down/);
    const [release] = await h.engine.engine.store.history('backend');
    assert.equal(release?.override?.by, 'U0DEPLOYER');
    assert.equal(release?.override?.reason, 'checkout is down');
    const notice = await h.slack.waitFor(() =>
      h.slack.findMessage(message.ts)?.replies?.find((r) => textOf(r).includes('Break-glass')),
    );
    assert.equal(notice.subtype, 'thread_broadcast', 'told to the channel too');
    const audit = await h.engine.engine.audit.recent(20, { releaseId: release!.id });
    const entry = audit.find((a) => a.action === 'release.override');
    assert.equal(entry?.actor, 'U0DEPLOYER');
    assert.match(entry?.detail ?? '', /year-end freeze.*checkout is down/);
  });

  it('promotes the version that last succeeded in staging, ticking "migrations tested in staging" from that record', async () => {
    h = new SlackHarness(parseConfig(TEST_CONFIG_YAML, 'test config'));
    await h.start();
    const refused = await replyTo('U0DEPLOYER', () => h.command('U0DEPLOYER', 'promote staging production'));
    assert.match(refused, /backend\/staging has no completed release to promote/);

    const staging = await h.engine.release('v1.2.0', 'staging');
    assert.equal((await h.engine.waitForEnd(staging.id)).state, 'succeeded');

    const reply = await replyTo('U0DEPLOYER', () => h.command('U0DEPLOYER', 'promote staging production'));
    assert.match(reply, new RegExp(`It promotes v1\\.2\\.0 from staging \\(release \`${staging.id}\`\\)`));
    const promoted = (await h.engine.engine.store.history('backend', { environment: 'production' }))[0];
    assert.equal(promoted?.version, 'v1.2.0');
    assert.deepEqual(promoted?.promotedFrom, { releaseId: staging.id, environment: 'staging' });
    assert.equal(promoted?.checklist['migrations-tested']?.by, 'deploybot');
    const message = await messageWith('Promoted from staging');
    assert.match(
      textOf(message.blocks),
      new RegExp(`ticked by deploybot: ${staging.id} v1\\.2\\.0 succeeded in staging`),
    );
    assert.match(
      textOf(message.blocks),
      new RegExp(`Promoted from staging, where release \`${staging.id}\` succeeded`),
    );
  });
});
