import type { Redis } from 'ioredis';
import type { LeaseTake, RunLeases } from '../ports/run-lease';
import { redisKeys, type RedisKeys } from './keys';
import { LuaScript, stringReply } from './lua-script';

/**
 * Take = "free or mine, then (re)set with a fresh expiry". As GET and SET in
 * two commands, two runs could both see the lease free and both go on.
 *
 * KEYS: lease. ARGV: owner, ttlMs.
 */
const TAKE = new LuaScript(`
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[1] then
  return {'held', current, tostring(redis.call('PTTL', KEYS[1]))}
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {'taken'}
`);

/**
 * Confirm = "still mine, then extend". A missing key is not re-taken: the run
 * that let it lapse may have been overtaken and finished by another one.
 *
 * KEYS: lease. ARGV: owner, ttlMs.
 */
const CONFIRM = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return {'lost'}
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {'held'}
`);

/** KEYS: lease. ARGV: owner. */
const GIVE = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
return {'given'}
`);

/** Run leases as plain strings (the owner token) with a PX expiry. */
export class RedisRunLeases implements RunLeases {
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = redisKeys(prefix);
  }

  async take(releaseId: string, owner: string, ttlMs: number): Promise<LeaseTake> {
    checkTtl(ttlMs);
    const [status, holder, pttl] = stringReply(
      await TAKE.run(this.redis, [this.keys.runLease(releaseId)], [owner, ttlMs]),
    );
    if (status === 'taken') return { taken: true };
    // PTTL is -1 only for a key without expiry, which this class never writes; wait a full ttl then.
    const left = Number(pttl);
    return { taken: false, holder: holder ?? '', retryInMs: left > 0 ? left : ttlMs };
  }

  async confirm(releaseId: string, owner: string, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    const [status] = stringReply(
      await CONFIRM.run(this.redis, [this.keys.runLease(releaseId)], [owner, ttlMs]),
    );
    return status === 'held';
  }

  async give(releaseId: string, owner: string): Promise<void> {
    await GIVE.run(this.redis, [this.keys.runLease(releaseId)], [owner]);
  }
}

function checkTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`run lease ttl must be a positive whole number of milliseconds, got ${ttlMs}`);
  }
}
