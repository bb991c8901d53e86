import { AwsError, invalidParameterValue } from './errors';
import { decodeToken, encodeToken } from './ids';
import type { QueryInput } from './query-input';
import type { QueryService } from './query-protocol';
import { DEFAULT_PLACEMENT, type InstanceRecord, type RdsState, type SnapshotRecord } from './rds-state';
import { xmlList, type XmlObject } from './xml';

/** The RDS operations deploybot sends, with RDS's own error codes and statuses. */

// RDS: 1–255 letters, digits or hyphens; a letter first; no `--`; no trailing hyphen.
const IDENTIFIER = /^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,254}$/;

function validIdentifier(name: string, value: string): string {
  if (!IDENTIFIER.test(value) || value.endsWith('-')) {
    throw invalidParameterValue(
      `The parameter ${name} is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.`,
    );
  }
  return value.toLowerCase();
}

/** MaxRecords/Marker paging, shared by every Describe. */
function page<T>(
  input: QueryInput,
  items: T[],
  listName: string,
  member: string,
  toXml: (item: T) => XmlObject,
) {
  const max = input.integer('MaxRecords') ?? 100;
  if (max < 20 || max > 100) throw invalidParameterValue('MaxRecords must be between 20 and 100.');
  const query = { listName, n: items.length };
  const marker = input.string('Marker');
  const offset = marker === undefined ? 0 : decodeToken(marker, query);
  if (offset === undefined) throw invalidParameterValue('The marker is invalid.');
  const slice = items.slice(offset, offset + max);
  const next = offset + slice.length;
  return {
    ...(next < items.length && { Marker: encodeToken(next, query) }),
    [listName]: xmlList(member, slice.map(toXml)),
  };
}

// DB instance and DB cluster identifiers are shorter than the rest: at most 63 characters.
function validDbIdentifier(name: 'DBInstanceIdentifier' | 'DBClusterIdentifier', value: string): string {
  if (value.length > 63) {
    throw invalidParameterValue(`The parameter ${name} must be at most 63 characters.`);
  }
  return validIdentifier(name, value);
}

function validInstanceIdentifier(value: string): string {
  return validDbIdentifier('DBInstanceIdentifier', value);
}

