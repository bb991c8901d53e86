/**
 * One run at a time per release. A step job runs on whichever worker BullMQ
 * hands it to; after a stall (a killed or frozen worker) a second worker may
 * start the step while the first is still alive somewhere. The run lease makes
 * that overlap harmless: a run takes the release's lease when it starts, checks
 * it immediately before every side effect on AWS, and stops without acting
 * when it finds the lease gone to another run. Implemented on Redis
 * (src/redis/run-lease.ts).
 *
 * Invariants:
 * - At most one owner token holds a release's lease at any time; take and
 *   confirm are atomic compare-and-sets on that token.
 * - A lease lives `ttlMs` after its last take or confirm, so a dead run's lease
 *   goes by itself.
 * - confirm is strict: a lease that lapsed is lost even if nobody took it, because
 *   the run cannot know whether another run came and went in between.
 */
export type LeaseTake = { taken: true } | { taken: false; holder: string; retryInMs: number };

export interface RunLeases {
  /** Takes the release's lease for `owner` when it is free or already `owner`'s. */
  take(releaseId: string, owner: string, ttlMs: number): Promise<LeaseTake>;
  /** Extends `owner`'s lease; false when it lapsed or another owner holds it. */
  confirm(releaseId: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up when `owner` still holds it (a run that ended). */
  give(releaseId: string, owner: string): Promise<void>;
}
