import assert from 'node:assert/strict';
import {
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DBClusterAlreadyExistsFault,
  DBClusterSnapshotNotFoundFault,
  DBInstanceAlreadyExistsFault,
  DBSnapshotNotFoundFault,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  InvalidDBClusterSnapshotStateFault,
  InvalidDBSnapshotStateFault,
  RestoreDBClusterFromSnapshotCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { RdsDatabase, restoredWriterId } from '../../../src/aws/rds';
import { StepFailure } from '../../../src/domain/errors';
import { restoreTargetFor } from '../../../src/domain/release-id';
import { defaultSeed } from '../../../src/sandbox/aws';
import { startAwsHarness, type AwsHarness } from './aws-harness';

const instance = { kind: 'instance' as const, id: 'social-analytics-db' };
const cluster = { kind: 'cluster' as const, id: 'social-analytics-aurora' };
const RELEASE = 'r20261127t180000-beef';
const SNAPSHOT_MS = 5_000;
const RESTORE_MS = 10_000;

/** Mutating RDS calls the emulator answered: the live database must never see one. */
const MUTATING = /^(Modify|Delete|Reboot|Stop|Start|Failover|Promote|Remove|Add)/;

describe('AwsEmulator RDS snapshot restore through the real SDK and the RdsDatabase adapter', () => {
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
    h = await startAwsHarness({ seed, timings: { snapshotMs: SNAPSHOT_MS, restoreMs: RESTORE_MS } });
    rds = new RdsDatabase(h.clients.rds);
  });

  afterEach(async () => {
    await h.close();
  });

  async function describeInstance(id: string): Promise<DBInstance | undefined> {
    const out = await h.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
    return out.DBInstances?.[0];
  }

  async function snapshotOfInstance(id: string): Promise<void> {
    await h.clients.rds.send(
      new CreateDBSnapshotCommand({ DBSnapshotIdentifier: id, DBInstanceIdentifier: instance.id }),
    );
  }

  function restoreInstance(into: string, snapshot: string) {
    return h.clients.rds.send(
      new RestoreDBInstanceFromDBSnapshotCommand({
        DBInstanceIdentifier: into,
        DBSnapshotIdentifier: snapshot,
      }),
    );
  }

  function assertNoMutatingCalls(): void {
    const mutating = h.emulator.calls.filter((c) => MUTATING.test(c.action)).map((c) => c.action);
    assert.deepEqual(mutating, []);
  }

  describe('RestoreDBInstanceFromDBSnapshot on the wire', () => {
    it('refuses a snapshot still being created with a typed InvalidDBSnapshotStateFault', async () => {
      await snapshotOfInstance('deploybot-rel-1');

      await assert.rejects(restoreInstance('restored-1', 'deploybot-rel-1'), (e: unknown) => {
        assert.ok(e instanceof InvalidDBSnapshotStateFault, String(e));
        assert.equal(e.$metadata.httpStatusCode, 400);
        return true;
      });
      await assert.rejects(describeInstance('restored-1'), { name: 'DBInstanceNotFoundFault' });
    });

    it('restores an available snapshot into a new instance, creating then available, the live one unchanged', async () => {
      await snapshotOfInstance('deploybot-rel-2');
      h.clock.advance(SNAPSHOT_MS);
      const liveBefore = await describeInstance(instance.id);
      assert.equal(liveBefore?.DBInstanceStatus, 'available');

      const out = await restoreInstance('Restored-2', 'deploybot-rel-2');
      assert.equal(out.DBInstance?.DBInstanceIdentifier, 'restored-2', 'RDS keeps identifiers lowercase');
      assert.equal(out.DBInstance?.DBInstanceStatus, 'creating');
      assert.equal(out.DBInstance?.Engine, 'postgres');
      assert.equal(out.DBInstance?.EngineVersion, '16.4');

      h.clock.advance(RESTORE_MS - 1);
      assert.equal((await describeInstance('restored-2'))?.DBInstanceStatus, 'creating');
      h.clock.advance(1);
      const restored = await describeInstance('restored-2');
      assert.equal(restored?.DBInstanceStatus, 'available');
      assert.match(restored?.Endpoint?.Address ?? '', /^restored-2\./);

      assert.deepEqual(await describeInstance(instance.id), liveBefore);
      assertNoMutatingCalls();
    });

    it('refuses to restore into an existing instance with a typed DBInstanceAlreadyExistsFault', async () => {
      await snapshotOfInstance('deploybot-rel-3');
      h.clock.advance(SNAPSHOT_MS);
      await restoreInstance('restored-3', 'deploybot-rel-3');

      for (const into of ['restored-3', 'RESTORED-3', instance.id]) {
        await assert.rejects(restoreInstance(into, 'deploybot-rel-3'), (e: unknown) => {
          assert.ok(e instanceof DBInstanceAlreadyExistsFault, `${into}: ${String(e)}`);
          return true;
        });
      }
      assert.equal((await describeInstance(instance.id))?.DBInstanceStatus, 'available');
    });

    it('answers an unknown snapshot with a typed DBSnapshotNotFoundFault', async () => {
      await assert.rejects(restoreInstance('restored-4', 'never-taken'), (e: unknown) => {
        assert.ok(e instanceof DBSnapshotNotFoundFault, String(e));
        assert.equal(e.$metadata.httpStatusCode, 404);
        return true;
      });
    });

    it('rejects invalid instance identifiers with InvalidParameterValue, restoring nothing', async () => {
      await snapshotOfInstance('deploybot-rel-5');
      h.clock.advance(SNAPSHOT_MS);
      const invalid = [
        `a${'b'.repeat(63)}`, // 64 characters
        '1-starts-with-a-digit',
        'two--hyphens',
        'trailing-hyphen-',
        'under_score',
      ];
      for (const into of invalid) {
        await assert.rejects(restoreInstance(into, 'deploybot-rel-5'), (e: unknown) => {
          assert.ok(e instanceof Error);
          assert.equal(e.name, 'InvalidParameterValue', into);
          return true;
        });
      }
      const longest = `a${'b'.repeat(62)}`;
      assert.equal(
        (await restoreInstance(longest, 'deploybot-rel-5')).DBInstance?.DBInstanceIdentifier,
        longest,
      );
    });
  });

  describe('RestoreDBClusterFromSnapshot and CreateDBInstance on the wire', () => {
    async function clusterSnapshot(id: string): Promise<void> {
      assert.equal(await rds.createSnapshot(cluster, id), 'created');
    }

    function restoreCluster(into: string, snapshot: string) {
      return h.clients.rds.send(
        new RestoreDBClusterFromSnapshotCommand({
          DBClusterIdentifier: into,
          SnapshotIdentifier: snapshot,
          Engine: 'aurora-postgresql',
        }),
      );
    }

    it('refuses a cluster snapshot still being created, an unknown one, and an existing cluster, all typed', async () => {
      await clusterSnapshot('deploybot-rel-6');
      await assert.rejects(restoreCluster('restored-c6', 'deploybot-rel-6'), (e: unknown) => {
        assert.ok(e instanceof InvalidDBClusterSnapshotStateFault, String(e));
        return true;
      });
      await assert.rejects(restoreCluster('restored-c6', 'never-taken'), (e: unknown) => {
        assert.ok(e instanceof DBClusterSnapshotNotFoundFault, String(e));
        return true;
      });

      h.clock.advance(SNAPSHOT_MS);
      assert.equal((await restoreCluster('restored-c6', 'deploybot-rel-6')).DBCluster?.Status, 'creating');
      for (const into of ['restored-c6', cluster.id]) {
        await assert.rejects(restoreCluster(into, 'deploybot-rel-6'), (e: unknown) => {
          assert.ok(e instanceof DBClusterAlreadyExistsFault, `${into}: ${String(e)}`);
          return true;
        });
      }
    });

    it('refuses to snapshot a restored instance or cluster while it is still creating', async () => {
      await snapshotOfInstance('deploybot-rel-9');
      await clusterSnapshot('deploybot-rel-9');
      h.clock.advance(SNAPSHOT_MS);
      await restoreInstance('restored-i9', 'deploybot-rel-9');
      await restoreCluster('restored-c9', 'deploybot-rel-9');

      await assert.rejects(rds.createSnapshot({ kind: 'instance', id: 'restored-i9' }, 'snap-i9'), {
        name: 'InvalidDBInstanceStateFault',
      });
      await assert.rejects(rds.createSnapshot({ kind: 'cluster', id: 'restored-c9' }, 'snap-c9'), {
        name: 'InvalidDBClusterStateFault',
      });
      h.clock.advance(RESTORE_MS);
      assert.equal(await rds.createSnapshot({ kind: 'instance', id: 'restored-i9' }, 'snap-i9'), 'created');
      assert.equal(await rds.createSnapshot({ kind: 'cluster', id: 'restored-c9' }, 'snap-c9'), 'created');
    });

    it('rejects an invalid or too long cluster identifier with InvalidParameterValue', async () => {
      await clusterSnapshot('deploybot-rel-7');
      h.clock.advance(SNAPSHOT_MS);
      for (const into of ['bad--cluster', `a${'b'.repeat(63)}`]) {
        await assert.rejects(restoreCluster(into, 'deploybot-rel-7'), { name: 'InvalidParameterValue' });
      }
    });

    it('creates a writer only inside a cluster, rejecting a duplicate with DBInstanceAlreadyExistsFault', async () => {
      await clusterSnapshot('deploybot-rel-8');
      h.clock.advance(SNAPSHOT_MS);
      await restoreCluster('restored-c8', 'deploybot-rel-8');
      const create = (id: string, clusterId?: string) =>
        h.clients.rds.send(
          new CreateDBInstanceCommand({
            DBInstanceIdentifier: id,
            DBInstanceClass: 'db.r6g.large',
            Engine: 'aurora-postgresql',
            ...(clusterId !== undefined && { DBClusterIdentifier: clusterId }),
          }),
        );

      assert.equal(
        (await create('restored-c8-writer', 'restored-c8')).DBInstance?.DBInstanceStatus,
        'creating',
      );
      await assert.rejects(create('restored-c8-writer', 'restored-c8'), (e: unknown) => {
        assert.ok(e instanceof DBInstanceAlreadyExistsFault, String(e));
        return true;
      });
      await assert.rejects(create('standalone-1'), { name: 'InvalidParameterValue' });
    });
  });

  describe('RdsDatabase.restore and describe end to end', () => {
    it('restores an instance snapshot into a new instance placed and tagged like the live one', async () => {
      const into = restoreTargetFor(instance.id, RELEASE, 'instance');
      assert.equal(await rds.createSnapshot(instance, 'deploybot-rel-10'), 'created');
      h.clock.advance(SNAPSHOT_MS);
      const liveBefore = await describeInstance(instance.id);

      const request = { live: instance, snapshotId: 'deploybot-rel-10', into, releaseId: RELEASE };
      assert.equal(await rds.restore(request), 'started');
      assert.deepEqual(await rds.describe({ kind: 'instance', id: into }), {
        status: 'creating',
        endpoint: `${into}.c9akciq32.${h.emulator.seed.region}.rds.amazonaws.com:5432`,
      });
      // A resumed step asks again: nothing new is created.
      assert.equal(await rds.restore(request), 'exists');

      h.clock.advance(RESTORE_MS);
      assert.equal((await rds.describe({ kind: 'instance', id: into }))?.status, 'available');

      const restored = await describeInstance(into);
      assert.equal(restored?.DBInstanceClass, liveBefore?.DBInstanceClass);
      assert.deepEqual(restored?.DBSubnetGroup, liveBefore?.DBSubnetGroup);
      assert.deepEqual(restored?.VpcSecurityGroups, liveBefore?.VpcSecurityGroups);
      assert.equal(restored?.MultiAZ, liveBefore?.MultiAZ);
      assert.deepEqual(restored?.TagList, [
        { Key: 'created-by', Value: 'deploybot' },
        { Key: 'deploybot-release', Value: RELEASE },
      ]);

      assert.deepEqual(await describeInstance(instance.id), liveBefore, 'the live instance is unchanged');
      assert.equal(await rds.status(instance), 'available');
      assertNoMutatingCalls();
    });

    it('fails with snapshot_not_found for a snapshot that does not exist', async () => {
      await assert.rejects(
        rds.restore({
          live: instance,
          snapshotId: 'never-taken',
          into: restoreTargetFor(instance.id, RELEASE, 'instance'),
          releaseId: RELEASE,
        }),
        (e: unknown) => e instanceof StepFailure && e.code === 'snapshot_not_found',
      );
    });

    it('passes a snapshot still being created through as InvalidDBSnapshotStateFault (a transient error)', async () => {
      await rds.createSnapshot(instance, 'deploybot-rel-11');
      await assert.rejects(
        rds.restore({
          live: instance,
          snapshotId: 'deploybot-rel-11',
          into: restoreTargetFor(instance.id, RELEASE, 'instance'),
          releaseId: RELEASE,
        }),
        (e: unknown) => e instanceof InvalidDBSnapshotStateFault,
      );
    });

    it('restores an Aurora cluster snapshot into a new cluster plus writer, available only once the writer is', async () => {
      const into = restoreTargetFor(cluster.id, RELEASE, 'cluster');
      const target = { kind: 'cluster' as const, id: into };
      assert.equal(await rds.createSnapshot(cluster, 'deploybot-rel-12'), 'created');
      h.clock.advance(SNAPSHOT_MS);
      const liveOut = await h.clients.rds.send(
        new DescribeDBClustersCommand({ DBClusterIdentifier: cluster.id }),
      );
      const liveBefore = liveOut.DBClusters?.[0];

      const request = { live: cluster, snapshotId: 'deploybot-rel-12', into, releaseId: RELEASE };
      assert.equal(await rds.restore(request), 'started');
      assert.equal(await rds.restore(request), 'exists');
      assert.equal((await rds.describe(target))?.status, 'creating');

      const out = await h.clients.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: into }));
      const restored = out.DBClusters?.[0];
      assert.deepEqual(
        restored?.DBClusterMembers?.map((m) => [m.DBInstanceIdentifier, m.IsClusterWriter]),
        [[restoredWriterId(into), true]],
      );
      assert.equal(restored?.Engine, 'aurora-postgresql');
      assert.equal(restored?.DBSubnetGroup, liveBefore?.DBSubnetGroup);
      assert.deepEqual(restored?.VpcSecurityGroups, liveBefore?.VpcSecurityGroups);
      assert.deepEqual(restored?.TagList, [
        { Key: 'created-by', Value: 'deploybot' },
        { Key: 'deploybot-release', Value: RELEASE },
      ]);
      const writer = await describeInstance(restoredWriterId(into));
      assert.equal(writer?.DBClusterIdentifier, into);
      assert.ok(restoredWriterId(into).length <= 63);

      h.clock.advance(RESTORE_MS);
      const state = await rds.describe(target);
      assert.equal(state?.status, 'available');
      assert.equal(
        state?.endpoint,
        `${into}.cluster-c9akciq32.${h.emulator.seed.region}.rds.amazonaws.com:5432`,
      );

      const liveAfter = await h.clients.rds.send(
        new DescribeDBClustersCommand({ DBClusterIdentifier: cluster.id }),
      );
      assert.deepEqual(liveAfter.DBClusters?.[0], liveBefore, 'the live cluster is unchanged');
      assertNoMutatingCalls();
    });

    it('reports a restored cluster whose writer is still creating as not available', async () => {
      const into = restoreTargetFor(cluster.id, RELEASE, 'cluster');
      await rds.createSnapshot(cluster, 'deploybot-rel-13');
      h.clock.advance(SNAPSHOT_MS);
      // The cluster alone first; its writer joins later, as after a resumed step.
      await h.clients.rds.send(
        new RestoreDBClusterFromSnapshotCommand({
          DBClusterIdentifier: into,
          SnapshotIdentifier: 'deploybot-rel-13',
          Engine: 'aurora-postgresql',
        }),
      );
      h.clock.advance(RESTORE_MS);
      assert.equal((await rds.describe({ kind: 'cluster', id: into }))?.status, 'writer no-writer-yet');

      const request = { live: cluster, snapshotId: 'deploybot-rel-13', into, releaseId: RELEASE };
      assert.equal(await rds.restore(request), 'started', 'the missing writer is still added');
      assert.equal((await rds.describe({ kind: 'cluster', id: into }))?.status, 'writer creating');
      h.clock.advance(RESTORE_MS);
      assert.equal((await rds.describe({ kind: 'cluster', id: into }))?.status, 'available');
    });

    it('fails with snapshot_not_found for a cluster snapshot that does not exist', async () => {
      await assert.rejects(
        rds.restore({
          live: cluster,
          snapshotId: 'never-taken',
          into: restoreTargetFor(cluster.id, RELEASE, 'cluster'),
          releaseId: RELEASE,
        }),
        { name: 'StepFailure', code: 'snapshot_not_found' },
      );
    });

    it('answers undefined when describing a database that does not exist', async () => {
      assert.equal(await rds.describe({ kind: 'instance', id: 'nope-db' }), undefined);
      assert.equal(await rds.describe({ kind: 'cluster', id: 'nope-cluster' }), undefined);
    });
  });
});
