import { StepFailure } from '../domain/errors';
import type { StepHandler } from './step-handler';

/** RDS statuses from which a restore will not become available by waiting. */
const DEAD_ENDS = new Set([
  'failed',
  'incompatible-restore',
  'incompatible-parameters',
  'incompatible-network',
  'inaccessible-encryption-credentials',
  'deleting',
]);

/**
 * Restores the pre-release snapshot into a new database (runbook "Rollback
 * Database", last resort). The live database is only read, for its placement;
 * the new one gets its own name, so nothing that serves traffic changes. Moving
 * the app to it is left to people, who first check its data.
 */
export const restore: StepHandler = {
  describe(env) {
    const db = env.database;
    if (!db) return [];
    const kind = db.kind === 'cluster' ? 'DBCluster' : 'DBInstance';
    return [
      `RDS Describe${kind}s ${db.id} (read only: class, subnet group, security groups)`,
      db.kind === 'cluster'
        ? 'RDS RestoreDBClusterFromSnapshot into a new cluster, then CreateDBInstance for its writer'
        : 'RDS RestoreDBInstanceFromDBSnapshot into a new instance',
      `RDS Describe${kind}s of the new database until available; ${db.id} is never modified`,
    ];
  },
  timeoutMs: (env) => env.timeouts.restore,
  async run(ctx) {
    const db = ctx.env.database;
    const plan = ctx.release.rollbackOf?.database;
    if (!db) throw new StepFailure('no_database', 'restore needs a database in the configuration');
    if (!plan?.snapshotId || !plan.restoreInto) {
      throw new StepFailure('nothing_to_restore', 'this release names no snapshot to restore');
    }
    const into = { kind: db.kind, id: plan.restoreInto };
    if (into.id.toLowerCase() === db.id.toLowerCase()) {
      throw new StepFailure('would_touch_live_database', `refusing to restore over the live ${db.id}`);
    }
    if (ctx.step.progress.requested === undefined) {
      const outcome = await ctx.ports.database.restore({
        live: db,
        snapshotId: plan.snapshotId,
        into: into.id,
        releaseId: ctx.release.id,
      });
      await ctx.record({ progress: { requested: outcome } });
      return { kind: 'wait', note: `restore of ${plan.snapshotId} into ${into.id} requested` };
    }
    const state = await ctx.ports.database.describe(into);
    // RDS may not list a database it has just accepted: wait for it to appear.
    if (!state) return { kind: 'wait', note: `${into.id} not visible yet` };
    // A restored cluster reports its writer's trouble as `writer <status>`.
    if (DEAD_ENDS.has(state.status.replace(/^writer /, ''))) {
      throw new StepFailure('restore_failed', `restored database ${into.id} is ${state.status}`);
    }
    if (state.status !== 'available') return { kind: 'wait', note: `${into.id} is ${state.status}` };
    return {
      kind: 'done',
      summary: `snapshot ${plan.snapshotId} restored into new ${db.kind} ${into.id}; ${db.id} untouched`,
      details: [
        `New ${db.kind}: ${into.id}${state.endpoint ? ` at ${state.endpoint}` : ''}`,
        `The live ${db.id} still serves the app and was not modified.`,
        'Check the restored data, then point the app at it by hand (its connection secret) if you decide to switch.',
      ],
    };
  },
};
