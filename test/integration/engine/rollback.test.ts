import assert from 'node:assert/strict';
import { EngineHarness } from '../../support/engine-harness';

describe('rollback on real Redis and BullMQ', () => {
  let h: EngineHarness;

  beforeEach(() => {
    h = new EngineHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  function primaryOf(service: string): string | undefined {
    return h.cloud.services.get(service)?.deployments[0]?.taskDefinition;
  }

  it('points every service back at its previous revision, verifies, and locks the app', async () => {
    const release = await h.release('v1.2.0', 'production', 'hotfix');
    assert.equal((await h.waitForEnd(release.id)).state, 'succeeded');
    assert.match(primaryOf('backend-service') ?? '', /backend:8$/);

    const proposal = await h.engine.service.proposeRollback({
      app: 'backend',
      environment: 'production',
      requestedBy: 'U1',
    });
    assert.equal(proposal.state, 'awaiting_start');
    assert.deepEqual(proposal.rollbackOf, {
      releaseId: release.id,
      version: 'v1.2.0',
      requestedBy: 'U0DEPLOYER',
    });
    assert.equal(h.cloud.sideEffects().updateService, 2, 'a proposal changes nothing');

    await h.engine.service.approveRollback(proposal.id, 'U0APPROVER');
    const done = await h.waitForEnd(proposal.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));
    assert.equal(done.startedBy, 'U0APPROVER');
    assert.match(primaryOf('backend-service') ?? '', /backend:7$/);
    assert.match(primaryOf('worker-service') ?? '', /worker:3$/);
    assert.equal(h.cloud.sideEffects().registerImageRevision, 2, 'a rollback registers nothing new');
    assert.equal(h.cloud.sideEffects().updateService, 4);

    const holder = await h.waitForManualLock();
    assert.match(
      holder.kind === 'manual' ? holder.reason : '',
      new RegExp(`rolled back v1\\.2\\.0 \\(release ${release.id}\\)`),
    );
    await assert.rejects(
      h.engine.service.request({
        version: 'v1.2.1',
        app: 'backend',
        environment: 'production',
        requestedBy: 'U1',
      }),
      /backend\/production is locked by deploybot: rolled back v1\.2\.0/,
    );
  });

  it('announces the lock it leaves, once, before the rollback’s closing post', async () => {
    const release = await h.release('v1.2.0', 'production', 'hotfix');
    await h.waitForEnd(release.id);
    const proposal = await h.engine.service.proposeRollback({
      app: 'backend',
      environment: 'production',
      requestedBy: 'U1',
    });
    await h.engine.service.approveRollback(proposal.id, 'U0APPROVER');
    await h.waitForEnd(proposal.id);
    const holder = await h.waitForManualLock();
    const ofRollback = h.chat.events.filter((e) => e.releaseId === proposal.id);
    const locked = ofRollback.filter((e) => e.kind === 'locked');
    assert.deepEqual(
      locked.map((e) => e.lines),
      [['deploybot', holder.kind === 'manual' ? holder.reason : '']],
    );
    assert.equal(locked[0]?.state, 'succeeded');
    const kinds = ofRollback.map((e) => e.kind);
    assert.ok(kinds.indexOf('locked') < kinds.indexOf('finished'), kinds.join(' '));
  });

  it('cancels the release it reverts when that one is still rolling out', async () => {
    h.cloud.rolloutPolls = 1_000_000; // the new revision never finishes rolling out
    const release = await h.release('v1.2.0', 'production', 'hotfix');
    await h.waitFor(release.id, (r) => r.steps.find((s) => s.name === 'deploy')?.state === 'waiting');
    const proposal = await h.engine.service.proposeRollback({
      app: 'backend',
      requestedBy: 'U1',
      environment: 'production',
    });
    h.cloud.rolloutPolls = 2;
    await h.engine.service.approveRollback(proposal.id, 'U0APPROVER');
    const reverted = await h.engine.store.get(release.id);
    assert.equal(reverted?.state, 'rolled_back');
    assert.equal(reverted?.rolledBackBy, proposal.id);
    assert.equal(reverted?.cancelledBy, 'U0APPROVER');
    const done = await h.waitForEnd(proposal.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));
    assert.match(primaryOf('backend-service') ?? '', /backend:7$/);
  });

  it('refuses to propose a rollback when no release has changed a service yet', async () => {
    await assert.rejects(
      h.engine.service.proposeRollback({ app: 'backend', environment: 'production', requestedBy: 'U1' }),
      /nothing to roll back/,
    );
  });

  it('decides a proposal once: a second approval is refused', async () => {
    const release = await h.release('v1.2.0', 'production', 'hotfix');
    await h.waitForEnd(release.id);
    const proposal = await h.engine.service.proposeRollback({
      app: 'backend',
      environment: 'production',
      requestedBy: 'U1',
    });
    await h.engine.service.approveRollback(proposal.id, 'U0APPROVER');
    await assert.rejects(
      h.engine.service.approveRollback(proposal.id, 'U0APPROVER'),
      /is already running|has already finished \(succeeded\)/,
    );
  });
});
