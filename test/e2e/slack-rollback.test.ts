import assert from 'node:assert/strict';
import { SlackHarness } from '../support/slack-harness';
import { testConfig } from '../support/test-config';

function textOf(value: unknown): string {
  return JSON.stringify(value);
}

describe('/rollback in Slack over real HTTP', function () {
  this.timeout(30_000);
  let h: SlackHarness;

  beforeEach(async () => {
    const config = testConfig();
    const production = config.apps.backend!.environments.production!;
    production.rollback.twoPersonRule = true;
    // Slots long enough that a busy machine still probes every one of them.
    production.monitoring.window = 1_500;
    production.monitoring.interval = 250;
    production.approvers = ['U0APPROVER', 'U0REQUESTER'];
    // Six probes a sample are the only traffic here: judge on ten of them.
    production.rollback.minRequests = 10;
    h = new SlackHarness(config);
    await h.start();
  });
  afterEach(async () => {
    await h.stop();
  });

  async function replyTo(user: string, act: () => Promise<unknown>): Promise<string> {
    const before = h.slack.ephemerals(user).length;
    await act();
    return textOf(await h.slack.waitFor(() => h.slack.ephemerals(user)[before]));
  }

  it('proposes, refuses outsiders and the release author, and rolls back on an approver’s click', async () => {
    const { service } = h.engine.engine;
    const release = await service.request({
      version: 'v1.2.0',
      app: 'backend',
      environment: 'production',
      type: 'hotfix',
      requestedBy: 'U0APPROVER',
    });
    await h.engine.waitFor(release.id, (r) => r.steps[0]?.state === 'succeeded');
    await service.tick(release.id, 'U0APPROVER', { 'unit-tests': true, 'code-reviewed': true });
    await service.start(release.id, 'U0APPROVER');
    assert.equal((await h.engine.waitForEnd(release.id)).state, 'succeeded');

    const notice = await replyTo('U0DEPLOYER', () =>
      h.command('U0DEPLOYER', 'backend production', '/rollback'),
    );
    assert.match(notice, /Rollback `r\d{8}t\d{6}-[0-9a-f]{4}` proposed in <#C0ENGINEER>/);
    // The proposal is a reply in the thread of the release it reverts (broadcast to the channel).
    const proposal = await h.slack.waitFor(() =>
      h
        .channelMessages()
        .flatMap((m) => m.replies)
        .find((m) => textOf(m.blocks).includes('rollback_approve')),
    );
    const parent = h.channelMessages().find((m) => m.replies.includes(proposal));
    assert.match(textOf(parent?.blocks), /v1\.2\.0/);
    const asProposed = structuredClone(proposal);
    assert.match(textOf(proposal.blocks), /Approvers: <@U0APPROVER> <@U0REQUESTER>/);
    assert.match(textOf(proposal.blocks), /backend-service → `backend:7`/);
    assert.match(textOf(proposal.blocks), /"confirm":\{"type":"plain_text","text":"Roll back"/);

    const outsider = await replyTo('U0OUTSIDER', () =>
      h.click('U0OUTSIDER', proposal.ts, 'rollback_approve'),
    );
    assert.match(outsider, /only <@U0APPROVER>, <@U0REQUESTER> may approve rollbacks in production/);
    const author = await replyTo('U0APPROVER', () => h.click('U0APPROVER', proposal.ts, 'rollback_approve'));
    assert.match(author, /two-person rule: <@U0APPROVER> requested v1.2.0 and may not approve its rollback/);
    const refusals = (await h.engine.engine.audit.recent(20, { app: 'backend' })).filter(
      (e) => e.action === 'refused.approve',
    );
    assert.deepEqual(refusals.map((e) => e.actor).sort(), ['U0APPROVER', 'U0OUTSIDER']);

    await h.click('U0REQUESTER', proposal.ts, 'rollback_approve');
    const [rollback] = (await h.engine.engine.store.history('backend')).filter((r) => r.rollbackOf);
    const done = await h.engine.waitForEnd(rollback!.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));
    assert.match(
      h.engine.cloud.services.get('backend-service')?.deployments[0]?.taskDefinition ?? '',
      /backend:7$/,
    );

    const decided = await h.slack.waitFor(() => {
      const message = h.slack.findMessage(proposal.ts);
      return message && /Finished in [^"]*: backend-service back on backend:7/.test(textOf(message.blocks))
        ? message
        : undefined;
    }, 10_000);
    assert.match(textOf(decided.blocks), /Approved by <@U0REQUESTER>/);
    assert.doesNotMatch(textOf(decided.blocks), /rollback_approve/, 'the decision replaces the buttons');

    const again = await replyTo('U0REQUESTER', () =>
      h.click('U0REQUESTER', proposal.ts, 'rollback_approve', asProposed),
    );
    assert.match(again, /has already finished \(succeeded\)/);
    assert.equal((await h.engine.waitForManualLock()).kind, 'manual');
  });

  it('proposes in the thread when the service degrades after the deploy, and an approver’s click rolls it back', async () => {
    const { service } = h.engine.engine;
    let degraded = false;
    h.engine.cloud.hook = async (method, phase) => {
      // Going back to the old revision heals the service.
      if (method === 'updateService' && degraded) h.engine.probe.statusByPath.delete('/health');
      if (method !== 'countMatches' || phase !== 'before' || degraded) return;
      const r = (await h.engine.engine.store.history('backend'))[0];
      if (r?.steps.find((s) => s.name === 'verify')?.state === 'succeeded') {
        degraded = true;
        h.engine.probe.statusByPath.set('/health', 500);
      }
    };
    const release = await service.request({
      version: 'v1.2.0',
      app: 'backend',
      environment: 'production',
      type: 'hotfix',
      requestedBy: 'U0APPROVER',
    });
    await h.engine.waitFor(release.id, (r) => r.steps[0]?.state === 'succeeded');
    await service.tick(release.id, 'U0APPROVER', { 'unit-tests': true, 'code-reviewed': true });
    await service.start(release.id, 'U0APPROVER');

    const proposal = await h.slack.waitFor(
      () =>
        h
          .channelMessages()
          .flatMap((m) => m.replies)
          .find((m) => textOf(m.blocks).includes('rollback_approve')),
      15_000,
    );
    assert.match(
      textOf(proposal.blocks),
      /Monitoring saw:\* error-rate: 5xx 33\.3% of \d+ health probes in the last \d+ms vs 0\.0% of 9 at baseline \(limit 5%\)/,
    );
    const outsider = await replyTo('U0OUTSIDER', () =>
      h.click('U0OUTSIDER', proposal.ts, 'rollback_approve'),
    );
    assert.match(outsider, /may approve rollbacks in production/);
    const author = await replyTo('U0APPROVER', () => h.click('U0APPROVER', proposal.ts, 'rollback_approve'));
    assert.match(author, /two-person rule/);

    await h.click('U0REQUESTER', proposal.ts, 'rollback_approve');
    const ended = await h.engine.waitFor(release.id, (r) => r.state !== 'running');
    assert.equal(ended.state, 'rolled_back');
    const rollback = await h.engine.waitForEnd(ended.rolledBackBy as string);
    assert.equal(rollback.state, 'succeeded', JSON.stringify(rollback.failure));
    for (const [service, revision] of [
      ['backend-service', /backend:7$/],
      ['worker-service', /worker:3$/],
    ] as const) {
      assert.match(h.engine.cloud.services.get(service)?.deployments[0]?.taskDefinition ?? '', revision);
    }
    assert.equal((await h.engine.waitForManualLock()).kind, 'manual');

    // The thread tells the story, in order.
    const parent = h.channelMessages().find((m) => m.replies.includes(proposal));
    const story = (parent?.replies ?? []).map((m) => m.text);
    const order = ['preflight', 'deploy', 'verify', 'Monitoring', 'Rollback of backend v1.2.0'].map((word) =>
      story.findIndex((t) => t.includes(word)),
    );
    assert.ok(
      order.every((i) => i >= 0),
      `thread: ${JSON.stringify(story)}`,
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      `thread order: ${JSON.stringify(story)}`,
    );
  });

  it('offers the migration rollback in the thread after the app rollback, and restores a snapshot only after two confirmations', async () => {
    const { service } = h.engine.engine;
    const release = await service.request({
      version: 'v1.2.0',
      app: 'backend',
      environment: 'production',
      type: 'hotfix',
      requestedBy: 'U0APPROVER',
    });
    await h.engine.waitFor(release.id, (r) => r.steps[0]?.state === 'succeeded');
    await service.tick(release.id, 'U0APPROVER', { 'unit-tests': true, 'code-reviewed': true });
    await service.start(release.id, 'U0APPROVER');
    assert.equal((await h.engine.waitForEnd(release.id)).state, 'succeeded');
    await h.command('U0DEPLOYER', 'backend production', '/rollback');
    const replies = () => h.channelMessages().flatMap((m) => m.replies);
    const appRollback = await h.slack.waitFor(() =>
      replies().find((m) => textOf(m.blocks).includes('rollback_approve')),
    );
    await h.click('U0REQUESTER', appRollback.ts, 'rollback_approve');

    // The app is back; the schema is not: the migration rollback is offered as its own decision.
    const downgrade = await h.slack.waitFor(
      () => replies().find((m) => textOf(m.blocks).includes('Migration rollback of backend v1.2.0')),
      10_000,
    );
    assert.match(textOf(downgrade.blocks), /alembic downgrade -1/);
    assert.match(textOf(downgrade.blocks), /Approvers: <@U0APPROVER> <@U0REQUESTER>/);
    const author = await replyTo('U0APPROVER', () => h.click('U0APPROVER', downgrade.ts, 'rollback_approve'));
    assert.match(author, /two-person rule/);
    await h.click('U0REQUESTER', downgrade.ts, 'rollback_approve');
    const migratedBack = await h.slack.waitFor(() => {
      const message = h.slack.findMessage(downgrade.ts);
      return message && textOf(message.blocks).includes('Finished in') ? message : undefined;
    }, 10_000);
    assert.match(textOf(migratedBack.blocks), /Approved by <@U0REQUESTER>/);
    const down = [...h.engine.cloud.tasks.values()].at(-1);
    assert.deepEqual(down?.command, ['alembic', 'downgrade', '-1']);

    // The last resort, asked for by hand: two confirmations, each its own button.
    const notice = await replyTo('U0DEPLOYER', () =>
      h.command('U0DEPLOYER', 'backend production --restore-snapshot', '/rollback'),
    );
    assert.match(notice, /Snapshot restore `r\d{8}t\d{6}-[0-9a-f]{4}` proposed/);
    const restore = await h.slack.waitFor(() =>
      [...h.channelMessages(), ...replies()].find((m) =>
        textOf(m.blocks).includes('Snapshot restore of backend'),
      ),
    );
    const asProposed = structuredClone(restore);
    await h.click('U0REQUESTER', restore.ts, 'rollback_approve');
    const once = await h.slack.waitFor(() => {
      const message = h.slack.findMessage(restore.ts);
      return message && textOf(message.blocks).includes('rollback_restore_confirm') ? message : undefined;
    }, 10_000);
    assert.match(textOf(once.blocks), /First confirmation by <@U0REQUESTER>/);
    const double = await replyTo('U0REQUESTER', () =>
      h.click('U0REQUESTER', restore.ts, 'rollback_approve', asProposed),
    );
    assert.match(
      double,
      /confirmed once/,
      'a double click on the first button is not the second confirmation',
    );
    assert.equal(h.engine.cloud.sideEffects().restore, 0);

    await h.click('U0REQUESTER', restore.ts, 'rollback_restore_confirm');
    const restored = await h.slack.waitFor(() => {
      const message = h.slack.findMessage(restore.ts);
      return message && /Finished in [^"]*: snapshot restored into/.test(textOf(message.blocks))
        ? message
        : undefined;
    }, 10_000);
    assert.doesNotMatch(textOf(restored.blocks), /rollback_restore_confirm/);
    assert.equal(h.engine.cloud.sideEffects().restore, 1);
    const [into] = [...h.engine.cloud.restored.keys()];
    assert.match(into ?? '', /^social-analytics-db-rollback-/);
  });
});
