import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LuaScript } from './lua-script';

/**
 * A budget of requests per second shared by every process on one Redis: a
 * sliding one-second window of grants. CloudWatch Logs allows about 5 requests
 * a second (FilterLogEvents, Insights queries) per account and region, and a throttled account
 * hurts every team in it, so deploybot spends under that however many apps it
 * watches: a caller over budget waits for the next free slot instead of sending.
 *
 * The window is measured on Redis' own clock (TIME inside the script), never
 * a caller's: two processes whose clocks disagree by seconds would otherwise
 * each see the other's grants as long past, or not yet made, and together
 * overspend. Scripts may call TIME since Redis 5 (effects replication).
 *
 * KEYS: the window. ARGV: limit, member. Replies {wait ms (0 = granted), now ms}.
 */
const TAKE = new LuaScript(`
local key, limit, member = KEYS[1], tonumber(ARGV[1]), ARGV[2]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - 1000)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, 2000)
  return {'0', tostring(now)}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {tostring(math.max(1, math.ceil(tonumber(oldest[2]) + 1000 - now))), tostring(now)}
`);

export class RequestBudget {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly perSecond: number,
  ) {}

  /** Resolves once a request may be sent; never grants more than `perSecond` in any second. */
  async take(): Promise<void> {
    await this.grant();
  }

  /** As take, resolving with the time of the grant on Redis' clock (ms): what the window counts. */
  async grant(): Promise<number> {
    for (;;) {
      const member = randomBytes(8).toString('hex');
      const [wait, now] = numbers(await TAKE.run(this.redis, [this.key], [this.perSecond, member]));
      if (wait <= 0) return now;
      await new Promise((resolve) => setTimeout(resolve, wait + Math.floor(Math.random() * 20)));
    }
  }
}

function numbers(reply: unknown): [number, number] {
  if (!Array.isArray(reply) || reply.length !== 2) {
    throw new Error(`unexpected budget reply: ${JSON.stringify(reply)}`);
  }
  const [wait, now] = reply.map(Number) as [number, number];
  if (Number.isNaN(wait) || Number.isNaN(now)) {
    throw new Error(`unexpected budget reply: ${JSON.stringify(reply)}`);
  }
  return [wait, now];
}
