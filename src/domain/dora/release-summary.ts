import type { Release, ReleaseState } from '../release';

/**
 * One release, cut down to exactly what the DORA figures read. The release
 * store keeps one of these beside every release, rewritten with every save, so
 * a year of history is read as a few kilobytes per app instead of whole
 * releases with their steps, samples and checklists.
 *
 * Invariant the store relies on: `summarize` puts `id` first, so the JSON of a
 * summary always starts with `{"id":"<id>",` and the store can find (and
 * replace) a release's previous summary by that prefix.
 */
export interface ReleaseSummary {
  id: string;
  app: string;
  environment: string;
  createdAt: number;
  state: ReleaseState;
  endedAt?: number;
  /** When its deploy step started: without it, the release never changed a running service. */
  deployedAt?: number;
  /** When the change came to exist (image push, image label, commit): lead time's start. */
  changeAt?: number;
  /** When monitoring first saw a failing sample: time to restore's start. */
  firstFailingAt?: number;
  /** Set on a rollback (of services or of the database): the id of the release it reverts. */
  rollbackOf?: string;
  /** Set on a release that an approved rollback replaced. */
  rolledBack?: true;
  /** Set on a break-glass release (requested against the release policy). */
  override?: true;
}

export function summarize(release: Release): ReleaseSummary {
  const deployedAt = release.steps.find((s) => s.name === 'deploy')?.startedAt;
  return {
    id: release.id,
    app: release.app,
    environment: release.environment,
    createdAt: release.createdAt,
    state: release.state,
    ...(release.endedAt !== undefined && { endedAt: release.endedAt }),
    ...(deployedAt !== undefined && { deployedAt }),
    ...(release.facts.changeAt !== undefined && { changeAt: release.facts.changeAt.at }),
    ...(release.facts.firstFailingAt !== undefined && { firstFailingAt: release.facts.firstFailingAt }),
    ...(release.rollbackOf !== undefined && { rollbackOf: release.rollbackOf.releaseId }),
    ...(release.rolledBackBy !== undefined && { rolledBack: true as const }),
    ...(release.override !== undefined && { override: true as const }),
  };
}
