import type { DatabaseRollback, Release } from './release';

/**
 * What the database needs after a rollback ended (runbook "Rollback Database"):
 * once the app is back on its old revisions, a release whose migration ran
 * leaves the new schema behind, so its migration rollback is offered; when
 * there is no rollback command, or the downgrade itself failed, restoring the
 * pre-release snapshot (into a new instance) is offered as the last resort.
 * Nothing is offered twice: each is its own proposal that people decide on.
 */
export function nextDatabaseRollback(
  ended: Release,
  reverted: Release,
  options: { hasRollbackCommand: boolean },
): DatabaseRollback['action'] | undefined {
  const of = ended.rollbackOf;
  if (!of || of.releaseId !== reverted.id) return undefined;
  const migrated = reverted.steps.some((s) => s.name === 'migrate' && s.state === 'succeeded');
  const snapshot = reverted.facts.snapshotId !== undefined;
  if (!of.database) {
    if (ended.state !== 'succeeded' || !migrated) return undefined;
    if (options.hasRollbackCommand) return 'downgrade';
    return snapshot ? 'restore' : undefined;
  }
  if (of.database.action === 'downgrade' && ended.state === 'failed' && snapshot) return 'restore';
  return undefined;
}
