import type { LockScope } from '../ports/lock';

/**
 * Every Redis key deploybot writes, in one place, so the keyspace can be read
 * (and cleaned up) without hunting through the adapters. All keys start with
 * `${prefix}:` so that several deploybots, or tests, can share one Redis.
 */
export function redisKeys(prefix: string) {
  return {
    /** String: the release as JSON. */
    release: (id: string) => `${prefix}:release:${id}`,
    /** Sorted set: release ids of one app, scored by createdAt. */
    history: (app: string) => `${prefix}:history:${app}`,
    /**
     * Sorted set: the DORA summary (small JSON, src/domain/dora/release-summary.ts)
     * of each release of one app, scored by createdAt; rewritten with every save.
     */
    releaseSummaries: (app: string) => `${prefix}:release-summaries:${app}`,
    /** Set once an app's older releases all have summaries: start-up need not read its history again. */
    summariesBackfilled: (app: string) => `${prefix}:release-summaries-backfilled:${app}`,
    /** String with PX expiry: the release lock, JSON {owner, acquiredAt, expiresAt}. */
    lock: (scope: LockScope) => `${prefix}:lock:${scope.app}:${scope.environment}`,
    /** String without expiry: the manual lock, JSON {by, reason, at}. */
    manualLock: (scope: LockScope) => `${prefix}:manual-lock:${scope.app}:${scope.environment}`,
    /** Stream: the audit log. */
    audit: () => `${prefix}:audit`,
    /** Set: ids of releases running or awaiting Start, kept by the release store's scripts. */
    activeReleases: () => `${prefix}:active-releases`,
    /** String with PX expiry: the owner token of the one run of a step of this release in progress. */
    runLease: (releaseId: string) => `${prefix}:run-lease:${releaseId}`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
