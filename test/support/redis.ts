import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedis, redisUrlFromEnv } from '../../src/redis/connection';

/**
 * Helpers for tests against the real Redis (REDIS_URL, else 127.0.0.1:6379).
 * Each test writes under its own fresh prefix and removes it afterwards, so
 * tests can run in parallel and leave nothing behind.
 */

/** A key prefix no other test uses, e.g. `test-3f9a0c1b2d4e`. */
export function freshPrefix(): string {
  return `test-${randomBytes(6).toString('hex')}`;
}

/** A new 'client' connection to the test Redis; the caller quits it. */
export function connectTestRedis(): Redis {
  return createRedis(redisUrlFromEnv(), 'client');
}

/** Deletes every key that starts with `prefix` (SCAN, never KEYS, so a shared Redis is not blocked). */
export async function cleanup(redis: Redis, prefix: string): Promise<void> {
  const pattern = `${escapeGlob(prefix)}*`;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
