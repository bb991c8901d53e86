import type { LockHolder, LockScope } from '../ports/lock';
import { RedisLockService } from './lock-service';

/**
 * The release locks, telling the deploy queue whenever a scope may have become
 * free: a release lock its owner let go (a release ended, was cancelled or
 * expired, wherever that happened) or a manual lock removed. Hooked here, at
 * the one place every freeing passes through, rather than in each caller.
 *
 * `freed` must not throw (the engine's logs and swallows): a lost wake-up is
 * picked up by the queue's sweep, and must not fail the release that freed
 * the lock.
 */
export class QueueWakingLockService extends RedisLockService {
  /** Set by the engine once the queue exists. */
  freed?: (scope: LockScope) => Promise<void>;

  override async release(scope: LockScope, owner: string): Promise<boolean> {
    const released = await super.release(scope, owner);
    if (released) await this.wake(scope);
    return released;
  }

  override async unlockManually(scope: LockScope): Promise<LockHolder | undefined> {
    const removed = await super.unlockManually(scope);
    if (removed) await this.wake(scope);
    return removed;
  }

  private async wake(scope: LockScope): Promise<void> {
    await this.freed?.(scope);
  }
}
