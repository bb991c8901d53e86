import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Clock } from '../../../src/ports/clock';
import type { LockScope } from '../../../src/ports/lock';
import { RedisLockService } from '../../../src/redis/lock-service';
import { cleanup, connectTestRedis, freshPrefix } from '../../support/redis';

const shopStaging: LockScope = { app: 'shop', environment: 'staging' };
const shopProduction: LockScope = { app: 'shop', environment: 'production' };
const MINUTE = 60_000;
/**
 * A lock that expires while the test waits on real time (Redis expires keys by
 * its own clock). Long enough that a loaded machine's pause between two calls
 * does not expire it early; the wait goes well past it.
 */
const SHORT_TTL = 600;
const PAST_SHORT_TTL = 900;

/** A clock the test moves by hand; it only fills in acquiredAt/expiresAt. */
function manualClock(start = 1_764_000_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => (now += ms) };
}

describe('RedisLockService', () => {
  let redis: Redis;
  let otherRedis: Redis;
  let prefix: string;
  let clock: ReturnType<typeof manualClock>;
  let locks: RedisLockService;

  beforeEach(() => {
    redis = connectTestRedis();
    otherRedis = connectTestRedis();
    prefix = freshPrefix();
    clock = manualClock();
    locks = new RedisLockService(redis, prefix, clock);
  });

  afterEach(async () => {
    await cleanup(redis, prefix);
    await Promise.all([redis.quit(), otherRedis.quit()]);
  });

  it('gives a free lock to the first owner and reports it as holder', async () => {
    assert.equal(await locks.holder(shopStaging), undefined);
    assert.deepEqual(await locks.acquire(shopStaging, 'release-a', MINUTE), { acquired: true });
    assert.deepEqual(await locks.holder(shopStaging), {
      kind: 'release',
      owner: 'release-a',
      acquiredAt: clock.now(),
      expiresAt: clock.now() + MINUTE,
    });
  });

  it('lets exactly one of two concurrent owners acquire; the other learns who holds it', async () => {
    const rival = new RedisLockService(otherRedis, prefix, clock);
    const results = await Promise.all([
      locks.acquire(shopStaging, 'release-a', MINUTE),
      rival.acquire(shopStaging, 'release-b', MINUTE),
    ]);

    const winners = results.filter((r) => r.acquired);
    const losers = results.flatMap((r) => (r.acquired ? [] : [r.holder]));
    assert.equal(winners.length, 1);
    assert.equal(losers.length, 1);
    const winner = results[0]?.acquired ? 'release-a' : 'release-b';
    assert.equal(losers[0]?.kind, 'release');
    assert.equal(losers[0]?.kind === 'release' && losers[0].owner, winner);
  });

  it('keeps scopes apart: another environment of the same app is a different lock', async () => {
    await locks.acquire(shopStaging, 'release-a', MINUTE);
    assert.deepEqual(await locks.acquire(shopProduction, 'release-b', MINUTE), { acquired: true });
  });

  it('extends the lock when its owner acquires again, keeping acquiredAt', async () => {
    const firstAt = clock.now();
    await locks.acquire(shopStaging, 'release-a', 1000);
    clock.advance(500);
    assert.deepEqual(await locks.acquire(shopStaging, 'release-a', MINUTE), { acquired: true });

    assert.deepEqual(await locks.holder(shopStaging), {
      kind: 'release',
      owner: 'release-a',
      acquiredAt: firstAt,
      expiresAt: clock.now() + MINUTE,
    });
    const pttl = await redis.pttl(`${prefix}:lock:shop:staging`);
    assert.ok(pttl > 1000, `ttl was extended to a minute (pttl ${pttl})`);
  });

  it('lets another owner acquire once the lock expired', async () => {
    await locks.acquire(shopStaging, 'release-a', SHORT_TTL);
    const refused = await locks.acquire(shopStaging, 'release-b', MINUTE);
    assert.equal(refused.acquired, false);

    await sleep(PAST_SHORT_TTL);
    assert.equal(await locks.holder(shopStaging), undefined);
    assert.deepEqual(await locks.acquire(shopStaging, 'release-b', MINUTE), { acquired: true });
  });

  it('heartbeats extend the owner’s lock and move expiresAt', async () => {
    await locks.acquire(shopStaging, 'release-a', SHORT_TTL);
    clock.advance(150);
    assert.equal(await locks.heartbeat(shopStaging, 'release-a', MINUTE), true);
    await sleep(PAST_SHORT_TTL);

    const holder = await locks.holder(shopStaging);
    assert.equal(holder?.kind === 'release' && holder.expiresAt, clock.now() + MINUTE);
  });

  it('heartbeat answers false after the lock expired', async () => {
    await locks.acquire(shopStaging, 'release-a', SHORT_TTL);
    await sleep(PAST_SHORT_TTL);
    assert.equal(await locks.heartbeat(shopStaging, 'release-a', MINUTE), false);
    assert.equal(await locks.holder(shopStaging), undefined, 'a lost lock is not recreated');
  });

  it('heartbeat answers false once another owner took the lock, and leaves theirs alone', async () => {
    await locks.acquire(shopStaging, 'release-a', SHORT_TTL);
    await sleep(PAST_SHORT_TTL);
    await locks.acquire(shopStaging, 'release-b', MINUTE);

    assert.equal(await locks.heartbeat(shopStaging, 'release-a', MINUTE), false);
    const holder = await locks.holder(shopStaging);
    assert.equal(holder?.kind === 'release' && holder.owner, 'release-b');
  });

  it('releases only the owner’s own lock', async () => {
    await locks.acquire(shopStaging, 'release-a', MINUTE);
    assert.equal(await locks.release(shopStaging, 'release-b'), false);
    assert.equal((await locks.holder(shopStaging))?.kind, 'release');

    assert.equal(await locks.release(shopStaging, 'release-a'), true);
    assert.equal(await locks.holder(shopStaging), undefined);
    assert.equal(await locks.release(shopStaging, 'release-a'), false, 'nothing left to release');
  });

  it('refuses every acquire while a manual lock is set and reports it with its reason', async () => {
    const at = clock.now();
    await locks.lockManually(shopStaging, 'U42', 'database maintenance', at);
    const manual = { kind: 'manual', by: 'U42', reason: 'database maintenance', at };

    assert.deepEqual(await locks.acquire(shopStaging, 'release-a', MINUTE), {
      acquired: false,
      holder: manual,
    });
    assert.deepEqual(await locks.holder(shopStaging), manual);
    assert.equal(await redis.pttl(`${prefix}:manual-lock:shop:staging`), -1, 'a manual lock never expires');
  });

  it('reports the manual lock as holder ahead of a running release, whose heartbeat still works', async () => {
    await locks.acquire(shopStaging, 'release-a', MINUTE);
    await locks.lockManually(shopStaging, 'U42', 'freeze', clock.now());

    assert.equal((await locks.holder(shopStaging))?.kind, 'manual');
    assert.equal(await locks.heartbeat(shopStaging, 'release-a', MINUTE), true);
    assert.equal((await locks.acquire(shopStaging, 'release-b', MINUTE)).acquired, false);
  });

  it('lets a rollback acquire over a manual lock, which stays, but never over another release', async () => {
    const at = clock.now();
    await locks.lockManually(shopStaging, 'U42', 'rolled back v1.3.0', at);

    assert.deepEqual(await locks.acquire(shopStaging, 'rollback-a', MINUTE, { overManualLock: true }), {
      acquired: true,
    });
    assert.equal((await locks.holder(shopStaging))?.kind, 'manual', 'the manual lock is still there');
    assert.equal((await locks.acquire(shopStaging, 'release-b', MINUTE)).acquired, false);
    const other = await locks.acquire(shopStaging, 'rollback-b', MINUTE, { overManualLock: true });
    assert.equal(other.acquired, false);
    assert.equal(!other.acquired && other.holder.kind, 'release');
    assert.equal(await locks.release(shopStaging, 'rollback-a'), true);
    assert.deepEqual(await locks.holder(shopStaging), {
      kind: 'manual',
      by: 'U42',
      reason: 'rolled back v1.3.0',
      at,
    });
  });

  it('unlocks manually, returning the manual lock, after which acquire works', async () => {
    const at = clock.now();
    await locks.lockManually(shopStaging, 'U42', 'freeze', at);

    assert.deepEqual(await locks.unlockManually(shopStaging), {
      kind: 'manual',
      by: 'U42',
      reason: 'freeze',
      at,
    });
    assert.equal(await locks.unlockManually(shopStaging), undefined, 'a second unlock finds nothing');
    assert.deepEqual(await locks.acquire(shopStaging, 'release-a', MINUTE), { acquired: true });
  });

  describe('handOver', () => {
    it('passes the lock from one owner to another, with a fresh ttl', async () => {
      await locks.acquire(shopStaging, 'release-a', 1000);
      clock.advance(100);
      assert.deepEqual(await locks.handOver(shopStaging, 'release-a', 'rollback-b', MINUTE), {
        acquired: true,
      });
      assert.deepEqual(await locks.holder(shopStaging), {
        kind: 'release',
        owner: 'rollback-b',
        acquiredAt: clock.now(),
        expiresAt: clock.now() + MINUTE,
      });
      assert.ok((await redis.pttl(`${prefix}:lock:shop:staging`)) > 1000);
      assert.equal(await locks.heartbeat(shopStaging, 'release-a', MINUTE), false, 'the giver lost it');
    });

    it('takes a free lock, and extends its own', async () => {
      assert.deepEqual(await locks.handOver(shopStaging, 'release-a', 'rollback-b', MINUTE), {
        acquired: true,
      });
      const firstAt = clock.now();
      clock.advance(500);
      assert.deepEqual(await locks.handOver(shopStaging, 'release-a', 'rollback-b', MINUTE), {
        acquired: true,
      });
      const holder = await locks.holder(shopStaging);
      assert.equal(holder?.kind === 'release' && holder.owner, 'rollback-b');
      assert.equal(holder?.kind === 'release' && holder.acquiredAt, firstAt, 'an extension keeps acquiredAt');
    });

    it('is refused, changing nothing, while a third release holds the lock', async () => {
      await locks.acquire(shopStaging, 'release-c', MINUTE);
      const refused = await locks.handOver(shopStaging, 'release-a', 'rollback-b', MINUTE);
      assert.equal(refused.acquired, false);
      assert.equal(
        !refused.acquired && refused.holder.kind === 'release' && refused.holder.owner,
        'release-c',
      );
      const holder = await locks.holder(shopStaging);
      assert.equal(holder?.kind === 'release' && holder.owner, 'release-c');
    });

    it('runs over a manual lock, which stays', async () => {
      await locks.acquire(shopStaging, 'release-a', MINUTE);
      await locks.lockManually(shopStaging, 'U42', 'freeze', clock.now());
      assert.deepEqual(await locks.handOver(shopStaging, 'release-a', 'rollback-b', MINUTE), {
        acquired: true,
      });
      assert.equal((await locks.holder(shopStaging))?.kind, 'manual');
      assert.equal(
        await locks.release(shopStaging, 'rollback-b'),
        true,
        'the rollback holds the release lock',
      );
    });

    it('never leaves the scope free: a rival acquiring during 50 handoffs always loses', async () => {
      const rival = new RedisLockService(otherRedis, prefix, clock);
      for (let i = 0; i < 50; i++) {
        await locks.acquire(shopStaging, `release-${i}`, MINUTE);
        const [handed, rivalled] = await Promise.all([
          locks.handOver(shopStaging, `release-${i}`, `rollback-${i}`, MINUTE),
          rival.acquire(shopStaging, `intruder-${i}`, MINUTE),
        ]);
        assert.equal(handed.acquired, true, `handoff ${i}`);
        assert.equal(rivalled.acquired, false, `the rival got the lock in handoff ${i}`);
        await locks.release(shopStaging, `rollback-${i}`);
      }
    });
  });

  describe('with lock groups', () => {
    const billing: LockScope = { app: 'billing', environment: 'production' };
    const shared: LockScope = { app: '@lock-group', environment: 'shared-backend' };
    let grouped: RedisLockService;

    beforeEach(() => {
      // shop/production and billing/production share a database: one lock group.
      grouped = new RedisLockService(redis, prefix, clock, (scope) =>
        scope.environment === 'production' ? shared : scope,
      );
    });

    it('gives the scopes of one group one release lock', async () => {
      assert.deepEqual(await grouped.acquire(shopProduction, 'release-a', MINUTE), { acquired: true });
      const refused = await grouped.acquire(billing, 'release-b', MINUTE);
      assert.equal(
        !refused.acquired && refused.holder.kind === 'release' && refused.holder.owner,
        'release-a',
      );
      const holder = await grouped.holder(billing);
      assert.equal(holder?.kind === 'release' && holder.owner, 'release-a');
      assert.equal(await grouped.heartbeat(shopProduction, 'release-a', MINUTE), true);
      assert.deepEqual(await grouped.acquire(shopStaging, 'release-c', MINUTE), { acquired: true });

      assert.equal(await grouped.release(shopProduction, 'release-a'), true);
      assert.deepEqual(await grouped.acquire(billing, 'release-b', MINUTE), { acquired: true });
    });

    it('locks the whole group manually from any of its scopes', async () => {
      await grouped.lockManually(billing, 'U42', 'database maintenance', clock.now());
      const refused = await grouped.acquire(shopProduction, 'release-a', MINUTE);
      assert.equal(!refused.acquired && refused.holder.kind, 'manual');
      assert.equal((await grouped.unlockManually(shopProduction))?.kind, 'manual');
      assert.deepEqual(await grouped.acquire(billing, 'release-a', MINUTE), { acquired: true });
    });
  });

  it('rejects a ttl that Redis PX cannot take', async () => {
    await assert.rejects(locks.acquire(shopStaging, 'release-a', 0), RangeError);
    await assert.rejects(locks.heartbeat(shopStaging, 'release-a', 1.5), RangeError);
  });
});
