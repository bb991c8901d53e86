import assert from 'node:assert/strict';
import { SlackHarness } from '../support/slack-harness';

function textOf(value: unknown): string {
  return JSON.stringify(value);
}

describe('a superseded rollback proposal in Slack over real HTTP', function () {
  this.timeout(30_000);
  let h: SlackHarness;

  beforeEach(async () => {
    h = new SlackHarness();
    await h.start();
  });
  afterEach(async () => {
    await h.stop();
  });

  async function ship(version: string): Promise<string> {
    const { service } = h.engine.engine;
    for (const repo of ['backend', 'worker']) h.engine.cloud.images.add(`${repo}:${version}`);
    const release = await service.request({
      version,
      app: 'backend',
      environment: 'production',
      type: 'hotfix',
      requestedBy: 'U0DEPLOYER',
    });
    await h.engine.waitFor(release.id, (r) => r.steps[0]?.state === 'succeeded');
    await service.tick(release.id, 'U0DEPLOYER', { 'unit-tests': true, 'code-reviewed': true });
    await service.start(release.id, 'U0DEPLOYER');
    const done = await h.engine.waitForEnd(release.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));
    return release.id;
  }

  it('refuses the approval click with the reason, leaves ECS untouched and closes the proposal', async () => {
    await ship('v1.2.0');
    await h.command('U0DEPLOYER', 'backend production', '/rollback');
    const proposal = await h.slack.waitFor(() =>
      h
        .channelMessages()
        .flatMap((m) => m.replies)
        .find((m) => textOf(m.blocks).includes('rollback_approve')),
    );
    const asProposed = structuredClone(proposal);
    const newer = await ship('v1.3.0');
    const updates = h.engine.cloud.sideEffects().updateService;

    const before = h.slack.ephemerals('U0APPROVER').length;
    await h.click('U0APPROVER', proposal.ts, 'rollback_approve', asProposed);
    const refusal = textOf(await h.slack.waitFor(() => h.slack.ephemerals('U0APPROVER')[before]));
    assert.match(
      refusal,
      new RegExp(
        `superseded by v1\\.3\\.0 \\(${newer}\\): backend-service now runs backend:9, not backend:8; ` +
          'worker-service now runs worker:5, not worker:4; nothing was changed',
      ),
    );

    assert.equal(h.engine.cloud.sideEffects().updateService, updates, 'ECS is untouched');
    assert.match(
      h.engine.cloud.services.get('backend-service')?.deployments[0]?.taskDefinition ?? '',
      /backend:9$/,
    );
    const closed = await h.slack.waitFor(() => {
      const message = h.slack.findMessage(proposal.ts);
      return message && textOf(message.blocks).includes('Superseded by v1.3.0') ? message : undefined;
    }, 10_000);
    assert.doesNotMatch(textOf(closed.blocks), /rollback_approve|rollback_reject/, 'the buttons are gone');
    assert.match(textOf(closed.blocks), /backend-service → `backend:7`/, 'the proposal keeps its text');
    const superseded = (await h.engine.engine.audit.recent(50, { app: 'backend' })).filter(
      (e) => e.action === 'rollback.superseded',
    );
    assert.deepEqual(
      superseded.map((e) => e.actor),
      ['U0APPROVER'],
    );
  });
});
