import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LuaScript } from './lua-script';

/**
 * A budget of requests per second shared by every process on one Redis: a
 * sliding one-second window of grants. CloudWatch Logs allows about 5 requests
 * a second (FilterLogEvents, Insights queries) per account and region, and a throttled account
 * hurts every team in it, so deploybot spends under that however many apps it
 * watches: a caller over budget waits for the next free slot instead of sending.
 */
const TAKE = new LuaScript(`
local key, now, limit, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - 1000)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, 2000)
  return 0
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + 1000 - now)
`);

export class RequestBudget {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly perSecond: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Resolves once a request may be sent; never grants more than `perSecond` in any second. */
  async take(): Promise<void> {
    for (;;) {
      const member = `${this.now()}-${randomBytes(4).toString('hex')}`;
      const wait = Number(await TAKE.run(this.redis, [this.key], [this.now(), this.perSecond, member]));
      if (wait <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait + Math.floor(Math.random() * 20)));
    }
  }
}
