import assert from 'node:assert/strict';
import type { FakeMessage } from '../../src/sandbox/fake-slack/types';
import { SlackHarness } from '../support/slack-harness';
import { testConfig } from '../support/test-config';

/** Everything the bot posted, as one string, for matching. */
function textOf(value: unknown): string {
  return JSON.stringify(value);
}

describe('/deploy in Slack over real HTTP', function () {
  this.timeout(30_000);
  let h: SlackHarness;

  beforeEach(async () => {
    h = new SlackHarness();
    await h.start();
  });
  afterEach(async () => {
    await h.stop();
  });

  async function lastEphemeral(user: string): Promise<string> {
    const found = await h.slack.waitFor(() => h.slack.ephemerals(user).at(-1));
    return textOf(found);
  }

  /** Runs `act` and returns the ephemeral reply it brings `user`. */
  async function replyTo(user: string, act: () => Promise<unknown>): Promise<string> {
    const before = h.slack.ephemerals(user).length;
    await act();
    const found = await h.slack.waitFor(() => h.slack.ephemerals(user)[before]);
    return textOf(found);
  }

  async function releaseMessage(): Promise<FakeMessage> {
    return h.slack.waitFor(() => h.channelMessages().find((m) => textOf(m.blocks).includes('release_start')));
  }

  async function waitForMessage(ts: string, predicate: (text: string) => boolean): Promise<FakeMessage> {
    return h.slack.waitFor(() => {
      const message = h.slack.findMessage(ts);
      return message && predicate(textOf(message.blocks)) ? message : undefined;
    }, 15_000);
  }

  it('posts one release message with the checklist, ticks as people click, and runs the steps in place', async () => {
    const answer = await h.command('U0DEPLOYER', 'v1.2.0 backend production --type hotfix');
    assert.equal(answer.status, 200);

    const message = await releaseMessage();
    assert.equal(h.channelMessages().length, 1, 'one parent message per release');
    assert.match(textOf(message.blocks), /Code Quality/);
    assert.match(textOf(message.blocks), /Security/);
    const notice = await lastEphemeral('U0DEPLOYER');
    const [release] = await h.engine.engine.store.history('backend');
    assert.equal(release?.chat?.ts, message.ts);
    // What was done, not a promise about preflight, which may have ended by the time this is read.
    assert.match(
      notice,
      new RegExp(
        `Requested backend v1.2.0 → production \\(release \`${release?.id}\`\\): its checklist is in <#C0ENGINEER> — preflight runs now`,
      ),
    );
    assert.doesNotMatch(notice, /preflight is running|then press Start/);

    // Preflight ticks its own items in the same message.
    await h.engine.waitFor(release!.id, (r) => r.steps[0]?.state === 'succeeded');
    await waitForMessage(message.ts, (t) => t.includes('✅') && t.includes('Image pushed to ECR'));
    // Start is refused until the required items are ticked.
    const refused = await replyTo('U0DEPLOYER', () => h.click('U0DEPLOYER', message.ts, 'release_start'));
    assert.match(refused, /Start needs: All unit tests passing; Code reviewed/);
    assert.equal((await h.engine.engine.store.get(release!.id))?.state, 'awaiting_start');

    await h.tick('U0REQUESTER', message.ts, ['unit-tests', 'code-reviewed']);
    const ticked = await waitForMessage(message.ts, (t) => t.includes('ticked by <@U0REQUESTER>'));
    assert.match(textOf(ticked.blocks), /"value":"unit-tests"/);
    const stored = await h.engine.engine.store.get(release!.id);
    assert.equal(stored?.checklist['code-reviewed']?.by, 'U0REQUESTER');

    await h.click('U0DEPLOYER', message.ts, 'release_start');
    const done = await h.engine.waitForEnd(release!.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));

    const final = await waitForMessage(message.ts, (t) => t.includes('Released in'));
    assert.equal(final.ts, message.ts, 'the same message, updated in place');
    const updates = h.slack.calls.filter((c) => c.method === 'chat.update' && c.body.ts === message.ts);
    assert.ok(updates.length >= 2, `updated in place (${updates.length} chat.update)`);
    assert.equal(h.channelMessages().length, 1);
    const thread = textOf(h.slack.findMessage(message.ts)?.replies);
    assert.match(thread, /preflight/);
    assert.match(thread, /alembic upgrade head/);
    assert.match(thread, /snapshot deploybot-r/);
  });

  it('answers a triple delivery of the same command (Slack retries) with one release', async () => {
    const triggerId = '1111111111.222222222222.retrytest';
    const answers = [
      await h.command('U0DEPLOYER', 'v1.2.0 backend production', '/deploy', { triggerId }),
      await h.command('U0DEPLOYER', 'v1.2.0 backend production', '/deploy', {
        triggerId,
        retryNum: 1,
        retryReason: 'http_timeout',
      }),
      await h.command('U0DEPLOYER', 'v1.2.0 backend production', '/deploy', {
        triggerId,
        retryNum: 2,
        retryReason: 'http_timeout',
      }),
    ];
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200],
    );
    await releaseMessage();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await h.engine.engine.store.history('backend')).length, 1);
    assert.equal(h.channelMessages().length, 1);
  });

  it('refuses a user outside the deployers with an ephemeral reply naming the rule, and audits it', async () => {
    const reply = await replyTo('U0OUTSIDER', () => h.command('U0OUTSIDER', 'v1.2.0 backend production'));
    assert.match(reply, /only <!subteam\^S0DEPLOYERS> may deploy to production/);
    assert.deepEqual(await h.engine.engine.store.history('backend'), []);
    const audit = await h.engine.engine.audit.recent(5, { app: 'backend' });
    assert.equal(audit[0]?.action, 'refused.deploy');
    assert.equal(audit[0]?.actor, 'U0OUTSIDER');
  });

  it('rejects a bad signature and a stale timestamp with 401 and starts nothing', async () => {
    const forged = await h.command('U0DEPLOYER', 'v1.2.0 backend production', '/deploy', {
      badSignature: true,
    });
    assert.equal(forged.status, 401);
    const stale = await h.command('U0DEPLOYER', 'v1.2.0 backend production', '/deploy', {
      timestamp: Math.floor(Date.now() / 1000) - 10 * 60,
    });
    assert.equal(stale.status, 401);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(await h.engine.engine.store.history('backend'), []);
    assert.equal(await h.engine.engine.queue.count(), 0);
  });

  const BAD_TEXT: [string, RegExp][] = [
    ['deploy v1.2.0', /unknown subcommand \\"deploy\\"/],
    ['v1.2', /\\"v1.2\\" is not a release version/],
    ['v1.2.0 frontend', /unknown app \\"frontend\\"; configured apps: backend/],
    ['v1.2.0 backend prod', /unknown environment \\"prod\\" for backend/],
    ['v1.2.0 backend production now', /unexpected \\"now\\"/],
    ['v1.2.0 --force', /unknown option \\"--force\\"/],
    ['cancel 42', /\\"42\\" is not a release id/],
    ['lock backend production', /lock needs a reason/],
  ];
  for (const [text, problem] of BAD_TEXT) {
    it(`answers \`/deploy ${text}\` with an ephemeral usage reply and enqueues nothing`, async () => {
      const answer = await h.command('U0DEPLOYER', text);
      assert.equal(answer.status, 200);
      assert.match(answer.body, problem);
      assert.match(answer.body, /"response_type":"ephemeral"/);
      assert.match(answer.body, /\/deploy history/, 'the usage comes with it');
      assert.equal(await h.engine.engine.queue.count(), 0);
      assert.deepEqual(await h.engine.engine.store.history('backend'), []);
    });
  }

  it('shows help and the dry-run plan in the acknowledgement itself', async () => {
    const help = await h.command('U0DEPLOYER', 'help');
    assert.match(help.body, /\/deploy lock &lt;app&gt; \[env\] &lt;reason&gt;/);
    assert.match(help.body, /\/deploy status \[app\]/);
    assert.match(help.body, /\/rollback \[app\] \[env\] --migration/, 'help names /rollback too');
    const plan = await h.command('U0DEPLOYER', 'v1.2.0 backend production --dry-run');
    assert.match(plan.body, /nothing is changed/);
    assert.match(plan.body, /RDS CreateDBSnapshot of social-analytics-db/);
    assert.equal(await h.engine.engine.queue.count(), 0);
  });

  it('lets whoever asked for a release cancel it, as its Cancel button does, and refuses anyone else without deploy rights', async () => {
    // Asked for by someone who may no longer deploy (their rights changed since, say).
    const release = await h.engine.engine.service.request({
      version: 'v1.2.0',
      app: 'backend',
      environment: 'production',
      type: 'hotfix',
      requestedBy: 'U0OUTSIDER',
    });
    const stranger = await replyTo('U0RANDOM', () => h.command('U0RANDOM', `cancel ${release.id}`));
    assert.match(stranger, /may deploy to production/, stranger);
    assert.equal((await h.engine.engine.store.get(release.id))?.state, 'awaiting_start');

    const own = await replyTo('U0OUTSIDER', () => h.command('U0OUTSIDER', `cancel ${release.id}`));
    assert.match(own, /cancelled/, own);
    assert.equal((await h.engine.engine.store.get(release.id))?.state, 'cancelled');
  });

  it('answers status, history, lock, unlock and cancel', async () => {
    await replyTo('U0DEPLOYER', () => h.command('U0DEPLOYER', 'v1.2.0 backend production --type hotfix'));
    const [release] = await h.engine.engine.store.history('backend');

    assert.match(
      await replyTo('U0DEPLOYER', () => h.command('U0DEPLOYER', 'status')),
      new RegExp(release!.id),
    );

    const cancelled = await replyTo('U0DEPLOYER', () => h.command('U0DEPLOYER', `cancel ${release!.id}`));
    assert.match(cancelled, /cancelled/, cancelled);
    assert.equal((await h.engine.engine.store.get(release!.id))?.state, 'cancelled');

    const history = await replyTo('U0DEPLOYER', () =>
      h.command('U0DEPLOYER', 'history backend production 5'),
    );
    assert.match(history, new RegExp(`${release!.id}`));

    await h.command('U0DEPLOYER', 'lock backend production database maintenance until 18:00');
    const locked = await h.slack.waitFor(() => h.channelMessages().find((m) => m.text.includes('locked by')));
    assert.match(
      locked.text,
      /backend\/production locked by <@U0DEPLOYER>: database maintenance until 18:00/,
    );
    const refused = await replyTo('U0REQUESTER', () => h.command('U0REQUESTER', 'v1.3.0 backend production'));
    assert.match(refused, /locked by <@U0DEPLOYER>: database maintenance until 18:00 \(locked just now\)/);
    assert.doesNotMatch(refused, /locked by U0DEPLOYER/, 'people are mentioned, not named by their id');
    assert.match(refused, /\/deploy unlock backend production/, 'the refusal gives the unlock command');

    await h.command('U0DEPLOYER', 'unlock backend production');
    await h.slack.waitFor(() => h.channelMessages().find((m) => m.text.includes('unlocked by')));
    assert.equal(
      await h.engine.engine.locks.holder({ app: 'backend', environment: 'production' }),
      undefined,
    );
  });

  it('refuses an outsider’s unlock with the unlock rule, shows the lock in status, and lets an approver unlock', async () => {
    await h.command('U0DEPLOYER', 'lock backend production database maintenance until 18:00');
    await h.slack.waitFor(() => h.channelMessages().find((m) => m.text.includes('locked by')));

    const status = await replyTo('U0REQUESTER', () => h.command('U0REQUESTER', 'status backend'));
    assert.match(status, /database maintenance until 18:00/, 'status shows why');
    assert.match(status, /<@U0DEPLOYER>/, 'status shows who, as a mention');

    // A deployer who did not place the lock: unlocking is the approvers' call, and the refusal says so.
    const refused = await replyTo('U0REQUESTER', () => h.command('U0REQUESTER', 'unlock backend production'));
    assert.match(refused, /only <@U0APPROVER> may unlock production/);
    assert.doesNotMatch(refused, /may deploy to production/);
    assert.equal(
      (await h.engine.engine.locks.holder({ app: 'backend', environment: 'production' }))?.kind,
      'manual',
    );
    const audit = await h.engine.engine.audit.recent(5, { app: 'backend' });
    assert.equal(audit[0]?.action, 'refused.unlock');

    await h.command('U0APPROVER', 'unlock backend production');
    const unlocked = await h.slack.waitFor(() =>
      h.channelMessages().find((m) => m.text.includes('unlocked by')),
    );
    assert.match(
      unlocked.text,
      /backend\/production unlocked by <@U0APPROVER> \(locked by <@U0DEPLOYER> just now: database maintenance until 18:00\)/,
    );
    assert.equal(
      await h.engine.engine.locks.holder({ app: 'backend', environment: 'production' }),
      undefined,
    );
  });

  it('lists a rollback proposal in status as a proposal awaiting approval', async () => {
    const released = await h.engine.release('v1.2.0', 'production', 'hotfix');
    assert.equal((await h.engine.waitForEnd(released.id)).state, 'succeeded');
    const proposal = await h.engine.engine.service.proposeRollback({
      app: 'backend',
      environment: 'production',
      requestedBy: 'U0DEPLOYER',
    });
    const status = await replyTo('U0DEPLOYER', () => h.command('U0DEPLOYER', 'status'));
    assert.match(status, new RegExp(proposal.id));
    assert.match(status, /awaiting approval/);
    assert.doesNotMatch(status, /awaiting start \(checklist\)/);
  });
});

