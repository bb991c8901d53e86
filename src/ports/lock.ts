/**
 * One release at a time per app and environment — or per lock group, when the
 * configuration declares several environments that share an ECS service or a
 * database as one (`lockGroup:`): every scope of a group takes the same lock.
 *
 * Two kinds of lock share a scope: a release lock (owner = release id) that
 * expires unless its owner heartbeats, so a crashed fleet cannot block deploys
 * forever; and a sticky manual lock (`/deploy lock`) with a reason, which never
 * expires and blocks release locks until someone unlocks it. A manual lock on
 * one scope of a group locks the whole group: it protects the shared resource.
 * Acquire and handOver are atomic: of two concurrent callers exactly one gets
 * the lock and the other learns who holds it.
 */
export interface LockScope {
  app: string;
  environment: string;
}

export type LockHolder =
  | { kind: 'release'; owner: string; acquiredAt: number; expiresAt: number }
  | { kind: 'manual'; by: string; reason: string; at: number };

/**
 * The scope whose lock a scope takes: itself, or its lock group's shared one.
 * Given to the lock adapter at construction (see src/config/lock-groups.ts).
 */
export type LockScopeResolver = (scope: LockScope) => LockScope;

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
  /**
   * Passes the release lock from `from` to `to` in one step, so that the scope
   * is never free in between: it becomes `to`'s when `from` holds it, when it is
   * free, or when `to` already holds it; otherwise it is refused with the
   * holder. Made for a rollback taking over from the release it reverts, so a
   * manual lock does not stop it (and stays in place), as with `overManualLock`.
   */
  handOver(scope: LockScope, from: string, to: string, ttlMs: number): Promise<AcquireResult>;
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
