import type { Redis } from 'ioredis';
import type { Clock } from '../ports/clock';
import type {
  AcquireOptions,
  AcquireResult,
  LockHolder,
  LockScope,
  LockScopeResolver,
  LockService,
} from '../ports/lock';
import { redisKeys, type RedisKeys } from './keys';
import { LuaScript, stringReply } from './lua-script';

/**
 * Acquire must look at two keys (manual lock, release lock), compare an owner
 * and then write; as separate commands two callers could both see "free" and
 * both write. As one script exactly one of them gets the lock.
 *
 * The same owner re-acquiring keeps its original acquiredAt. Timestamps are
 * integers below 1e14, which cjson encodes exactly.
 *
 * KEYS: release lock, manual lock. ARGV: owner, ttlMs, new lock json, expiresAt,
 * '1' to acquire over a manual lock (which stays).
 */
const ACQUIRE = new LuaScript(`
local manual = redis.call('GET', KEYS[2])
if manual and ARGV[5] ~= '1' then
  return {'manual', manual}
end
local current = redis.call('GET', KEYS[1])
if current then
  local lock = cjson.decode(current)
  if lock.owner ~= ARGV[1] then
    return {'release', current}
  end
  lock.expiresAt = tonumber(ARGV[4])
  redis.call('SET', KEYS[1], cjson.encode(lock), 'PX', ARGV[2])
  return {'extended'}
end
redis.call('SET', KEYS[1], ARGV[3], 'NX', 'PX', ARGV[2])
return {'acquired'}
`);

/**
 * The handoff from a release to the rollback that replaces it. Released and
 * re-acquired as two commands, the lock would be free for an instant in which
 * another `/deploy` could take it and leave the rollback locked out; as one
 * script there is no such instant. The manual lock is not read: a rollback
 * runs over it (and it stays).
 *
 * KEYS: release lock. ARGV: from, to, ttlMs, new lock json, expiresAt.
 */
const HAND_OVER = new LuaScript(`
local current = redis.call('GET', KEYS[1])
if current then
  local lock = cjson.decode(current)
  if lock.owner == ARGV[2] then
    lock.expiresAt = tonumber(ARGV[5])
    redis.call('SET', KEYS[1], cjson.encode(lock), 'PX', ARGV[3])
    return {'extended'}
  end
  if lock.owner ~= ARGV[1] then
    return {'release', current}
  end
end
redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[3])
return {'handed_over'}
`);

/**
 * Extends the lock only while the caller still owns it: checking then writing
 * in two commands could extend a lock that expired and went to someone else.
 * A manual lock does not stop a heartbeat: the running release may finish.
 *
 * KEYS: release lock. ARGV: owner, ttlMs, expiresAt.
 */
const HEARTBEAT = new LuaScript(`
local current = redis.call('GET', KEYS[1])
if not current then
  return {'lost'}
end
local lock = cjson.decode(current)
if lock.owner ~= ARGV[1] then
  return {'lost'}
end
lock.expiresAt = tonumber(ARGV[3])
redis.call('SET', KEYS[1], cjson.encode(lock), 'PX', ARGV[2])
return {'extended'}
`);

/**
 * Deletes the lock only if the caller owns it, for the same reason as HEARTBEAT.
 *
 * KEYS: release lock. ARGV: owner.
 */
const RELEASE = new LuaScript(`
local current = redis.call('GET', KEYS[1])
if current and cjson.decode(current).owner == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return {'released'}
end
return {'not_held'}
`);

/**
 * Locks as JSON strings. Release locks expire through Redis' own PX timer, so a
 * crashed worker's lock goes away without anyone sweeping; the clock only fills
 * in acquiredAt/expiresAt for people to read.
 *
 * Every operation first maps its scope through `lockScopeOf`: the scopes of one
 * lock group all land on the group's keys, release lock and manual lock alike.
 */
