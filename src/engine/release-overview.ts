import { lockScopeResolver } from '../config/lock-groups';
import type { Config } from '../config/schema';
import { isFinished, type Release } from '../domain/release';
import type { LockService } from '../ports/lock';
import type { ReleaseStore } from '../ports/release-store';

/** What is going on with some apps: the releases in flight, the releases they name, the manual locks. */
export interface InFlight {
  releases: Release[];
  /** By id: a listed rollback's reverted release, a listed reverted release's rollback. */
  related: Record<string, Release>;
  /** Manual locks; a lock group's shared lock once, under its first member. */
  locks: { app: string; environment: string; by: string; reason: string; since: number }[];
}

/**
 * What `/deploy status` and `deploybot status` show: the releases in flight of
 * `app` (or of every configured app), the releases they name, and every
 * manual lock of those apps' environments.
 */
export async function releasesInFlight(
  deps: { config: Config; store: ReleaseStore; locks: LockService },
  app?: string,
): Promise<InFlight> {
  const { config, store, locks } = deps;
  const apps = app === undefined ? Object.keys(config.apps) : [app];
  const releases: Release[] = [];
  for (const name of apps) {
    releases.push(...(await store.history(name, { limit: 20 })).filter((r) => !isFinished(r)));
  }
  const related: Record<string, Release> = {};
  for (const id of releases.flatMap((r) => [r.rolledBackBy, r.rollbackOf?.releaseId])) {
    if (id === undefined || Object.hasOwn(related, id)) continue;
    const found = await store.get(id);
    if (found) related[id] = found;
  }
  // The scopes of a lock group share one manual lock: it is listed once.
  const lockOf = lockScopeResolver(config);
  const seen = new Set<string>();
  const manual: InFlight['locks'] = [];
  for (const name of apps) {
    for (const environment of Object.keys(config.apps[name]?.environments ?? {})) {
      const key = JSON.stringify(lockOf({ app: name, environment }));
      if (seen.has(key)) continue;
      seen.add(key);
      const holder = await locks.holder({ app: name, environment });
      if (holder?.kind !== 'manual') continue;
      manual.push({ app: name, environment, by: holder.by, reason: holder.reason, since: holder.at });
    }
  }
  return { releases, related, locks: manual };
}
