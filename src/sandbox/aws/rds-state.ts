import type { EmulatorTimings, SeedDbCluster, SeedDbInstance } from './types';
import { xmlList, type XmlObject } from './xml';

/**
 * RDS instances, Aurora clusters and their manual snapshots. Snapshot status is
 * computed from the clock: `creating` with a rising PercentProgress until
 * `snapshotMs` have passed, then `available`. A single-AZ instance reports
 * `backing-up` while one of its snapshots is being created, as RDS does.
 */
export interface SnapshotRecord {
  kind: 'instance' | 'cluster';
  /** Stored lowercase, as RDS stores identifiers. */
  id: string;
  sourceId: string;
  createdAt: number;
  tags: { Key: string; Value: string }[];
}

/** Where a database sits in the network; a restore copies it from the live one. */
export interface Placement {
  instanceClass: string;
  subnetGroup: string;
  securityGroups: string[];
}

export const DEFAULT_PLACEMENT: Placement = {
  instanceClass: 'db.t3.medium',
  subnetGroup: 'default-vpc-db-subnets',
  securityGroups: ['sg-0123456789abcdef0'],
};

export interface InstanceRecord extends SeedDbInstance, Partial<Placement> {
  createdAt: number;
  /** A restored or created instance is `creating` until then. */
  readyAt?: number;
  /** The Aurora cluster it belongs to. */
  clusterId?: string;
  tags?: { Key: string; Value: string }[];
}

export interface ClusterRecord extends SeedDbCluster, Partial<Placement> {
  createdAt: number;
  readyAt?: number;
  tags?: { Key: string; Value: string }[];
}

const PORTS: Record<string, number> = {
  postgres: 5432,
  'aurora-postgresql': 5432,
  mysql: 3306,
  'aurora-mysql': 3306,
};

export class RdsState {
  readonly instances = new Map<string, InstanceRecord>();
  readonly clusters = new Map<string, ClusterRecord>();
  readonly snapshots = new Map<string, SnapshotRecord>();

  constructor(
    private readonly account: string,
    private readonly region: string,
    private readonly now: () => number,
    private readonly timings: () => EmulatorTimings,
  ) {}

  seed(instances: SeedDbInstance[], clusters: SeedDbCluster[], at: number): void {
    for (const i of instances) this.instances.set(i.id.toLowerCase(), { ...i, createdAt: at });
    for (const c of clusters) this.clusters.set(c.id.toLowerCase(), { ...c, createdAt: at });
  }

  /** Instance and cluster snapshots live in separate namespaces. */
  snapshotKey(kind: SnapshotRecord['kind'], id: string): string {
    return `${kind}:${id.toLowerCase()}`;
  }

  progress(snapshot: SnapshotRecord): { status: string; percent: number } {
    const elapsed = this.now() - snapshot.createdAt;
    const total = this.timings().snapshotMs;
    if (elapsed >= total) return { status: 'available', percent: 100 };
    return { status: 'creating', percent: Math.max(0, Math.floor((100 * elapsed) / total)) };
  }

  clusterStatus(cluster: ClusterRecord): string {
    return cluster.readyAt !== undefined && this.now() < cluster.readyAt ? 'creating' : cluster.status;
  }

  instanceStatus(instance: InstanceRecord): string {
    if (instance.readyAt !== undefined && this.now() < instance.readyAt) return 'creating';
    if (instance.status !== 'available' || instance.multiAz) return instance.status;
    const busy = [...this.snapshots.values()].some(
      (s) => s.kind === 'instance' && s.sourceId === instance.id && this.progress(s).status === 'creating',
    );
    return busy ? 'backing-up' : instance.status;
  }

  private arn(kind: string, id: string): string {
    return `arn:aws:rds:${this.region}:${this.account}:${kind}:${id}`;
  }

  private endpoint(id: string, prefix = ''): string {
    return `${id}.${prefix}c9akciq32.${this.region}.rds.amazonaws.com`;
  }

