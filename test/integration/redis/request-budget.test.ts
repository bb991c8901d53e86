import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { RequestBudget } from '../../../src/redis/request-budget';
import { cleanup, connectTestRedis, freshPrefix } from '../../support/redis';

describe('RequestBudget on real Redis', () => {
  let redis: Redis;
  let other: Redis;
  let prefix: string;

  beforeEach(() => {
    redis = connectTestRedis();
    other = connectTestRedis();
    prefix = freshPrefix();
  });
  afterEach(async () => {
    await cleanup(redis, prefix);
    await Promise.all([redis.quit(), other.quit()]);
  });

  it('never grants more than its budget in any one-second window, across two processes', async () => {
    // Two budgets on two connections with one key: two processes of deploybot.
    const a = new RequestBudget(redis, `${prefix}:budget`, 5);
    const b = new RequestBudget(other, `${prefix}:budget`, 5);
    const granted: number[] = [];
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 14 }, (_, i) => (i % 2 === 0 ? a : b).take().then(() => granted.push(Date.now()))),
    );
    granted.sort((x, y) => x - y);
    for (const [i, at] of granted.entries()) {
      const inWindow = granted.filter((t) => t >= at && t < at + 1000).length;
      assert.ok(inWindow <= 5, `grant ${i}: ${inWindow} grants within a second`);
    }
    assert.equal(granted.length, 14, 'every caller is served eventually');
    assert.ok(granted[13]! - started >= 2000, 'the last grants waited for the window to move');
  });

  it('records each grant in the shared window', async () => {
    const budget = new RequestBudget(redis, `${prefix}:budget`, 5);
    for (let i = 0; i < 5; i++) await budget.take();
    assert.equal(await redis.zcard(`${prefix}:budget`), 5);
  });
});
