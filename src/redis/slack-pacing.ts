import type { Redis } from 'ioredis';
import type { UpdateGate } from '../slack/update-coalescer';

/**
 * The shared "may this release's message be edited now?" gate: a key that lives
 * for the update interval. Whoever sets it edits; everyone else learns how long
 * to wait. Shared through Redis, it holds across the web process and workers.
 */
export function redisUpdateGate(redis: Redis, prefix: string): UpdateGate {
  return async (releaseId, intervalMs) => {
    const key = `${prefix}:slack-update:${releaseId}`;
    const set = await redis.set(key, '1', 'PX', intervalMs, 'NX');
    if (set === 'OK') return 0;
    const left = await redis.pttl(key);
    return left > 0 ? left : 1;
  };
}

/**
 * True only for the first delivery of a Slack request: Slack retries a request
 * it thinks went unanswered (`X-Slack-Retry-Num`), and a retry must never start
 * a second release. The key is the request's own id (trigger_id), kept a day.
 */
export async function isFirstDelivery(redis: Redis, prefix: string, requestId: string): Promise<boolean> {
  const set = await redis.set(`${prefix}:slack-delivery:${requestId}`, '1', 'EX', 86_400, 'NX');
  return set === 'OK';
}
