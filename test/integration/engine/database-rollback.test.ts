import assert from 'node:assert/strict';
import type { Release } from '../../../src/domain/release';
import { EngineHarness } from '../../support/engine-harness';

/**
 * The runbook's "Rollback Database" on real Redis and BullMQ: after the app is
 * rolled back, the migration rollback is offered as its own approved step; the
 * snapshot restore is the last resort, asks twice and creates a new database.
 */
describe('database rollback on real Redis and BullMQ', function () {
  this.timeout(30_000);
  let h: EngineHarness;

  beforeEach(() => {
    h = new EngineHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  /** A release that migrated, then its app rollback, approved and finished. */
  async function releaseThenRollBack(): Promise<{ release: Release; rollback: Release }> {
    const release = await h.release('v1.2.0', 'production', 'hotfix');
    assert.equal((await h.waitForEnd(release.id)).state, 'succeeded');
    const proposal = await h.engine.service.proposeRollback({
      app: 'backend',
      environment: 'production',
      requestedBy: 'U1',
    });
    await h.engine.service.approveRollback(proposal.id, 'U0APPROVER');
    const rollback = await h.waitForEnd(proposal.id);
    assert.equal(rollback.state, 'succeeded', JSON.stringify(rollback.failure));
    return { release: (await h.engine.store.get(release.id)) as Release, rollback };
  }

  /** The newest database rollback of `action` proposed for the release, once it appears. */
  async function proposalOf(releaseId: string, action: 'downgrade' | 'restore'): Promise<Release> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const history = await h.engine.store.history('backend', { environment: 'production', limit: 20 });
      const found = history.find(
        (r) => r.rollbackOf?.releaseId === releaseId && r.rollbackOf.database?.action === action,
      );
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${action} proposal for ${releaseId}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  function tasks() {
    return [...h.cloud.tasks.values()];
  }

  it('offers the migration rollback after the app rollback and runs it with the reverted release’s image', async () => {
    const { release } = await releaseThenRollBack();
    const downgrade = await proposalOf(release.id, 'downgrade');
    assert.equal(downgrade.state, 'awaiting_start', 'offered, not run: a person decides');
    assert.equal(downgrade.requestedBy, 'deploybot');
    assert.deepEqual(
      downgrade.steps.map((s) => s.name),
      ['migrate_down'],
    );
    const newRevision = release.facts.targetTaskDefinitions['backend-service'];
    assert.match(newRevision ?? '', /backend:8$/);
    assert.deepEqual(downgrade.facts.targetTaskDefinitions, { 'backend-service': newRevision });
    assert.equal(tasks().length, 1, 'only the upgrade ran so far');

    await h.engine.service.approveRollback(downgrade.id, 'U0APPROVER');
    const done = await h.waitForEnd(downgrade.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));
    const down = tasks()[1];
    assert.deepEqual(down?.command, ['alembic', 'downgrade', '-1']);
    assert.equal(down?.td, newRevision, 'the new image knows the migration it undoes');
    assert.equal(down?.startedBy, downgrade.id);
    assert.equal(h.cloud.sideEffects().updateService, 4, 'services are not touched again');

    const holder = await h.engine.locks.holder({ app: 'backend', environment: 'production' });
    assert.equal(holder?.kind, 'manual', 'the app stays locked after the database rollback');
    assert.match(holder?.kind === 'manual' ? holder.reason : '', /rolled back v1\.2\.0/);
    const history = await h.engine.store.history('backend', { environment: 'production', limit: 20 });
    assert.equal(
      history.filter((r) => r.rollbackOf?.database?.action === 'restore').length,
      0,
      'a downgrade that worked leaves the snapshot alone',
    );
  });

  it('offers the snapshot restore when the downgrade fails; it asks twice and creates a new instance', async () => {
    const { release } = await releaseThenRollBack();
    const downgrade = await proposalOf(release.id, 'downgrade');
    h.cloud.migrationExitCode = 1;
    await h.engine.service.approveRollback(downgrade.id, 'U0APPROVER');
    const failed = await h.waitForEnd(downgrade.id);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.failure?.code, 'migration_rollback_failed');

    const restore = await proposalOf(release.id, 'restore');
    assert.equal(restore.rollbackOf?.database?.snapshotId, `deploybot-${release.id}`);
    const into = restore.rollbackOf?.database?.restoreInto ?? '';
    assert.match(into, /^social-analytics-db-rollback-/);
    assert.match(restore.rollbackOf?.reason ?? '', /migration rollback failed/);

    await assert.rejects(
      h.engine.service.confirmRestore(restore.id, 'U0APPROVER'),
      /needs its first confirmation/,
    );
    const once = await h.engine.service.approveRollback(restore.id, 'U0APPROVER');
    assert.equal(once.state, 'awaiting_start', 'the first confirmation does not start it');
    assert.equal(once.rollbackOf?.database?.confirmedBy?.by, 'U0APPROVER');
    await assert.rejects(
      h.engine.service.approveRollback(restore.id, 'U0APPROVER'),
      /confirmed once/,
      'pressing the first button again is not the second confirmation',
    );
    assert.equal(h.cloud.sideEffects().restore, 0);

    await h.engine.service.confirmRestore(restore.id, 'U0APPROVER');
    const restored = await h.waitForEnd(restore.id);
    assert.equal(restored.state, 'succeeded', JSON.stringify(restored.failure));
    assert.equal(h.cloud.sideEffects().restore, 1);
    const request = h.cloud.restored.get(into)?.request;
    assert.deepEqual(request?.live, { kind: 'instance', id: 'social-analytics-db' });
    assert.equal(request?.snapshotId, `deploybot-${release.id}`);
    assert.notEqual(request?.into, 'social-analytics-db');
    const step = restored.steps[0];
    assert.match(step?.summary ?? '', /restored into new instance .*social-analytics-db untouched/);
    const actions = (await h.engine.audit.recent(50)).map((e) => e.action);
    for (const action of [
      'rollback.downgrade.proposed',
      'rollback.restore.proposed',
      'rollback.restore.confirmed_once',
      'rollback.restore.approved',
    ]) {
      assert.ok(actions.includes(action), `audited ${action}`);
    }
  });

  it('lets people ask for a restore at any time, and a declined one changes nothing', async () => {
    const release = await h.release('v1.2.0', 'production', 'hotfix');
    await h.waitForEnd(release.id);
    const restore = await h.engine.service.proposeRollback({
      app: 'backend',
      environment: 'production',
      requestedBy: 'U1',
      database: 'restore',
    });
    await assert.rejects(
      h.engine.service.proposeRollback({
        app: 'backend',
        environment: 'production',
        requestedBy: 'U1',
        database: 'restore',
      }),
      /already proposed/,
    );
    await h.engine.service.cancel(restore.id, 'U0APPROVER');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(h.cloud.sideEffects().restore, 0);
    const history = await h.engine.store.history('backend', { environment: 'production', limit: 20 });
    assert.equal(history.filter((r) => r.rollbackOf).length, 1, 'declining offers nothing further');
  });

  it('refuses a migration rollback when no release ran a migration', async () => {
    await assert.rejects(
      h.engine.service.proposeRollback({
        app: 'backend',
        environment: 'production',
        requestedBy: 'U1',
        database: 'downgrade',
      }),
      /has run a migration; there is nothing to downgrade/,
    );
  });

  it('finishes a migration rollback whose lock lapsed while the app is locked after the rollback', async () => {
    const { release } = await releaseThenRollBack();
    const downgrade = await proposalOf(release.id, 'downgrade');
    h.cloud.taskPolls = 1_000_000; // the downgrade task keeps running
    await h.engine.service.approveRollback(downgrade.id, 'U0APPROVER');
    await h.waitFor(downgrade.id, (r) => r.steps[0]?.state === 'waiting');
    // The release lock expires (a worker was gone longer than lockTtl); the manual lock stays.
    assert.equal(await h.client.del(`${h.prefix}:lock:backend:production`), 1);
    h.cloud.taskPolls = 0;
    const done = await h.waitForEnd(downgrade.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));
    assert.equal(
      (await h.engine.locks.holder({ app: 'backend', environment: 'production' }))?.kind,
      'manual',
    );
  });

  it('rolls back even while someone holds a manual lock, which stays', async () => {
    const release = await h.release('v1.2.0', 'production', 'hotfix');
    await h.waitForEnd(release.id);
    const scope = { app: 'backend', environment: 'production' };
    await h.engine.locks.lockManually(scope, 'U42', 'freeze for the investors demo', Date.now());
    const proposal = await h.engine.service.proposeRollback({ ...scope, requestedBy: 'U1' });
    await h.engine.service.approveRollback(proposal.id, 'U0APPROVER');
    assert.equal((await h.waitForEnd(proposal.id)).state, 'succeeded');
    assert.equal((await h.engine.locks.holder(scope))?.kind, 'manual');
  });
});