  instanceXml(i: InstanceRecord): XmlObject {
    const port = PORTS[i.engine] ?? 5432;
    return {
      DBInstanceIdentifier: i.id,
      DBInstanceClass: i.instanceClass ?? DEFAULT_PLACEMENT.instanceClass,
      DBSubnetGroup: { DBSubnetGroupName: i.subnetGroup ?? DEFAULT_PLACEMENT.subnetGroup },
      VpcSecurityGroups: xmlList(
        'VpcSecurityGroupMembership',
        (i.securityGroups ?? DEFAULT_PLACEMENT.securityGroups).map((id) => ({
          VpcSecurityGroupId: id,
          Status: 'active',
        })),
      ),
      ...(i.clusterId !== undefined && { DBClusterIdentifier: i.clusterId }),
      TagList: xmlList('Tag', i.tags ?? []),
      Engine: i.engine,
      DBInstanceStatus: this.instanceStatus(i),
      MasterUsername: 'app',
      DBName: 'app',
      Endpoint: { Address: this.endpoint(i.id), Port: port, HostedZoneId: 'Z2R2ITUGPM61AM' },
      AllocatedStorage: 100,
      InstanceCreateTime: new Date(i.createdAt),
      PreferredBackupWindow: '03:00-03:30',
      BackupRetentionPeriod: 7,
      AvailabilityZone: `${this.region}a`,
      MultiAZ: i.multiAz,
      EngineVersion: i.engineVersion,
      AutoMinorVersionUpgrade: true,
      PubliclyAccessible: false,
      StorageType: 'gp3',
      StorageEncrypted: true,
      DbiResourceId: `db-${i.id
        .toUpperCase()
        .replace(/[^A-Z0-9]/g, '')
        .slice(0, 26)}`,
      DBInstanceArn: this.arn('db', i.id),
      DeletionProtection: true,
    };
  }

  clusterXml(c: ClusterRecord): XmlObject {
    return {
      DBClusterIdentifier: c.id,
      Status: this.clusterStatus(c),
      DBSubnetGroup: c.subnetGroup ?? DEFAULT_PLACEMENT.subnetGroup,
      VpcSecurityGroups: xmlList(
        'VpcSecurityGroupMembership',
        (c.securityGroups ?? DEFAULT_PLACEMENT.securityGroups).map((id) => ({
          VpcSecurityGroupId: id,
          Status: 'active',
        })),
      ),
      TagList: xmlList('Tag', c.tags ?? []),
      Engine: c.engine,
      EngineVersion: c.engineVersion,
      Endpoint: this.endpoint(c.id, 'cluster-'),
      ReaderEndpoint: this.endpoint(c.id, 'cluster-ro-'),
      Port: PORTS[c.engine] ?? 5432,
      MasterUsername: 'app',
      MultiAZ: c.members.length > 1,
      ClusterCreateTime: new Date(c.createdAt),
      StorageEncrypted: true,
      DBClusterArn: this.arn('cluster', c.id),
      DBClusterMembers: xmlList(
        'DBClusterMember',
        c.members.map((m, index) => ({ DBInstanceIdentifier: m, IsClusterWriter: index === 0 })),
      ),
    };
  }

  snapshotXml(s: SnapshotRecord): XmlObject {
    const { status, percent } = this.progress(s);
    const tags = xmlList('Tag', s.tags);
    if (s.kind === 'cluster') {
      const c = this.clusters.get(s.sourceId);
      return {
        DBClusterSnapshotIdentifier: s.id,
        DBClusterIdentifier: s.sourceId,
        SnapshotCreateTime: new Date(s.createdAt),
        Engine: c?.engine,
        EngineVersion: c?.engineVersion,
        AllocatedStorage: 0,
        Status: status,
        Port: 0,
        ClusterCreateTime: c && new Date(c.createdAt),
        MasterUsername: 'app',
        SnapshotType: 'manual',
        PercentProgress: percent,
        StorageEncrypted: true,
        DBClusterSnapshotArn: this.arn('cluster-snapshot', s.id),
        TagList: tags,
      };
    }
    const i = this.instances.get(s.sourceId);
    return {
      DBSnapshotIdentifier: s.id,
      DBInstanceIdentifier: s.sourceId,
      SnapshotCreateTime: new Date(s.createdAt),
      Engine: i?.engine,
      AllocatedStorage: 100,
      Status: status,
      Port: PORTS[i?.engine ?? ''] ?? 5432,
      AvailabilityZone: `${this.region}a`,
      InstanceCreateTime: i && new Date(i.createdAt),
      MasterUsername: 'app',
      EngineVersion: i?.engineVersion,
      SnapshotType: 'manual',
      PercentProgress: percent,
      StorageType: 'gp3',
      Encrypted: true,
      DBSnapshotArn: this.arn('snapshot', s.id),
      TagList: tags,
    };
  }
}
