import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { isFirstDelivery, redisUpdateGate } from '../../../src/redis/slack-pacing';
import { UpdateCoalescer } from '../../../src/slack/update-coalescer';
import { cleanup, connectTestRedis, freshPrefix } from '../../support/redis';

/**
 * A send is timed in the callback, after the gate's answer came back over the
 * network and through the event loop, so on a loaded machine one send can be
 * timed late and the next on time. Without the shared gate the two processes
 * would send within a few ms of each other; 40 % of the interval tells the two apart
 * without reading event-loop lag as a failure.
 */
const LAG_ALLOWANCE = 0.4;

describe('redisUpdateGate', () => {
  let redis: Redis;
  let otherRedis: Redis;
  let prefix: string;

  beforeEach(() => {
    redis = connectTestRedis();
    otherRedis = connectTestRedis();
    prefix = freshPrefix();
  });

  afterEach(async () => {
    await cleanup(redis, prefix);
    await Promise.all([redis.quit(), otherRedis.quit()]);
  });

  it('opens for the first caller and tells later callers, on any connection, how long to wait', async () => {
    const gate = redisUpdateGate(redis, prefix);
    const otherGate = redisUpdateGate(otherRedis, prefix);
    assert.equal(await gate('r1', 500), 0);
    const wait = await otherGate('r1', 500);
    assert.ok(wait > 0 && wait <= 500, `wait ${wait}`);
    const again = await gate('r1', 500);
    assert.ok(again > 0 && again <= 500, `wait ${again}`);
    assert.equal(await otherGate('r2', 500), 0, 'another release is not held back');
  });

  it('opens again once the interval has passed', async () => {
    const gate = redisUpdateGate(redis, prefix);
    assert.equal(await gate('r1', 100), 0);
    await sleep(130);
    assert.equal(await gate('r1', 100), 0);
  });

  it('keeps its key under the prefix, expiring after the interval', async () => {
    await redisUpdateGate(redis, prefix)('r1', 5000);
    const ttl = await redis.pttl(`${prefix}:slack-update:r1`);
    assert.ok(ttl > 4000 && ttl <= 5000, `pttl ${ttl}`);
  });

  it('paces two processes sharing it: their sends together stay an interval apart, and the last follows the last request', async function () {
    this.timeout(15_000);
    const INTERVAL = 500;
    const sends: { at: number; by: string }[] = [];
    const errors: unknown[] = [];
    const make = (by: string, connection: Redis) =>
      new UpdateCoalescer(
        async () => {
          sends.push({ at: Date.now(), by });
        },
        redisUpdateGate(connection, prefix),
        INTERVAL,
        (error) => errors.push(error),
      );
    const web = make('web', redis);
    const worker = make('worker', otherRedis);

    const requests: number[] = [];
    const until = Date.now() + 3000;
    let i = 0;
    while (Date.now() < until) {
      // Interleave, with different rhythms, as two processes would.
      (i % 3 === 0 ? worker : web).request('r1');
      requests.push(Date.now());
      i += 1;
      await sleep(i % 2 === 0 ? 17 : 29);
    }
    const lastRequest = requests[requests.length - 1] as number;
    await sleep(INTERVAL * 3);
    web.close();
    worker.close();

    assert.deepEqual(errors, []);
    const times = sends.map((s) => s.at).sort((a, b) => a - b);
    assert.ok(times.length >= 5, `only ${times.length} sends in 3 s`);
    assert.ok(times.length <= 3000 / INTERVAL + 2, `${times.length} sends in 3 s`);
    for (let k = 1; k < times.length; k++) {
      const gap = (times[k] as number) - (times[k - 1] as number);
      assert.ok(gap >= INTERVAL * (1 - LAG_ALLOWANCE), `two sends ${gap} ms apart: ${JSON.stringify(sends)}`);
    }
    const lastSend = times[times.length - 1] as number;
    assert.ok(lastSend >= lastRequest, `last send ${lastRequest - lastSend} ms before the last request`);
    assert.ok(new Set(sends.map((s) => s.by)).size === 2, 'both processes got to send');
  });
});

describe('isFirstDelivery', () => {
  let redis: Redis;
  let prefix: string;

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = freshPrefix();
  });

  afterEach(async () => {
    await cleanup(redis, prefix);
    await redis.quit();
  });

  it('is true for the first delivery of a request id, false for a retry, true for another id', async () => {
    assert.equal(await isFirstDelivery(redis, prefix, 'deploy-111.222'), true);
    assert.equal(await isFirstDelivery(redis, prefix, 'deploy-111.222'), false);
    assert.equal(await isFirstDelivery(redis, prefix, 'deploy-111.222'), false);
    assert.equal(await isFirstDelivery(redis, prefix, 'deploy-333.444'), true);
  });

  it('is true for exactly one of many concurrent deliveries of the same id', async () => {
    const other = connectTestRedis();
    try {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, k) => isFirstDelivery(k % 2 ? redis : other, prefix, 'deploy-555')),
      );
      assert.equal(answers.filter(Boolean).length, 1);
    } finally {
      await other.quit();
    }
  });

  it('remembers a request id for a day under the prefix', async () => {
    await isFirstDelivery(redis, prefix, 'rollback-9');
    const ttl = await redis.ttl(`${prefix}:slack-delivery:rollback-9`);
    assert.ok(ttl > 86_000 && ttl <= 86_400, `ttl ${ttl}`);
  });

  it('does not share ids between prefixes', async () => {
    const otherPrefix = freshPrefix();
    try {
      assert.equal(await isFirstDelivery(redis, prefix, 'deploy-1'), true);
      assert.equal(await isFirstDelivery(redis, otherPrefix, 'deploy-1'), true);
    } finally {
      await cleanup(redis, otherPrefix);
    }
  });
});
