import assert from 'node:assert/strict';
import { Queue } from 'bullmq';
import { parseAtTime } from '../../src/domain/schedule/at-time';
import type { Release } from '../../src/domain/release';
import { DEPLOY_QUEUE_NAME } from '../../src/queue/deploy-queue-jobs';
import type { FakeEphemeral } from '../../src/sandbox/fake-slack/types';
import { SlackHarness } from '../support/slack-harness';

const textOf = (value: unknown): string => JSON.stringify(value);

/** Polls `probe` until it yields a value; fails after `timeoutMs`. */
async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the deploy queue in Slack over real HTTP', function () {
  this.timeout(30_000);
  let h: SlackHarness;

  beforeEach(async () => {
    h = new SlackHarness();
    await h.start();
  });
  afterEach(async () => {
    await h.stop();
  });

  async function replyTo(user: string, act: () => Promise<unknown>): Promise<FakeEphemeral> {
    const before = h.slack.ephemerals(user).length;
    await act();
    return h.slack.waitFor(() => h.slack.ephemerals(user)[before]);
  }

  /** The newest release of backend/staging that is not `other`. */
  async function releaseOtherThan(other: string): Promise<Release | undefined> {
    const releases = await h.engine.engine.store.history('backend', { environment: 'staging', limit: 5 });
    return releases.find((r) => r.id !== other);
  }

  it('offers "Queue it" when the app is busy; the queued release is ticked while it waits and starts by itself when the first ends', async () => {
    // The first release holds backend/staging while it awaits its Start.
    const first = await h.engine.engine.service.request({
      version: 'v1.1.0',
      app: 'backend',
      environment: 'staging',
      requestedBy: 'U0DEPLOYER',
    });

    const refusal = await replyTo('U0REQUESTER', () => h.command('U0REQUESTER', 'v1.2.0 staging'));
    assert.match(textOf(refusal), /busy with release/);
    assert.match(textOf(refusal), /"action_id":"queue_it"/);
    // A double click: two clicks on the one offer, each with its own action_ts, queue one release.
    await Promise.all([
      h.click('U0REQUESTER', refusal.ts, 'queue_it', { blocks: refusal.blocks as unknown[] }),
      h.click('U0REQUESTER', refusal.ts, 'queue_it', { blocks: refusal.blocks as unknown[] }),
    ]);

    const second = await until(
      async () => ((await releaseOtherThan(first.id))?.chat ? releaseOtherThan(first.id) : undefined),
      'the queued release and its message',
    );
    assert.equal(second.state, 'queued');
    assert.equal(
      (await h.engine.engine.store.history('backend', { environment: 'staging' })).length,
      2,
      'one queued release for two clicks',
    );
    assert.equal(second.requestedBy, 'U0REQUESTER');
    assert.equal(
      await h.engine.engine.locks
        .holder({ app: 'backend', environment: 'staging' })
        .then((l) => l?.kind === 'release' && l.owner),
      first.id,
    );
    const message = await h.slack.waitFor(() => {
      const m = h.slack.findMessage(second.chat!.ts);
      return m && textOf(m.blocks).includes('queued') ? m : undefined;
    });
    assert.match(textOf(message.blocks), new RegExp(first.id), 'its message says what it waits behind');

    const listing = await replyTo('U0DEPLOYER', () => h.command('U0DEPLOYER', 'queue backend staging'));
    assert.match(textOf(listing), new RegExp(second.id));

    // Ticked while it waits: at its turn it needs nobody to press Start.
    await h.tick('U0REQUESTER', message.ts, ['unit-tests', 'code-reviewed']);
    await h.engine.waitFor(second.id, (r) => r.checklist['code-reviewed'] !== undefined);

    const started = await h.engine.engine.service.tick(first.id, 'U0REVIEWER', {
      'unit-tests': true,
      'code-reviewed': true,
    });
    await h.engine.waitFor(started.id, (r) => r.steps[0]?.state === 'succeeded');
    await h.engine.engine.service.start(first.id, 'U0DEPLOYER');
    assert.equal((await h.engine.waitForEnd(first.id)).state, 'succeeded');

    const done = await h.engine.waitForEnd(second.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));
    assert.ok(done.queue?.dequeuedAt !== undefined && done.queue.dequeuedAt >= (first.endedAt ?? 0));
    const audit = await h.engine.engine.audit.recent(50, { releaseId: second.id });
    assert.ok(audit.some((a) => a.action === 'release.queued'));
    assert.ok(audit.some((a) => a.action === 'release.started'));
  });

  it('schedules a release with --at: queued, a wake-up job at that moment, and the reply says when', async () => {
    const answer = await replyTo('U0DEPLOYER', () =>
      h.command('U0DEPLOYER', 'v1.2.0 staging --at "tue 14:00"'),
    );
    const release = await until(async () => releaseOtherThan(''), 'the scheduled release');
    assert.equal(release.state, 'queued');
    const expected = parseAtTime('tue 14:00', release.createdAt, 'UTC');
    assert.equal(release.queue?.notBefore, expected);
    assert.match(textOf(answer), /Queued backend v1\.2\.0 → staging/);
    assert.match(textOf(answer), /It will not run before Tue 14:00 UTC/);
    // Durable: the wake-up is a delayed BullMQ job, not a timer in this process.
    const queue = new Queue(DEPLOY_QUEUE_NAME, {
      connection: h.engine.client,
      prefix: `${h.engine.prefix}:bull`,
    });
    try {
      const delayed = await queue.getDelayed();
      const wake = delayed.find((job) => job.id?.endsWith(`-at-${expected}`));
      assert.ok(wake, `a delayed wake-up at ${expected}: ${delayed.map((j) => j.id).join(', ')}`);
      assert.ok(Math.abs(wake.timestamp + (wake.opts.delay ?? 0) - expected) < 1_000);
    } finally {
      await queue.close();
    }
    // Until then it does not run, and the lock stays free for others: a release now is not held up by it.
    assert.equal(await h.engine.engine.locks.holder({ app: 'backend', environment: 'staging' }), undefined);
    const now = await replyTo('U0DEPLOYER', () => h.command('U0DEPLOYER', 'v1.1.0 staging'));
    assert.match(textOf(now), /Requested backend v1\.1\.0 → staging/);
  });

  it('never lets a new request overtake a release already waiting in the queue', async () => {
    const first = await h.engine.engine.service.request({
      version: 'v1.1.0',
      app: 'backend',
      environment: 'staging',
      requestedBy: 'U0DEPLOYER',
    });
    await replyTo('U0DEPLOYER', () => h.command('U0DEPLOYER', 'v1.2.0 staging --queue'));
    const queued = await until(async () => releaseOtherThan(first.id), 'the queued release');
    assert.equal(queued.state, 'queued');
    const refused = await replyTo('U0REQUESTER', () => h.command('U0REQUESTER', 'v1.3.0 staging'));
    assert.match(
      textOf(refused),
      new RegExp(`backend/staging has a release queued \\(\`${queued.id}\` v1\\.2\\.0\\)`),
    );
    assert.match(textOf(refused), /"action_id":"queue_it"/);
    const history = await h.engine.engine.store.history('backend', { environment: 'staging' });
    assert.equal(history.length, 2, 'nothing was started');

    // Its message's Cancel: refused to an outsider, done for its requester, and it leaves the queue.
    const message = await until(
      async () => (await h.engine.engine.store.get(queued.id))?.chat,
      'its message',
    );
    const outsider = await replyTo('U0OUTSIDER', () => h.click('U0OUTSIDER', message.ts, 'release_cancel'));
    assert.match(
      textOf(outsider),
      /a queued release is withdrawn by its requester \(<@U0DEPLOYER>\) or an approver; nobody is configured to approve rollbacks in staging/,
    );
    await h.click('U0DEPLOYER', message.ts, 'release_cancel');
    assert.equal((await h.engine.waitFor(queued.id, (r) => r.state !== 'queued')).state, 'cancelled');
    const listing = await replyTo('U0DEPLOYER', () => h.command('U0DEPLOYER', 'queue backend staging'));
    assert.doesNotMatch(textOf(listing), new RegExp(queued.id));
  });
});
