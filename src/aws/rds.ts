import {
  CreateDBInstanceCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RestoreDBClusterFromSnapshotCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  type DBCluster,
  type DBInstance,
  type RDSClient,
  type Tag,
} from '@aws-sdk/client-rds';
import { StepFailure } from '../domain/errors';
import type { Database, DatabaseRef, DatabaseState, RestoreRequest, SnapshotState } from '../ports/database';

/** Marks snapshots deploybot took, so people (and cleanup jobs) can tell them apart. */
const SNAPSHOT_TAGS: Tag[] = [{ Key: 'created-by', Value: 'deploybot' }];

/** The writer a restored Aurora cluster gets, so that it can serve. */
export function restoredWriterId(clusterId: string): string {
  return `${clusterId}-writer`;
}

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

  /**
   * The snapshot into a new instance (or cluster plus writer) placed like the
   * live one: same class, subnet group and security groups. Only Describe calls
   * touch the live database.
   */
  async restore(request: RestoreRequest): Promise<'started' | 'exists'> {
    const { live, snapshotId, into, releaseId } = request;
    const tags: Tag[] = [...SNAPSHOT_TAGS, { Key: 'deploybot-release', Value: releaseId }];
    if (live.kind === 'instance') {
      const source = await this.instance(live.id);
      if (!source) throw notFound(live, undefined);
      return this.createOnce(() =>
        this.rds.send(
          new RestoreDBInstanceFromDBSnapshotCommand({
            DBInstanceIdentifier: into,
            DBSnapshotIdentifier: snapshotId,
            DBInstanceClass: source.DBInstanceClass,
            DBSubnetGroupName: source.DBSubnetGroup?.DBSubnetGroupName,
            VpcSecurityGroupIds: securityGroupsOf(source),
            MultiAZ: source.MultiAZ,
            PubliclyAccessible: source.PubliclyAccessible,
            Tags: tags,
          }),
        ),
      );
    }
    const cluster = await this.cluster(live.id);
    if (!cluster) throw notFound(live, undefined);
    const writerId = cluster.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
    const writer = writerId ? await this.instance(writerId) : undefined;
    const restored = await this.createOnce(() =>
      this.rds.send(
        new RestoreDBClusterFromSnapshotCommand({
          DBClusterIdentifier: into,
          SnapshotIdentifier: snapshotId,
          Engine: cluster.Engine,
          EngineVersion: cluster.EngineVersion,
          DBSubnetGroupName: cluster.DBSubnetGroup,
          VpcSecurityGroupIds: securityGroupsOf(cluster),
          Tags: tags,
        }),
      ),
    );
    // A restored cluster has no instances: it cannot serve until a writer joins it.
    const added = await this.createOnce(() =>
      this.rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: restoredWriterId(into),
          DBClusterIdentifier: into,
          Engine: cluster.Engine,
          DBInstanceClass: writer?.DBInstanceClass ?? 'db.r6g.large',
          Tags: tags,
        }),
      ),
    );
    return restored === 'exists' && added === 'exists' ? 'exists' : 'started';
  }

  async describe(db: DatabaseRef): Promise<DatabaseState | undefined> {
    if (db.kind === 'instance') {
      const instance = await this.instance(db.id);
      if (!instance) return undefined;
      const endpoint = instance.Endpoint?.Address
        ? `${instance.Endpoint.Address}:${instance.Endpoint.Port ?? ''}`
        : undefined;
      return { status: instance.DBInstanceStatus ?? 'unknown', ...(endpoint && { endpoint }) };
    }
    const cluster = await this.cluster(db.id);
    if (!cluster) return undefined;
    const endpoint = cluster.Endpoint ? `${cluster.Endpoint}:${cluster.Port ?? ''}` : undefined;
    const status = cluster.Status ?? 'unknown';
    if (status !== 'available') return { status, ...(endpoint && { endpoint }) };
    const writerId = cluster.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
    const writer = writerId ? await this.instance(writerId) : undefined;
    const writerStatus = writer?.DBInstanceStatus ?? 'no-writer-yet';
    return {
      status: writerStatus === 'available' ? 'available' : `writer ${writerStatus}`,
      ...(endpoint && { endpoint }),
    };
  }

  private async instance(id: string): Promise<DBInstance | undefined> {
    try {
      const out = await this.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
      return out.DBInstances?.[0];
    } catch (err) {
      if (isFault(err, 'DBInstanceNotFoundFault')) return undefined;
      throw err;
    }
  }

  private async cluster(id: string): Promise<DBCluster | undefined> {
    try {
      const out = await this.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }));
      return out.DBClusters?.[0];
    } catch (err) {
      if (isFault(err, 'DBClusterNotFoundFault')) return undefined;
      throw err;
    }
  }

  /** A create that finds its target already there (a resumed step asking again) is done. */
  private async createOnce(create: () => Promise<unknown>): Promise<'started' | 'exists'> {
    try {
      await create();
      return 'started';
    } catch (err) {
      if (isFault(err, 'DBInstanceAlreadyExistsFault') || isFault(err, 'DBClusterAlreadyExistsFault')) {
        return 'exists';
      }
      if (isFault(err, 'DBSnapshotNotFoundFault') || isFault(err, 'DBClusterSnapshotNotFoundFault')) {
        throw new StepFailure('snapshot_not_found', 'the pre-release snapshot no longer exists', {
          cause: err,
        });
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

function securityGroupsOf(db: DBInstance | DBCluster): string[] | undefined {
  const ids = (db.VpcSecurityGroups ?? []).flatMap((g) =>
    g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : [],
  );
  return ids.length > 0 ? ids : undefined;
}
