import type { Release } from './release';

/** What an app's environment runs, as its releases tell it. */
export interface RunningVersion {
  version: string;
  /** When it started running: its release's end, or the end of the rollback that brought it back. */
  since: number;
  /** The release that deployed it. */
  releaseId: string;
  /** Set when a rollback brought this version back: the rollback's id. */
  restoredBy?: string;
}

/**
 * The version an environment runs, read from its releases newest first (the
 * order ReleaseStore.history gives). The newest succeeded release runs, unless
 * a succeeded service rollback reverted it: then the release before it runs
 * again, since the rollback ended. Failed and cancelled releases changed
 * nothing that stayed; a database rollback changes the schema, not the
 * version. Undefined when none of `newestFirst` says (an app whose last
 * successful release is older than the history read).
 */
export function runningVersion(
  newestFirst: readonly Release[],
  environment: string,
): RunningVersion | undefined {
  const reverted = new Set<string>();
  let restoredBy: Release | undefined;
  for (const release of newestFirst) {
    if (release.environment !== environment || release.state !== 'succeeded') continue;
    if (release.rollbackOf) {
      if (release.rollbackOf.database) continue;
      reverted.add(release.rollbackOf.releaseId);
      // The newest rollback is the one that put the running version in place.
      restoredBy ??= release;
      continue;
    }
    if (reverted.has(release.id)) continue;
    const ended = release.endedAt ?? release.updatedAt;
    if (restoredBy) {
      return {
        version: release.version,
        since: restoredBy.endedAt ?? restoredBy.updatedAt,
        releaseId: release.id,
        restoredBy: restoredBy.id,
      };
    }
    return { version: release.version, since: ended, releaseId: release.id };
  }
  return undefined;
}
