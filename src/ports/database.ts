/**
 * The release's database, an RDS instance or an Aurora cluster. Implemented on
 * RDS (src/aws/rds.ts).
 *
 * Invariants: createSnapshot never overwrites; when a snapshot with that id
 * already exists it answers 'exists' instead of failing, so a resumed backup step
 * is idempotent. describeSnapshot answers undefined for a snapshot that does not exist.
 */
export interface DatabaseRef {
  kind: 'instance' | 'cluster';
  id: string;
}

export interface SnapshotState {
  id: string;
  /** creating, available, failed … (RDS's own words) */
  status: string;
  percentProgress?: number;
}

export interface Database {
  /** RDS status of the instance or cluster: available, backing-up, modifying … */
  status(db: DatabaseRef): Promise<string>;
  createSnapshot(db: DatabaseRef, snapshotId: string): Promise<'created' | 'exists'>;
  describeSnapshot(db: DatabaseRef, snapshotId: string): Promise<SnapshotState | undefined>;
}
