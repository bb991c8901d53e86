import assert from 'node:assert/strict';
import {
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DBClusterNotFoundFault,
  DBClusterSnapshotAlreadyExistsFault,
  DBClusterSnapshotNotFoundFault,
  DBInstanceNotFoundFault,
  DBSnapshotAlreadyExistsFault,
  DBSnapshotNotFoundFault,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { RdsDatabase } from '../../../src/aws/rds';
import type { DatabaseRef } from '../../../src/ports/database';

const INSTANCE: DatabaseRef = { kind: 'instance', id: 'shop-db' };
const CLUSTER: DatabaseRef = { kind: 'cluster', id: 'shop-aurora' };
const SNAPSHOT = 'deploybot-r-8';
const meta = { message: 'x', $metadata: {} };

describe('RdsDatabase', () => {
  const client = new RDSClient({ region: 'eu-west-1' });
  const rds = mockClient(client);
  const db = new RdsDatabase(client);

  beforeEach(() => rds.reset());
  after(() => rds.restore());

  describe('status', () => {
    it('reads an instance status from DescribeDBInstances', async () => {
      rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceStatus: 'backing-up' }] });

      assert.equal(await db.status(INSTANCE), 'backing-up');
      assert.deepEqual(rds.commandCall(0, DescribeDBInstancesCommand).args[0].input, {
        DBInstanceIdentifier: 'shop-db',
      });
    });

    it('reads a cluster status from DescribeDBClusters', async () => {
      rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ Status: 'available' }] });

      assert.equal(await db.status(CLUSTER), 'available');
      assert.deepEqual(rds.commandCall(0, DescribeDBClustersCommand).args[0].input, {
        DBClusterIdentifier: 'shop-aurora',
      });
    });

    it('fails the step when the instance or cluster does not exist', async () => {
      rds.on(DescribeDBInstancesCommand).rejects(new DBInstanceNotFoundFault(meta));
      rds.on(DescribeDBClustersCommand).rejects(new DBClusterNotFoundFault(meta));

      await assert.rejects(db.status(INSTANCE), { name: 'StepFailure', code: 'database_not_found' });
      await assert.rejects(db.status(CLUSTER), { name: 'StepFailure', code: 'database_not_found' });
    });
  });

  describe('createSnapshot', () => {
    it('snapshots an instance with CreateDBSnapshot, tagged as deploybot’s', async () => {
      rds.on(CreateDBSnapshotCommand).resolves({ DBSnapshot: { Status: 'creating' } });

      assert.equal(await db.createSnapshot(INSTANCE, SNAPSHOT), 'created');
      assert.deepEqual(rds.commandCall(0, CreateDBSnapshotCommand).args[0].input, {
        DBSnapshotIdentifier: SNAPSHOT,
        DBInstanceIdentifier: 'shop-db',
        Tags: [{ Key: 'created-by', Value: 'deploybot' }],
      });
      assert.equal(rds.commandCalls(CreateDBClusterSnapshotCommand).length, 0);
    });

    it('snapshots an Aurora cluster with CreateDBClusterSnapshot, tagged as deploybot’s', async () => {
      rds.on(CreateDBClusterSnapshotCommand).resolves({ DBClusterSnapshot: { Status: 'creating' } });

      assert.equal(await db.createSnapshot(CLUSTER, SNAPSHOT), 'created');
      assert.deepEqual(rds.commandCall(0, CreateDBClusterSnapshotCommand).args[0].input, {
        DBClusterSnapshotIdentifier: SNAPSHOT,
        DBClusterIdentifier: 'shop-aurora',
        Tags: [{ Key: 'created-by', Value: 'deploybot' }],
      });
      assert.equal(rds.commandCalls(CreateDBSnapshotCommand).length, 0);
    });

    it('answers exists when the snapshot id is taken, so a resumed backup is idempotent', async () => {
      rds.on(CreateDBSnapshotCommand).rejects(new DBSnapshotAlreadyExistsFault(meta));
      rds.on(CreateDBClusterSnapshotCommand).rejects(new DBClusterSnapshotAlreadyExistsFault(meta));

      assert.equal(await db.createSnapshot(INSTANCE, SNAPSHOT), 'exists');
      assert.equal(await db.createSnapshot(CLUSTER, SNAPSHOT), 'exists');
    });

    it('recognises the fault by its wire code when the SDK did not model it', async () => {
      const unmodelled = Object.assign(new Error('exists'), { name: 'DBSnapshotAlreadyExists' });
      rds.on(CreateDBSnapshotCommand).rejects(unmodelled);

      assert.equal(await db.createSnapshot(INSTANCE, SNAPSHOT), 'exists');
    });

    it('passes other errors through', async () => {
      const state = Object.assign(new Error('busy'), { name: 'InvalidDBInstanceStateFault' });
      rds.on(CreateDBSnapshotCommand).rejects(state);

      await assert.rejects(db.createSnapshot(INSTANCE, SNAPSHOT), state);
    });
  });

  describe('describeSnapshot', () => {
    it('describes an instance snapshot by its id', async () => {
      rds.on(DescribeDBSnapshotsCommand).resolves({
        DBSnapshots: [{ DBSnapshotIdentifier: SNAPSHOT, Status: 'creating', PercentProgress: 40 }],
      });

      assert.deepEqual(await db.describeSnapshot(INSTANCE, SNAPSHOT), {
        id: SNAPSHOT,
        status: 'creating',
        percentProgress: 40,
      });
      assert.deepEqual(rds.commandCall(0, DescribeDBSnapshotsCommand).args[0].input, {
        DBSnapshotIdentifier: SNAPSHOT,
      });
    });

    it('describes a cluster snapshot by its id', async () => {
      rds.on(DescribeDBClusterSnapshotsCommand).resolves({
        DBClusterSnapshots: [
          { DBClusterSnapshotIdentifier: SNAPSHOT, Status: 'available', PercentProgress: 100 },
        ],
      });

      assert.deepEqual(await db.describeSnapshot(CLUSTER, SNAPSHOT), {
        id: SNAPSHOT,
        status: 'available',
        percentProgress: 100,
      });
      assert.deepEqual(rds.commandCall(0, DescribeDBClusterSnapshotsCommand).args[0].input, {
        DBClusterSnapshotIdentifier: SNAPSHOT,
      });
    });

    it('answers undefined for a snapshot that does not exist', async () => {
      rds.on(DescribeDBSnapshotsCommand).rejects(new DBSnapshotNotFoundFault(meta));
      rds.on(DescribeDBClusterSnapshotsCommand).rejects(new DBClusterSnapshotNotFoundFault(meta));

      assert.equal(await db.describeSnapshot(INSTANCE, SNAPSHOT), undefined);
      assert.equal(await db.describeSnapshot(CLUSTER, SNAPSHOT), undefined);
    });

    it('answers undefined for an empty answer', async () => {
      rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });

      assert.equal(await db.describeSnapshot(INSTANCE, SNAPSHOT), undefined);
    });
  });
});
