import assert from 'node:assert/strict';
import {
  createRedis,
  DEFAULT_REDIS_URL,
  redactRedisUrl,
  redisOptionsFor,
  redisUrlFromEnv,
} from '../../../src/redis/connection';

describe('redis connection', () => {
  describe('redactRedisUrl', () => {
    it('hides the password of user and password', () => {
      assert.equal(
        redactRedisUrl('redis://deploybot:s3cret@redis.internal:6379/0'),
        'redis://deploybot:***@redis.internal:6379/0',
      );
    });

    it('hides a password given without a user', () => {
      assert.equal(
        redactRedisUrl('rediss://:s3cret@redis.internal:6380'),
        'rediss://:***@redis.internal:6380',
      );
    });

    it('hides a percent-encoded password', () => {
      const redacted = redactRedisUrl('redis://u:p%40ss%3Aword@host:6379');
      assert.equal(redacted, 'redis://u:***@host:6379');
    });

    it('hides a password given in the query string', () => {
      const redacted = redactRedisUrl('redis://host:6379/2?password=s3cret&family=6');
      assert.ok(!redacted.includes('s3cret'), redacted);
      assert.match(redacted, /family=6/);
    });

    it('leaves a URL without a password as it was', () => {
      assert.equal(redactRedisUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
      assert.equal(redactRedisUrl('redis://user@host:6379'), 'redis://user@host:6379');
    });

    it('masks a password even in text that is not a valid URL', () => {
      const redacted = redactRedisUrl('redis://u:s3cret@exa mple:port');
      assert.ok(!redacted.includes('s3cret'), redacted);
    });
  });

  describe('redisUrlFromEnv', () => {
    it('uses REDIS_URL when set', () => {
      assert.equal(redisUrlFromEnv({ REDIS_URL: 'redis://cache:6379/1' }), 'redis://cache:6379/1');
    });

    it('falls back to the local Redis when REDIS_URL is unset or blank', () => {
      assert.equal(redisUrlFromEnv({}), DEFAULT_REDIS_URL);
      assert.equal(redisUrlFromEnv({ REDIS_URL: '  ' }), 'redis://127.0.0.1:6379');
    });
  });

  describe('createRedis', () => {
    it('lets worker commands wait for a reconnect forever, as BullMQ requires', () => {
      assert.equal(redisOptionsFor('worker').maxRetriesPerRequest, null);
    });

    it('gives client commands a finite retry count and keeps the offline queue', () => {
      const options = redisOptionsFor('client');
      assert.notEqual(options.maxRetriesPerRequest, null);
      assert.notEqual(options.enableOfflineQueue, false);
    });

    for (const purpose of ['client', 'worker'] as const) {
      it(`connects a ${purpose} to the real Redis`, async () => {
        const redis = createRedis(redisUrlFromEnv(), purpose);
        try {
          assert.equal(await redis.ping(), 'PONG');
          assert.equal(redis.options.maxRetriesPerRequest === null, purpose === 'worker');
          assert.equal(await redis.client('GETNAME'), `deploybot-${purpose}`);
        } finally {
          await redis.quit();
        }
      });
    }
  });
});
