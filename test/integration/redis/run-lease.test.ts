import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { redisKeys } from '../../../src/redis/keys';
import { RedisRunLeases } from '../../../src/redis/run-lease';
import { cleanup, connectTestRedis, freshPrefix } from '../../support/redis';

const MINUTE = 60_000;

describe('RedisRunLeases', () => {
  let redis: Redis;
  let prefix: string;
  let leases: RedisRunLeases;

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = freshPrefix();
    leases = new RedisRunLeases(redis, prefix);
  });
  afterEach(async () => {
    await cleanup(redis, prefix);
    await redis.quit();
  });

  it('gives a free lease to the first run and tells the second who holds it and for how long', async () => {
    assert.deepEqual(await leases.take('r1', 'run-a', MINUTE), { taken: true });
    const second = await leases.take('r1', 'run-b', MINUTE);
    assert.equal(second.taken, false);
    assert.ok(!second.taken && second.holder === 'run-a');
    assert.ok(!second.taken && second.retryInMs > MINUTE - 5_000 && second.retryInMs <= MINUTE);
  });

  it('lets the holder take its own lease again, and keeps releases apart', async () => {
    await leases.take('r1', 'run-a', MINUTE);
    assert.deepEqual(await leases.take('r1', 'run-a', MINUTE), { taken: true });
    assert.deepEqual(await leases.take('r2', 'run-b', MINUTE), { taken: true });
  });

  it('of many concurrent takers exactly one gets the lease', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => leases.take('r1', `run-${i}`, MINUTE)),
    );
    assert.equal(results.filter((r) => r.taken).length, 1);
  });

  it('confirms and extends only the holder’s lease', async () => {
    await leases.take('r1', 'run-a', 1_000);
    assert.equal(await leases.confirm('r1', 'run-a', MINUTE), true);
    assert.ok((await redis.pttl(redisKeys(prefix).runLease('r1'))) > 1_000);
    assert.equal(await leases.confirm('r1', 'run-b', MINUTE), false);
  });

  it('treats a lapsed lease as lost, even when nobody took it', async () => {
    await leases.take('r1', 'run-a', MINUTE);
    // As if its ttl had run out: the run cannot tell whether another came and went.
    await redis.del(redisKeys(prefix).runLease('r1'));
    assert.equal(await leases.confirm('r1', 'run-a', MINUTE), false);
    assert.equal(await redis.exists(redisKeys(prefix).runLease('r1')), 0, 'confirm does not re-take it');
  });

  it('expires by itself when its holder stops renewing', async () => {
    await leases.take('r1', 'run-a', 50);
    const deadline = Date.now() + 5_000;
    while ((await redis.exists(redisKeys(prefix).runLease('r1'))) === 1) {
      assert.ok(Date.now() < deadline, 'the lease expired');
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(await leases.take('r1', 'run-b', MINUTE), { taken: true });
  });

  it('gives up only its own lease', async () => {
    await leases.take('r1', 'run-a', MINUTE);
    await leases.give('r1', 'run-b');
    assert.equal(await leases.confirm('r1', 'run-a', MINUTE), true);
    await leases.give('r1', 'run-a');
    assert.deepEqual(await leases.take('r1', 'run-b', MINUTE), { taken: true });
  });

  it('refuses a ttl PX cannot take', async () => {
    await assert.rejects(leases.take('r1', 'run-a', 0), RangeError);
    await assert.rejects(leases.confirm('r1', 'run-a', 1.5), RangeError);
  });
});
