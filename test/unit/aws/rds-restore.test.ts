import assert from 'node:assert/strict';
import {
  CreateDBInstanceCommand,
  DBClusterAlreadyExistsFault,
  DBClusterSnapshotNotFoundFault,
  DBInstanceAlreadyExistsFault,
  DBInstanceNotFoundFault,
  DBSnapshotNotFoundFault,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
  RestoreDBClusterFromSnapshotCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  type DBCluster,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { RdsDatabase, restoredWriterId } from '../../../src/aws/rds';
import { StepFailure } from '../../../src/domain/errors';
import type { DatabaseRef, RestoreRequest } from '../../../src/ports/database';

const INSTANCE: DatabaseRef = { kind: 'instance', id: 'shop-db' };
const CLUSTER: DatabaseRef = { kind: 'cluster', id: 'shop-aurora' };
const SNAPSHOT = 'deploybot-r20261127t171340-3f9a';
const RELEASE = 'r20261127t180000-beef';
const meta = { message: 'x', $metadata: {} };

const TAGS = [
  { Key: 'created-by', Value: 'deploybot' },
  { Key: 'deploybot-release', Value: RELEASE },
];

const LIVE_INSTANCE: DBInstance = {
  DBInstanceIdentifier: 'shop-db',
  DBInstanceStatus: 'available',
  DBInstanceClass: 'db.m6g.xlarge',
  Engine: 'postgres',
  DBSubnetGroup: { DBSubnetGroupName: 'shop-private' },
  VpcSecurityGroups: [
    { VpcSecurityGroupId: 'sg-aaa', Status: 'active' },
    { VpcSecurityGroupId: 'sg-bbb', Status: 'active' },
  ],
  MultiAZ: true,
  PubliclyAccessible: false,
};

const LIVE_CLUSTER: DBCluster = {
  DBClusterIdentifier: 'shop-aurora',
  Status: 'available',
  Engine: 'aurora-postgresql',
  EngineVersion: '16.4',
  DBSubnetGroup: 'shop-aurora-private',
  VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-ccc', Status: 'active' }],
  DBClusterMembers: [
    { DBInstanceIdentifier: 'shop-aurora-2', IsClusterWriter: false },
    { DBInstanceIdentifier: 'shop-aurora-1', IsClusterWriter: true },
  ],
};

const INSTANCE_RESTORE: RestoreRequest = {
  live: INSTANCE,
  snapshotId: SNAPSHOT,
  into: 'shop-db-rollback-20261127t180000-beef',
  releaseId: RELEASE,
};

const CLUSTER_RESTORE: RestoreRequest = {
  live: CLUSTER,
  snapshotId: SNAPSHOT,
  into: 'shop-aurora-rollback-20261127t180000-beef',
  releaseId: RELEASE,
};

/** An error as the SDK builds one for a fault it has no class for: only the wire code as its name. */
function unmodelled(name: string): Error {
  return Object.assign(new Error(name), { name });
}

describe('RdsDatabase restore and describe', () => {
  // Mocked class-wide only while these tests run: a mock made when mocha loads this file
  // would answer every other file's RDS calls too.
  let rds: AwsClientStub<RDSClient>;
  let client: RDSClient;
  let db: RdsDatabase;

  before(() => {
    rds = mockClient(RDSClient);
    client = new RDSClient({ region: 'eu-west-1' });
    db = new RdsDatabase(client);
  });
  beforeEach(() => rds.reset());
  after(() => {
    rds.restore();
    client.destroy();
  });

  /** Every command sent, by name: only Describe, Restore and Create ever reach RDS. */
  function sentCommands(): string[] {
    return rds.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name);
  }

  function assertNothingModifiedOrDeleted(): void {
    const sent = sentCommands();
    assert.ok(sent.length > 0);
    for (const name of sent) {
      assert.match(name, /^(Describe|Restore|Create)/, `${name} was sent`);
      assert.doesNotMatch(name, /Modify|Delete|Reboot|Stop|Failover|Promote|Remove|Add/, name);
    }
  }

  function liveInstanceIsThere(): void {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'shop-db' }).resolves({
      DBInstances: [LIVE_INSTANCE],
    });
  }

  function liveClusterIsThere(): void {
    rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: 'shop-aurora' }).resolves({
      DBClusters: [LIVE_CLUSTER],
    });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'shop-aurora-1' }).resolves({
      DBInstances: [{ DBInstanceIdentifier: 'shop-aurora-1', DBInstanceClass: 'db.r7g.2xlarge' }],
    });
  }

  describe('restore of an instance', () => {
    it('reads the live instance, then restores into the new one placed and tagged like it', async () => {
      liveInstanceIsThere();
      rds
        .on(RestoreDBInstanceFromDBSnapshotCommand)
        .resolves({ DBInstance: { DBInstanceStatus: 'creating' } });

      assert.equal(await db.restore(INSTANCE_RESTORE), 'started');

      assert.deepEqual(sentCommands(), [
        'DescribeDBInstancesCommand',
        'RestoreDBInstanceFromDBSnapshotCommand',
      ]);
      assert.deepEqual(rds.commandCall(0, DescribeDBInstancesCommand).args[0].input, {
        DBInstanceIdentifier: 'shop-db',
      });
      assert.deepEqual(rds.commandCall(0, RestoreDBInstanceFromDBSnapshotCommand).args[0].input, {
        DBInstanceIdentifier: 'shop-db-rollback-20261127t180000-beef',
        DBSnapshotIdentifier: SNAPSHOT,
        DBInstanceClass: 'db.m6g.xlarge',
        DBSubnetGroupName: 'shop-private',
        VpcSecurityGroupIds: ['sg-aaa', 'sg-bbb'],
        MultiAZ: true,
        PubliclyAccessible: false,
        Tags: TAGS,
      });
      assertNothingModifiedOrDeleted();
    });

    it('never restores into the live instance’s identifier', async () => {
      liveInstanceIsThere();
      rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});

      await db.restore(INSTANCE_RESTORE);

      const input = rds.commandCall(0, RestoreDBInstanceFromDBSnapshotCommand).args[0].input;
      assert.notEqual(input.DBInstanceIdentifier, 'shop-db');
    });

    it('leaves out the security groups when the live instance lists none (RDS then picks the default)', async () => {
      rds.on(DescribeDBInstancesCommand).resolves({
        DBInstances: [{ ...LIVE_INSTANCE, VpcSecurityGroups: [], DBSubnetGroup: undefined }],
      });
      rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});

      await db.restore(INSTANCE_RESTORE);

      const input = rds.commandCall(0, RestoreDBInstanceFromDBSnapshotCommand).args[0].input;
      assert.equal(input.VpcSecurityGroupIds, undefined);
      assert.equal(input.DBSubnetGroupName, undefined);
    });

    it('answers exists when the new instance is already there (modelled DBInstanceAlreadyExistsFault)', async () => {
      liveInstanceIsThere();
      rds.on(RestoreDBInstanceFromDBSnapshotCommand).rejects(new DBInstanceAlreadyExistsFault(meta));

      assert.equal(await db.restore(INSTANCE_RESTORE), 'exists');
      assertNothingModifiedOrDeleted();
    });

    it('answers exists for the unmodelled wire code DBInstanceAlreadyExists', async () => {
      liveInstanceIsThere();
      rds.on(RestoreDBInstanceFromDBSnapshotCommand).rejects(unmodelled('DBInstanceAlreadyExists'));

      assert.equal(await db.restore(INSTANCE_RESTORE), 'exists');
    });

    it('fails the step with snapshot_not_found when the snapshot is gone', async () => {
      liveInstanceIsThere();
      rds.on(RestoreDBInstanceFromDBSnapshotCommand).rejects(new DBSnapshotNotFoundFault(meta));

      await assert.rejects(
        db.restore(INSTANCE_RESTORE),
        (e: unknown) => e instanceof StepFailure && e.code === 'snapshot_not_found',
      );
    });

    it('fails the step with snapshot_not_found for the unmodelled wire code DBSnapshotNotFound', async () => {
      liveInstanceIsThere();
      rds.on(RestoreDBInstanceFromDBSnapshotCommand).rejects(unmodelled('DBSnapshotNotFound'));

      await assert.rejects(db.restore(INSTANCE_RESTORE), { name: 'StepFailure', code: 'snapshot_not_found' });
    });

    it('fails with database_not_found, restoring nothing, when the live instance does not exist', async () => {
      rds.on(DescribeDBInstancesCommand).rejects(new DBInstanceNotFoundFault(meta));

      await assert.rejects(db.restore(INSTANCE_RESTORE), { name: 'StepFailure', code: 'database_not_found' });
      assert.equal(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand).length, 0);
    });

    it('passes other errors through', async () => {
      liveInstanceIsThere();
      const busy = unmodelled('InvalidDBSnapshotStateFault');
      rds.on(RestoreDBInstanceFromDBSnapshotCommand).rejects(busy);

      await assert.rejects(db.restore(INSTANCE_RESTORE), busy);
    });
  });

  describe('restore of an Aurora cluster', () => {
    it('restores the cluster placed like the live one, then creates its writer', async () => {
      liveClusterIsThere();
      rds.on(RestoreDBClusterFromSnapshotCommand).resolves({ DBCluster: { Status: 'creating' } });
      rds.on(CreateDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: 'creating' } });

      assert.equal(await db.restore(CLUSTER_RESTORE), 'started');

      assert.deepEqual(sentCommands(), [
        'DescribeDBClustersCommand',
        'DescribeDBInstancesCommand',
        'RestoreDBClusterFromSnapshotCommand',
        'CreateDBInstanceCommand',
      ]);
      assert.deepEqual(rds.commandCall(0, DescribeDBInstancesCommand).args[0].input, {
        DBInstanceIdentifier: 'shop-aurora-1',
      });
      assert.deepEqual(rds.commandCall(0, RestoreDBClusterFromSnapshotCommand).args[0].input, {
        DBClusterIdentifier: 'shop-aurora-rollback-20261127t180000-beef',
        SnapshotIdentifier: SNAPSHOT,
        Engine: 'aurora-postgresql',
        EngineVersion: '16.4',
        DBSubnetGroupName: 'shop-aurora-private',
        VpcSecurityGroupIds: ['sg-ccc'],
        Tags: TAGS,
      });
      assert.deepEqual(rds.commandCall(0, CreateDBInstanceCommand).args[0].input, {
        DBInstanceIdentifier: 'shop-aurora-rollback-20261127t180000-beef-writer',
        DBClusterIdentifier: 'shop-aurora-rollback-20261127t180000-beef',
        Engine: 'aurora-postgresql',
        DBInstanceClass: 'db.r7g.2xlarge',
        Tags: TAGS,
      });
      assertNothingModifiedOrDeleted();
    });

    it('names the writer <cluster>-writer', () => {
      assert.equal(restoredWriterId('x-rollback-1'), 'x-rollback-1-writer');
    });

    it('falls back to a default writer class when the live writer cannot be read', async () => {
      rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ ...LIVE_CLUSTER, DBClusterMembers: [] }] });
      rds.on(RestoreDBClusterFromSnapshotCommand).resolves({});
      rds.on(CreateDBInstanceCommand).resolves({});

      assert.equal(await db.restore(CLUSTER_RESTORE), 'started');
      assert.equal(rds.commandCalls(DescribeDBInstancesCommand).length, 0);
      assert.equal(rds.commandCall(0, CreateDBInstanceCommand).args[0].input.DBInstanceClass, 'db.r6g.large');
    });

    it('answers exists when both cluster and writer are there (modelled faults)', async () => {
      liveClusterIsThere();
      rds.on(RestoreDBClusterFromSnapshotCommand).rejects(new DBClusterAlreadyExistsFault(meta));
      rds.on(CreateDBInstanceCommand).rejects(new DBInstanceAlreadyExistsFault(meta));

      assert.equal(await db.restore(CLUSTER_RESTORE), 'exists');
      assertNothingModifiedOrDeleted();
    });

    it('answers exists for the unmodelled wire codes without the Fault suffix', async () => {
      liveClusterIsThere();
      rds.on(RestoreDBClusterFromSnapshotCommand).rejects(unmodelled('DBClusterAlreadyExists'));
      rds.on(CreateDBInstanceCommand).rejects(unmodelled('DBInstanceAlreadyExists'));

      assert.equal(await db.restore(CLUSTER_RESTORE), 'exists');
    });

    it('still adds the writer when only the cluster was restored before (a resumed step)', async () => {
      liveClusterIsThere();
      rds.on(RestoreDBClusterFromSnapshotCommand).rejects(new DBClusterAlreadyExistsFault(meta));
      rds.on(CreateDBInstanceCommand).resolves({});

      assert.equal(await db.restore(CLUSTER_RESTORE), 'started');
      assert.equal(rds.commandCalls(CreateDBInstanceCommand).length, 1);
    });

    it('fails the step with snapshot_not_found, creating no writer, when the cluster snapshot is gone', async () => {
      liveClusterIsThere();
      rds.on(RestoreDBClusterFromSnapshotCommand).rejects(new DBClusterSnapshotNotFoundFault(meta));
      rds.on(CreateDBInstanceCommand).resolves({});

      await assert.rejects(
        db.restore(CLUSTER_RESTORE),
        (e: unknown) => e instanceof StepFailure && e.code === 'snapshot_not_found',
      );
      assert.equal(rds.commandCalls(CreateDBInstanceCommand).length, 0);
    });

    it('fails with database_not_found when the live cluster does not exist', async () => {
      rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });

      await assert.rejects(db.restore(CLUSTER_RESTORE), { name: 'StepFailure', code: 'database_not_found' });
      assert.equal(rds.commandCalls(RestoreDBClusterFromSnapshotCommand).length, 0);
    });
  });

  describe('describe', () => {
    it('gives an instance’s status and endpoint as host:port', async () => {
      rds.on(DescribeDBInstancesCommand).resolves({
        DBInstances: [
          {
            DBInstanceStatus: 'available',
            Endpoint: { Address: 'new-db.abc.eu-west-1.rds.amazonaws.com', Port: 5432 },
          },
        ],
      });

      assert.deepEqual(await db.describe({ kind: 'instance', id: 'new-db' }), {
        status: 'available',
        endpoint: 'new-db.abc.eu-west-1.rds.amazonaws.com:5432',
      });
      assert.deepEqual(rds.commandCall(0, DescribeDBInstancesCommand).args[0].input, {
        DBInstanceIdentifier: 'new-db',
      });
    });

    it('gives a creating instance without an endpoint yet', async () => {
      rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceStatus: 'creating' }] });

      assert.deepEqual(await db.describe({ kind: 'instance', id: 'new-db' }), { status: 'creating' });
    });

    it('answers undefined for an instance or cluster that does not exist (yet)', async () => {
      rds.on(DescribeDBInstancesCommand).rejects(new DBInstanceNotFoundFault(meta));
      rds.on(DescribeDBClustersCommand).rejects(unmodelled('DBClusterNotFoundFault'));

      assert.equal(await db.describe({ kind: 'instance', id: 'new-db' }), undefined);
      assert.equal(await db.describe({ kind: 'cluster', id: 'new-aurora' }), undefined);
    });

    it('reports an available cluster whose writer is still creating as not available', async () => {
      rds.on(DescribeDBClustersCommand).resolves({
        DBClusters: [
          {
            Status: 'available',
            Endpoint: 'new-aurora.cluster-abc.eu-west-1.rds.amazonaws.com',
            Port: 5432,
            DBClusterMembers: [{ DBInstanceIdentifier: 'new-aurora-writer', IsClusterWriter: true }],
          },
        ],
      });
      rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceStatus: 'creating' }] });

      const state = await db.describe({ kind: 'cluster', id: 'new-aurora' });
      assert.notEqual(state?.status, 'available');
      assert.deepEqual(state, {
        status: 'writer creating',
        endpoint: 'new-aurora.cluster-abc.eu-west-1.rds.amazonaws.com:5432',
      });
      assert.deepEqual(rds.commandCall(0, DescribeDBInstancesCommand).args[0].input, {
        DBInstanceIdentifier: 'new-aurora-writer',
      });
    });

    it('reports an available cluster without a writer as not available', async () => {
      rds
        .on(DescribeDBClustersCommand)
        .resolves({ DBClusters: [{ Status: 'available', DBClusterMembers: [] }] });

      const state = await db.describe({ kind: 'cluster', id: 'new-aurora' });
      assert.notEqual(state?.status, 'available');
      assert.equal(rds.commandCalls(DescribeDBInstancesCommand).length, 0);
    });

    it('reports a creating cluster as creating without asking for its writer', async () => {
      rds.on(DescribeDBClustersCommand).resolves({
        DBClusters: [
          {
            Status: 'creating',
            DBClusterMembers: [{ DBInstanceIdentifier: 'new-aurora-writer', IsClusterWriter: true }],
          },
        ],
      });

      assert.deepEqual(await db.describe({ kind: 'cluster', id: 'new-aurora' }), { status: 'creating' });
      assert.equal(rds.commandCalls(DescribeDBInstancesCommand).length, 0);
    });

    it('reports a cluster available once its writer is', async () => {
      rds.on(DescribeDBClustersCommand).resolves({
        DBClusters: [
          {
            Status: 'available',
            Endpoint: 'new-aurora.cluster-abc.eu-west-1.rds.amazonaws.com',
            Port: 3306,
            DBClusterMembers: [
              { DBInstanceIdentifier: 'new-aurora-reader', IsClusterWriter: false },
              { DBInstanceIdentifier: 'new-aurora-writer', IsClusterWriter: true },
            ],
          },
        ],
      });
      rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'new-aurora-writer' }).resolves({
        DBInstances: [{ DBInstanceStatus: 'available' }],
      });

      assert.deepEqual(await db.describe({ kind: 'cluster', id: 'new-aurora' }), {
        status: 'available',
        endpoint: 'new-aurora.cluster-abc.eu-west-1.rds.amazonaws.com:3306',
      });
    });
  });
});
