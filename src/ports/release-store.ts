import type { ReleaseSummary } from '../domain/dora/release-summary';
import type { Release } from '../domain/release';

/**
 * Durable releases. Implemented on Redis (src/redis/release-store.ts).
 *
 * Invariants:
 * - create refuses an id that exists.
 * - save writes only when the stored revision equals `release.revision`, and
 *   returns the copy it stored with `revision + 1`; otherwise it throws
 *   StaleWriteError and stores nothing. Two writers never silently merge.
 * - history lists an app's releases newest first (by createdAt).
 * - activeIds lists the releases that are running or awaiting Start, as of
 *   their last save: the index changes atomically with the release itself.
 * - summaries lists the DORA summary of each release of an app created in
 *   [fromMs, toMs), oldest first; create and save rewrite it atomically with
 *   the release, so it is never older than the release's last save.
 */
export interface ReleaseStore {
  create(release: Release): Promise<void>;
  get(id: string): Promise<Release | undefined>;
  save(release: Release): Promise<Release>;
  history(app: string, options?: { environment?: string; limit?: number }): Promise<Release[]>;
  activeIds(): Promise<string[]>;
  summaries(app: string, fromMs: number, toMs: number): Promise<ReleaseSummary[]>;
  /** Drops `id` from the active index when its release no longer exists. */
  forgetActive(id: string): Promise<void>;
}
