import { snapshotIdFor } from '../domain/release-id';
import { StepFailure } from '../domain/errors';
import type { StepHandler } from './step-handler';

/**
 * RDS snapshot before anything changes (runbook "Database Backup"). The snapshot
 * id is derived from the release id, so a resumed run finds the snapshot it
 * already asked for instead of taking a second one.
 */
export const backup: StepHandler = {
  describe(env) {
    const db = env.database;
    if (!db) return [];
    return db.kind === 'cluster'
      ? [`RDS CreateDBClusterSnapshot of ${db.id}`, 'RDS DescribeDBClusterSnapshots until available']
      : [`RDS CreateDBSnapshot of ${db.id}`, 'RDS DescribeDBSnapshots until available'];
  },
  timeoutMs: (env) => env.timeouts.backup,
  async run(ctx) {
    const db = ctx.env.database;
    if (!db) throw new StepFailure('no_database', 'backup needs a database in the configuration');
    const snapshotId = snapshotIdFor(ctx.release.id);
    const snapshot = await ctx.ports.database.describeSnapshot(db, snapshotId);
    if (!snapshot) {
      // Observe first, act second: only ask for a snapshot that does not exist yet.
      const outcome = await ctx.ports.database.createSnapshot(db, snapshotId);
      await ctx.record({ facts: { snapshotId }, progress: { requested: outcome } });
      return { kind: 'wait', note: `snapshot ${snapshotId} requested` };
    }
    if (!ctx.release.facts.snapshotId) await ctx.record({ facts: { snapshotId } });
    if (snapshot.status === 'available') {
      return { kind: 'done', summary: `snapshot ${snapshotId} is available` };
    }
    if (snapshot.status === 'failed' || snapshot.status === 'deleted' || snapshot.status === 'deleting') {
      throw new StepFailure('snapshot_failed', `snapshot ${snapshotId} is ${snapshot.status}`);
    }
    const percent = snapshot.percentProgress === undefined ? '' : ` (${snapshot.percentProgress}%)`;
    return { kind: 'wait', note: `snapshot ${snapshotId} is ${snapshot.status}${percent}` };
  },
};
