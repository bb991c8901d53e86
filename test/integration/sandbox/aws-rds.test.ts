import assert from 'node:assert/strict';
import { DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { RdsDatabase } from '../../../src/aws/rds';
import { StepFailure } from '../../../src/domain/errors';
import { defaultSeed } from '../../../src/sandbox/aws';
import { startAwsHarness, type AwsHarness } from './aws-harness';

const instance = { kind: 'instance' as const, id: 'social-analytics-db' };
const cluster = { kind: 'cluster' as const, id: 'social-analytics-aurora' };

describe('AwsEmulator RDS through the unchanged RdsDatabase adapter', () => {
  let h: AwsHarness;
  let rds: RdsDatabase;

  beforeEach(async () => {
    const seed = defaultSeed();
    seed.dbClusters.push({
      id: 'social-analytics-aurora',
      engine: 'aurora-postgresql',
      engineVersion: '16.4',
      status: 'available',
      members: ['social-analytics-aurora-1', 'social-analytics-aurora-2'],
    });
    h = await startAwsHarness({ seed, timings: { snapshotMs: 5_000 } });
    rds = new RdsDatabase(h.clients.rds);
  });

  afterEach(async () => {
    await h.close();
  });

  it('takes an instance snapshot creating → available with rising progress, the instance backing-up meanwhile', async () => {
    assert.equal(await rds.status(instance), 'available');
    assert.equal(await rds.createSnapshot(instance, 'deploybot-rel-1'), 'created');
    assert.deepEqual(await rds.describeSnapshot(instance, 'deploybot-rel-1'), {
      id: 'deploybot-rel-1',
      status: 'creating',
      percentProgress: 0,
    });
    assert.equal(await rds.status(instance), 'backing-up');

    h.clock.advance(2_500);
    assert.equal((await rds.describeSnapshot(instance, 'deploybot-rel-1'))?.percentProgress, 50);

    h.clock.advance(2_500);
    assert.deepEqual(await rds.describeSnapshot(instance, 'deploybot-rel-1'), {
      id: 'deploybot-rel-1',
      status: 'available',
      percentProgress: 100,
    });
    assert.equal(await rds.status(instance), 'available');
  });

  it('answers a repeated snapshot request with "exists" (DBSnapshotAlreadyExistsFault), even mid-backup', async () => {
    assert.equal(await rds.createSnapshot(instance, 'deploybot-rel-2'), 'created');
    assert.equal(await rds.createSnapshot(instance, 'deploybot-rel-2'), 'exists');
    // Identifiers are case-insensitive and kept lowercase, as RDS keeps them.
    assert.equal(await rds.createSnapshot(instance, 'Deploybot-Rel-2'), 'exists');
    assert.equal(await rds.describeSnapshot(instance, 'never-taken'), undefined);
  });

  it('keeps the tags sent with CreateDBSnapshot', async () => {
    await rds.createSnapshot(instance, 'deploybot-rel-3');
    const out = await h.clients.rds.send(
      new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: 'social-analytics-db' }),
    );
    assert.deepEqual(
      out.DBSnapshots?.map((s) => [s.DBSnapshotIdentifier, s.SnapshotType, s.TagList]),
      [['deploybot-rel-3', 'manual', [{ Key: 'created-by', Value: 'deploybot' }]]],
    );
    assert.ok(out.DBSnapshots?.[0]?.SnapshotCreateTime instanceof Date);
  });

  it('reports a missing instance or cluster as database_not_found', async () => {
    for (const db of [
      { kind: 'instance' as const, id: 'nope-db' },
      { kind: 'cluster' as const, id: 'nope-cluster' },
    ]) {
      await assert.rejects(
        rds.status(db),
        (e: unknown) => e instanceof StepFailure && e.code === 'database_not_found',
      );
      await assert.rejects(
        rds.createSnapshot(db, 'x-1'),
        (e: unknown) => e instanceof StepFailure && e.code === 'database_not_found',
      );
    }
  });

  it('snapshots an Aurora cluster with cluster snapshots, in their own namespace', async () => {
    assert.equal(await rds.status(cluster), 'available');
    assert.equal(await rds.createSnapshot(cluster, 'deploybot-rel-4'), 'created');
    assert.equal(await rds.createSnapshot(cluster, 'deploybot-rel-4'), 'exists');
    assert.equal(await rds.describeSnapshot(instance, 'deploybot-rel-4'), undefined);
    assert.equal((await rds.describeSnapshot(cluster, 'deploybot-rel-4'))?.status, 'creating');
    h.clock.advance(5_000);
    assert.equal((await rds.describeSnapshot(cluster, 'deploybot-rel-4'))?.status, 'available');
    assert.equal(await rds.describeSnapshot(cluster, 'never-taken'), undefined);
  });
});