describe('/deploy refusals while a release monitors', function () {
  this.timeout(30_000);
  let h: SlackHarness;

  beforeEach(async () => {
    const config = testConfig();
    // A window long enough to be refused in: the release sits in its monitor step.
    const monitoring = config.apps.backend!.environments.production!.monitoring;
    monitoring.window = 10 * 60_000;
    monitoring.interval = 60_000;
    h = new SlackHarness(config);
    await h.start();
  });
  afterEach(async () => {
    await h.stop();
  });

  it('names the busy release, its requester as a mention, when it frees up, and where to watch it', async () => {
    const release = await h.engine.release('v1.2.0', 'production', 'hotfix');
    await h.engine.waitFor(release.id, (r) => {
      const monitor = r.steps.find((s) => s.name === 'monitor');
      return typeof monitor?.progress.windowStart === 'number';
    });

    const before = h.slack.ephemerals('U0REQUESTER').length;
    await h.command('U0REQUESTER', 'v1.3.0 backend production --type hotfix');
    const refused = JSON.stringify(await h.slack.waitFor(() => h.slack.ephemerals('U0REQUESTER')[before]));
    assert.match(
      refused,
      new RegExp(
        `backend/production is busy with release ${release.id} \\(v1\\.2\\.0, monitoring, requested by <@U0DEPLOYER>\\); it frees up in about (\\d+ min|1 h), when its monitoring window ends`,
      ),
    );
    assert.match(refused, /\/deploy status backend/, 'the refusal says where to watch it');
    assert.doesNotMatch(refused, /requested by U0DEPLOYER/);
    assert.equal((await h.engine.engine.store.history('backend')).length, 1, 'nothing else was requested');
  });
});
