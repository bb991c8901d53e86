import {
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  type RDSClient,
  type Tag,
} from '@aws-sdk/client-rds';
import { StepFailure } from '../domain/errors';
import type { Database, DatabaseRef, SnapshotState } from '../ports/database';

/** Marks snapshots deploybot took, so people (and cleanup jobs) can tell them apart. */
const SNAPSHOT_TAGS: Tag[] = [{ Key: 'created-by', Value: 'deploybot' }];

/**
 * Does `err` carry one of these RDS fault names? The SDK names modelled faults
 * after their shape (`DBSnapshotAlreadyExistsFault`); the wire code drops the
 * `Fault` suffix (`DBSnapshotAlreadyExists`), which is what an unmodelled error
 * would be named, so both are accepted.
 */
function isFault(err: unknown, fault: string): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { Code?: unknown }).Code;
  const names = [fault, fault.replace(/Fault$/, '')];
  return names.includes(err.name) || (typeof code === 'string' && names.includes(code));
}

function notFound(db: DatabaseRef, err: unknown): StepFailure {
  const what = db.kind === 'cluster' ? 'Aurora cluster' : 'RDS instance';
  return new StepFailure('database_not_found', `${what} ${db.id} not found`, { cause: err });
}

/** RDS instances and Aurora clusters: the same questions, different API calls. */
export class RdsDatabase implements Database {
  constructor(private readonly rds: RDSClient) {}

  async status(db: DatabaseRef): Promise<string> {
    try {
      if (db.kind === 'cluster') {
        const out = await this.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: db.id }));
        const status = out.DBClusters?.[0]?.Status;
        if (status === undefined) throw notFound(db, undefined);
        return status;
      }
      const out = await this.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: db.id }));
      const status = out.DBInstances?.[0]?.DBInstanceStatus;
      if (status === undefined) throw notFound(db, undefined);
      return status;
    } catch (err) {
      if (isFault(err, 'DBClusterNotFoundFault') || isFault(err, 'DBInstanceNotFoundFault')) {
        throw notFound(db, err);
      }
      throw err;
    }
  }

  async createSnapshot(db: DatabaseRef, snapshotId: string): Promise<'created' | 'exists'> {
    try {
      if (db.kind === 'cluster') {
        await this.rds.send(
          new CreateDBClusterSnapshotCommand({
            DBClusterSnapshotIdentifier: snapshotId,
            DBClusterIdentifier: db.id,
            Tags: SNAPSHOT_TAGS,
          }),
        );
      } else {
        await this.rds.send(
          new CreateDBSnapshotCommand({
            DBSnapshotIdentifier: snapshotId,
            DBInstanceIdentifier: db.id,
            Tags: SNAPSHOT_TAGS,
          }),
        );
      }
      return 'created';
    } catch (err) {
      // A resumed backup step asks again for the snapshot it already started.
      if (
        isFault(err, 'DBClusterSnapshotAlreadyExistsFault') ||
        isFault(err, 'DBSnapshotAlreadyExistsFault')
      ) {
        return 'exists';
      }
      if (isFault(err, 'DBClusterNotFoundFault') || isFault(err, 'DBInstanceNotFoundFault')) {
        throw notFound(db, err);
      }
      throw err;
    }
  }

  async describeSnapshot(db: DatabaseRef, snapshotId: string): Promise<SnapshotState | undefined> {
    try {
      // Only the snapshot id is sent: it alone identifies a manual snapshot
      // (unique per account and region).
      if (db.kind === 'cluster') {
        const out = await this.rds.send(
          new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: snapshotId }),
        );
        const snap = out.DBClusterSnapshots?.[0];
        return (
          snap && toState(snap.DBClusterSnapshotIdentifier, snap.Status, snap.PercentProgress, snapshotId)
        );
      }
      const out = await this.rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshotId }));
      const snap = out.DBSnapshots?.[0];
      return snap && toState(snap.DBSnapshotIdentifier, snap.Status, snap.PercentProgress, snapshotId);
    } catch (err) {
      if (isFault(err, 'DBClusterSnapshotNotFoundFault') || isFault(err, 'DBSnapshotNotFoundFault')) {
        return undefined;
      }
      throw err;
    }
  }
}

function toState(
  id: string | undefined,
  status: string | undefined,
  percentProgress: number | undefined,
  asked: string,
): SnapshotState {
  return {
    // RDS stores identifiers lowercased; answer with its spelling when it gives one.
    id: id ?? asked,
    status: status ?? 'unknown',
    ...(percentProgress !== undefined && { percentProgress }),
  };
}
