import { AwsError, invalidParameterValue } from './errors';
import { decodeToken, encodeToken } from './ids';
import type { QueryInput } from './query-input';
import type { QueryService } from './query-protocol';
import type { RdsState, SnapshotRecord } from './rds-state';
import { xmlList, type XmlObject } from './xml';

/** The six RDS operations deploybot sends, with RDS's own error codes and statuses. */

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

export function rdsService(state: RdsState, now: () => number): QueryService {
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
    const status = 'members' in source ? source.status : state.instanceStatus(source);
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

  return {
    version: '2014-10-31',
    xmlns: 'http://rds.amazonaws.com/doc/2014-10-31/',
    operations: {
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
