import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { RequestBudget } from '../../../src/redis/request-budget';
import { cleanup, connectTestRedis, freshPrefix } from '../../support/redis';

/** The largest number of grants inside any half-open window [t, t + 1000 ms). */
function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((x, y) => x - y);
  return Math.max(0, ...sorted.map((at) => sorted.filter((t) => t >= at && t < at + 1000).length));
}

describe('RequestBudget on real Redis', () => {
  let redis: Redis;
  let other: Redis;
  let prefix: string;
  const realNow = Date.now;

  beforeEach(() => {
    redis = connectTestRedis();
    other = connectTestRedis();
    prefix = freshPrefix();
  });
  afterEach(async () => {
    Date.now = realNow;
    await cleanup(redis, prefix);
    await Promise.all([redis.quit(), other.quit()]);
  });

  it('never grants more than its budget in any second of Redis’ clock, across two processes', async () => {
    // Two budgets on two connections with one key: two processes of deploybot.
    const a = new RequestBudget(redis, `${prefix}:budget`, 5);
    const b = new RequestBudget(other, `${prefix}:budget`, 5);
    const started = performance.now();
    const granted = await Promise.all(Array.from({ length: 14 }, (_, i) => (i % 2 === 0 ? a : b).grant()));
    assert.equal(busiestSecond(granted), 5);
    assert.equal(granted.length, 14, 'every caller is served eventually');
    assert.ok(performance.now() - started >= 2000, 'the last grants waited for the window to move');
  });

  it('ignores the callers’ clocks: processes whose clocks are hours apart share one budget', async () => {
    // Each process's Date.now() is off by a different amount, hours either way;
    // a window kept on callers' clocks would see the other's grants as long past.
    const skews = [3_600_000, -7_200_000];
    let call = 0;
    Date.now = () => realNow() + (skews[call++ % 2] ?? 0);
    const a = new RequestBudget(redis, `${prefix}:budget`, 4);
    const b = new RequestBudget(other, `${prefix}:budget`, 4);
    const [fromA, fromB] = await Promise.all([
      Promise.all(Array.from({ length: 6 }, () => a.grant())),
      Promise.all(Array.from({ length: 6 }, () => b.grant())),
    ]);
    Date.now = realNow;
    const granted = [...fromA, ...fromB];
    assert.equal(busiestSecond(granted), 4, JSON.stringify(granted));
    const [redisSeconds] = await redis.time();
    for (const at of granted) {
      assert.ok(Math.abs(at / 1000 - Number(redisSeconds)) < 60, `grant at ${at} is on Redis' clock`);
    }
  });

  it('records each grant in the shared window', async () => {
    const budget = new RequestBudget(redis, `${prefix}:budget`, 5);
    for (let i = 0; i < 5; i++) await budget.take();
    assert.equal(await redis.zcard(`${prefix}:budget`), 5);
  });
});
