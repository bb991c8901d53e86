import { InvalidRequestError } from '../domain/errors';
import type { Release } from '../domain/release';
import type { ReleaseStore } from '../ports/release-store';

/** The checklist item a promotion proves: the version's migrations ran in the earlier environment. */
export const PROMOTION_PROVES = 'migrations-tested';

/** How far back promotion looks for the earlier environment's last good release. */
const LOOK_BACK = 200;

/**
 * The release `/deploy promote <app> <from> <to>` promotes: the newest release
 * of `from` that completed and stayed (succeeded, never rolled back), of the
 * app's own versions — a rollback restores revisions, it ships no version.
 */
export async function promotionSource(
  store: Pick<ReleaseStore, 'history'>,
  app: string,
  from: string,
): Promise<Release> {
  const history = await store.history(app, { environment: from, limit: LOOK_BACK });
  const good = history.find(
    (r) => r.state === 'succeeded' && r.rolledBackBy === undefined && r.rollbackOf === undefined,
  );
  if (!good) {
    throw new InvalidRequestError(
      'nothing_to_promote',
      `${app}/${from} has no completed release to promote (none succeeded without being rolled back in its last ${LOOK_BACK})`,
    );
  }
  return good;
}

/** The tick a promotion adds to the new release's checklist, naming the release that proves it. */
export function promotionTick(source: Release, now: number): Release['checklist'] {
  return {
    [PROMOTION_PROVES]: {
      by: 'deploybot',
      at: now,
      note: `${source.id} ${source.version} succeeded in ${source.environment}`,
    },
  };
}
