/**
 * One release at a time per app and environment.
 *
 * Two kinds of lock share a scope: a release lock (owner = release id) that
 * expires unless its owner heartbeats, so a crashed fleet cannot block deploys
 * forever; and a sticky manual lock (`/deploy lock`) with a reason, which never
 * expires and blocks release locks until someone unlocks it. Acquire is atomic:
 * of two concurrent callers exactly one gets the lock and the other learns who holds it.
 */
export interface LockScope {
  app: string;
  environment: string;
}

export type LockHolder =
  | { kind: 'release'; owner: string; acquiredAt: number; expiresAt: number }
  | { kind: 'manual'; by: string; reason: string; at: number };

export type AcquireResult = { acquired: true } | { acquired: false; holder: LockHolder };

export interface AcquireOptions {
  /**
   * A manual lock stops new deploys, not the remedy for a bad one: rollbacks
   * (approved by an approver) run while it holds, and it stays in place.
   */
  overManualLock?: boolean;
}

export interface LockService {
  /** Acquiring a lock the same owner already holds succeeds and extends it. */
  acquire(scope: LockScope, owner: string, ttlMs: number, options?: AcquireOptions): Promise<AcquireResult>;
  /** Extends the owner's lock; false when the owner no longer holds it. */
  heartbeat(scope: LockScope, owner: string, ttlMs: number): Promise<boolean>;
  /** Releases only the owner's own lock; false when it held none. */
  release(scope: LockScope, owner: string): Promise<boolean>;
  /** The manual lock if any, else the release lock if any. */
  holder(scope: LockScope): Promise<LockHolder | undefined>;
  lockManually(scope: LockScope, by: string, reason: string, at: number): Promise<void>;
  /** Removes the manual lock and returns it, or undefined when there was none. */
  unlockManually(scope: LockScope): Promise<LockHolder | undefined>;
}
