/**
 * The release's database, an RDS instance or an Aurora cluster. Implemented on
 * RDS (src/aws/rds.ts).
 *
 * Invariants: createSnapshot never overwrites; when a snapshot with that id
 * already exists it answers 'exists' instead of failing, so a resumed backup step
 * is idempotent. describeSnapshot answers undefined for a snapshot that does not exist.
 * restore never modifies the live database: it only reads it (engine, network
 * placement) and creates a new one; asked again, it answers 'exists'.
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

export interface RestoreRequest {
  /** The live database the snapshot was taken of: read for its placement, never changed. */
  live: DatabaseRef;
  snapshotId: string;
  /** The identifier of the new instance (or Aurora cluster) to create. */
  into: string;
  /** Tagged on what is created, so people can tell where it came from. */
  releaseId: string;
}

export interface DatabaseState {
  /** RDS status; a restored Aurora cluster is only `available` once its writer is. */
  status: string;
  /** host:port, once RDS gives one. */
  endpoint?: string;
}

export interface Database {
  /** RDS status of the instance or cluster: available, backing-up, modifying … */
  status(db: DatabaseRef): Promise<string>;
  createSnapshot(db: DatabaseRef, snapshotId: string): Promise<'created' | 'exists'>;
  describeSnapshot(db: DatabaseRef, snapshotId: string): Promise<SnapshotState | undefined>;
  restore(request: RestoreRequest): Promise<'started' | 'exists'>;
  /** undefined when the instance or cluster does not exist. */
  describe(db: DatabaseRef): Promise<DatabaseState | undefined>;
}