export class RedisLockService implements LockService {
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly clock: Clock,
    private readonly lockScopeOf: LockScopeResolver = (scope) => scope,
  ) {
    this.keys = redisKeys(prefix);
  }

  private releaseKey(scope: LockScope): string {
    return this.keys.lock(this.lockScopeOf(scope));
  }

  private manualKey(scope: LockScope): string {
    return this.keys.manualLock(this.lockScopeOf(scope));
  }

  async acquire(
    scope: LockScope,
    owner: string,
    ttlMs: number,
    options: AcquireOptions = {},
  ): Promise<AcquireResult> {
    checkTtl(ttlMs);
    const acquiredAt = this.clock.now();
    const expiresAt = acquiredAt + ttlMs;
    const lock: ReleaseLockJson = { owner, acquiredAt, expiresAt };
    const [status, holderJson] = stringReply(
      await ACQUIRE.run(
        this.redis,
        [this.releaseKey(scope), this.manualKey(scope)],
        [owner, ttlMs, JSON.stringify(lock), expiresAt, options.overManualLock ? '1' : '0'],
      ),
    );
    if (status === 'acquired' || status === 'extended') return { acquired: true };
    if (status === 'manual' && holderJson !== undefined) {
      return { acquired: false, holder: manualHolder(holderJson) };
    }
    if (status === 'release' && holderJson !== undefined) {
      return { acquired: false, holder: releaseHolder(holderJson) };
    }
    throw new Error(`unexpected acquire reply: ${status}`);
  }

  async handOver(scope: LockScope, from: string, to: string, ttlMs: number): Promise<AcquireResult> {
    checkTtl(ttlMs);
    const acquiredAt = this.clock.now();
    const expiresAt = acquiredAt + ttlMs;
    const lock: ReleaseLockJson = { owner: to, acquiredAt, expiresAt };
    const [status, holderJson] = stringReply(
      await HAND_OVER.run(
        this.redis,
        [this.releaseKey(scope)],
        [from, to, ttlMs, JSON.stringify(lock), expiresAt],
      ),
    );
    if (status === 'handed_over' || status === 'extended') return { acquired: true };
    if (status === 'release' && holderJson !== undefined) {
      return { acquired: false, holder: releaseHolder(holderJson) };
    }
    throw new Error(`unexpected handOver reply: ${status}`);
  }

  async heartbeat(scope: LockScope, owner: string, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    const expiresAt = this.clock.now() + ttlMs;
    const [status] = stringReply(
      await HEARTBEAT.run(this.redis, [this.releaseKey(scope)], [owner, ttlMs, expiresAt]),
    );
    return status === 'extended';
  }

  async release(scope: LockScope, owner: string): Promise<boolean> {
    const [status] = stringReply(await RELEASE.run(this.redis, [this.releaseKey(scope)], [owner]));
    return status === 'released';
  }

  async holder(scope: LockScope): Promise<LockHolder | undefined> {
    const [manual, release] = await this.redis.mget(this.manualKey(scope), this.releaseKey(scope));
    if (manual != null) return manualHolder(manual);
    if (release != null) return releaseHolder(release);
    return undefined;
  }

  /** A second manual lock replaces the first (latest reason wins); it never expires. */
  async lockManually(scope: LockScope, by: string, reason: string, at: number): Promise<void> {
    const lock: ManualLockJson = { by, reason, at };
    await this.redis.set(this.manualKey(scope), JSON.stringify(lock));
  }

  async unlockManually(scope: LockScope): Promise<LockHolder | undefined> {
    // GETDEL: read and remove in one command, so two unlockers cannot both report it.
    const json = await this.redis.getdel(this.manualKey(scope));
    return json === null ? undefined : manualHolder(json);
  }
}

interface ReleaseLockJson {
  owner: string;
  acquiredAt: number;
  expiresAt: number;
}

interface ManualLockJson {
  by: string;
  reason: string;
  at: number;
}

function releaseHolder(json: string): LockHolder {
  const { owner, acquiredAt, expiresAt } = JSON.parse(json) as ReleaseLockJson;
  return { kind: 'release', owner, acquiredAt, expiresAt };
}

function manualHolder(json: string): LockHolder {
  const { by, reason, at } = JSON.parse(json) as ManualLockJson;
  return { kind: 'manual', by, reason, at };
}

/** PX takes a positive whole number of milliseconds; anything else is a bug in the caller. */
function checkTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`lock ttl must be a positive whole number of milliseconds, got ${ttlMs}`);
  }
}