export function rdsService(
  state: RdsState,
  now: () => number,
  restoreMs: () => number = () => 0,
): QueryService {
  const paging = ['MaxRecords', 'Marker'];

  function instance(id: string) {
    const found = state.instances.get(id.toLowerCase());
    if (!found) throw new AwsError('DBInstanceNotFound', `DBInstance ${id} not found.`, 404);
    return found;
  }

  function cluster(id: string) {
    const found = state.clusters.get(id.toLowerCase());
    if (!found) throw new AwsError('DBClusterNotFoundFault', `DBCluster ${id} not found.`, 404);
    return found;
  }

  function createSnapshot(input: QueryInput, kind: SnapshotRecord['kind']): XmlObject {
    const cluster_ = kind === 'cluster';
    const id = validIdentifier(
      cluster_ ? 'DBClusterSnapshotIdentifier' : 'DBSnapshotIdentifier',
      input.requiredString(cluster_ ? 'DBClusterSnapshotIdentifier' : 'DBSnapshotIdentifier'),
    );
    const sourceName = input.requiredString(cluster_ ? 'DBClusterIdentifier' : 'DBInstanceIdentifier');
    const source = cluster_ ? cluster(sourceName) : instance(sourceName);
    const key = state.snapshotKey(kind, id);
    if (state.snapshots.has(key)) {
      throw cluster_
        ? new AwsError(
            'DBClusterSnapshotAlreadyExistsFault',
            `Cannot create the cluster snapshot because one with the identifier ${id} already exists.`,
          )
        : new AwsError(
            'DBSnapshotAlreadyExists',
            `Cannot create the snapshot because a snapshot with the identifier ${id} already exists.`,
          );
    }
    const status = 'members' in source ? state.clusterStatus(source) : state.instanceStatus(source);
    if (status !== 'available') {
      throw cluster_
        ? new AwsError('InvalidDBClusterStateFault', `DBCluster ${source.id} is not in the available state.`)
        : new AwsError(
            'InvalidDBInstanceState',
            `Cannot create a snapshot because the database instance ${source.id} is not currently in the available state.`,
          );
    }
    const tags = input.structList('Tags', 'Tag').map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
    const record: SnapshotRecord = { kind, id, sourceId: source.id.toLowerCase(), createdAt: now(), tags };
    state.snapshots.set(key, record);
    return { [cluster_ ? 'DBClusterSnapshot' : 'DBSnapshot']: state.snapshotXml(record) };
  }

  function describeSnapshots(input: QueryInput, kind: SnapshotRecord['kind']): XmlObject {
    const cluster_ = kind === 'cluster';
    const id = input.string(cluster_ ? 'DBClusterSnapshotIdentifier' : 'DBSnapshotIdentifier');
    const source = input.string(cluster_ ? 'DBClusterIdentifier' : 'DBInstanceIdentifier')?.toLowerCase();
    const type = input.string('SnapshotType');
    const found = [...state.snapshots.values()].filter(
      (s) =>
        s.kind === kind &&
        (id === undefined || s.id === id.toLowerCase()) &&
        (source === undefined || s.sourceId === source) &&
        // Only manual snapshots are modelled; automated ones simply do not exist here.
        (type === undefined || type === 'manual'),
    );
    if (id !== undefined && found.length === 0) {
      throw cluster_
        ? new AwsError('DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${id} not found.`, 404)
        : new AwsError('DBSnapshotNotFound', `DBSnapshot ${id} not found.`, 404);
    }
    return cluster_
      ? page(input, found, 'DBClusterSnapshots', 'DBClusterSnapshot', (s) => state.snapshotXml(s))
      : page(input, found, 'DBSnapshots', 'DBSnapshot', (s) => state.snapshotXml(s));
  }

  function tagsOf(input: QueryInput) {
    return input.structList('Tags', 'Tag').map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
  }

  function assertNewInstance(id: string): void {
    if (state.instances.has(id)) {
      throw new AwsError('DBInstanceAlreadyExists', 'DB instance already exists');
    }
  }

  /** The snapshot a restore starts from: it must exist and be available, with RDS's own error codes. */
  function availableSnapshot(kind: SnapshotRecord['kind'], snapshotId: string): SnapshotRecord {
    const snapshot = state.snapshots.get(state.snapshotKey(kind, snapshotId));
    if (!snapshot) {
      throw kind === 'cluster'
        ? new AwsError('DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${snapshotId} not found.`, 404)
        : new AwsError('DBSnapshotNotFound', `DBSnapshot ${snapshotId} not found.`, 404);
    }
    if (state.progress(snapshot).status !== 'available') {
      throw new AwsError(
        kind === 'cluster' ? 'InvalidDBClusterSnapshotStateFault' : 'InvalidDBSnapshotState',
        `Snapshot ${snapshot.id} is not available.`,
      );
    }
    return snapshot;
  }

  /** Where a restored database sits: as asked, else the account's defaults. */
  function networkOf(input: QueryInput): { subnetGroup: string; securityGroups: string[] } {
    const groups = input.stringList('VpcSecurityGroupIds', 'VpcSecurityGroupId');
    return {
      subnetGroup: input.string('DBSubnetGroupName') ?? DEFAULT_PLACEMENT.subnetGroup,
      securityGroups: groups.length > 0 ? groups : DEFAULT_PLACEMENT.securityGroups,
    };
  }

  /** Restoring never touches the snapshot's source: it makes a new instance, `creating` for a while. */
  function restoreInstance(input: QueryInput): XmlObject {
    const id = validInstanceIdentifier(input.requiredString('DBInstanceIdentifier'));
    const snapshot = availableSnapshot('instance', input.requiredString('DBSnapshotIdentifier'));
    assertNewInstance(id);
    const source = state.instances.get(snapshot.sourceId);
    const record: InstanceRecord = {
      id,
      engine: source?.engine ?? 'postgres',
      engineVersion: source?.engineVersion ?? '16.4',
      status: 'available',
      multiAz: input.boolean('MultiAZ') ?? false,
      createdAt: now(),
      readyAt: now() + restoreMs(),
      instanceClass:
        input.string('DBInstanceClass') ?? source?.instanceClass ?? DEFAULT_PLACEMENT.instanceClass,
      ...networkOf(input),
      tags: tagsOf(input),
    };
    state.instances.set(id, record);
    return { DBInstance: state.instanceXml(record) };
  }

  /** An Aurora restore makes a cluster without instances; CreateDBInstance adds its writer. */
  function restoreCluster(input: QueryInput): XmlObject {
    const id = validDbIdentifier('DBClusterIdentifier', input.requiredString('DBClusterIdentifier'));
    const engine = input.requiredString('Engine');
    const snapshot = availableSnapshot('cluster', input.requiredString('SnapshotIdentifier'));
    if (state.clusters.has(id))
      throw new AwsError('DBClusterAlreadyExistsFault', 'DB Cluster already exists');
    const source = state.clusters.get(snapshot.sourceId);
    const record = {
      id,
      engine,
      engineVersion: input.string('EngineVersion') ?? source?.engineVersion ?? '16.4',
      status: 'available',
      members: [],
      createdAt: now(),
      readyAt: now() + restoreMs(),
      ...networkOf(input),
      tags: tagsOf(input),
    };
    state.clusters.set(id, record);
    return { DBCluster: state.clusterXml(record) };
  }

  /** Only instances inside an Aurora cluster are modelled (a restored cluster's writer). */
  function createClusterInstance(input: QueryInput): XmlObject {
    const id = validInstanceIdentifier(input.requiredString('DBInstanceIdentifier'));
    const instanceClass = input.requiredString('DBInstanceClass');
    const engine = input.requiredString('Engine');
    const clusterId = input.string('DBClusterIdentifier');
    if (clusterId === undefined) {
      throw invalidParameterValue('This emulator creates DB instances only inside an Aurora cluster.');
    }
    const parent = cluster(clusterId);
    if (parent.engine !== engine) {
      throw invalidParameterValue(
        `The engine ${engine} does not match the cluster's engine ${parent.engine}.`,
      );
    }
    assertNewInstance(id);
    const record: InstanceRecord = {
      id,
      engine,
      engineVersion: parent.engineVersion,
      status: 'available',
      multiAz: false,
      createdAt: now(),
      readyAt: now() + restoreMs(),
      instanceClass,
      clusterId: parent.id,
      tags: tagsOf(input),
    };
    state.instances.set(id, record);
    parent.members.push(id);
    return { DBInstance: state.instanceXml(record) };
  }

  return {
    version: '2014-10-31',
    xmlns: 'http://rds.amazonaws.com/doc/2014-10-31/',
    operations: {
      RestoreDBInstanceFromDBSnapshot: {
        accepts: [
          'DBInstanceIdentifier',
          'DBSnapshotIdentifier',
          'DBInstanceClass',
          'DBSubnetGroupName',
          'VpcSecurityGroupIds',
          'MultiAZ',
          'PubliclyAccessible',
          'DeletionProtection',
          'Tags',
        ],
        run: restoreInstance,
      },
      RestoreDBClusterFromSnapshot: {
        accepts: [
          'DBClusterIdentifier',
          'SnapshotIdentifier',
          'Engine',
          'EngineVersion',
          'DBSubnetGroupName',
          'VpcSecurityGroupIds',
          'DeletionProtection',
          'Tags',
        ],
        run: restoreCluster,
      },
      CreateDBInstance: {
        accepts: ['DBInstanceIdentifier', 'DBInstanceClass', 'Engine', 'DBClusterIdentifier', 'Tags'],
        run: createClusterInstance,
      },
      DescribeDBInstances: {
        accepts: ['DBInstanceIdentifier', ...paging],
        run(input) {
          const id = input.string('DBInstanceIdentifier');
          const found = id === undefined ? [...state.instances.values()] : [instance(id)];
          return page(input, found, 'DBInstances', 'DBInstance', (i) => state.instanceXml(i));
        },
      },
      DescribeDBClusters: {
        accepts: ['DBClusterIdentifier', ...paging],
        run(input) {
          const id = input.string('DBClusterIdentifier');
          const found = id === undefined ? [...state.clusters.values()] : [cluster(id)];
          return page(input, found, 'DBClusters', 'DBCluster', (c) => state.clusterXml(c));
        },
      },
      CreateDBSnapshot: {
        accepts: ['DBSnapshotIdentifier', 'DBInstanceIdentifier', 'Tags'],
        run: (input) => createSnapshot(input, 'instance'),
      },
      CreateDBClusterSnapshot: {
        accepts: ['DBClusterSnapshotIdentifier', 'DBClusterIdentifier', 'Tags'],
        run: (input) => createSnapshot(input, 'cluster'),
      },
      DescribeDBSnapshots: {
        accepts: ['DBSnapshotIdentifier', 'DBInstanceIdentifier', 'SnapshotType', ...paging],
        run: (input) => describeSnapshots(input, 'instance'),
      },
      DescribeDBClusterSnapshots: {
        accepts: ['DBClusterSnapshotIdentifier', 'DBClusterIdentifier', 'SnapshotType', ...paging],
        run: (input) => describeSnapshots(input, 'cluster'),
      },
    },
  };
}
