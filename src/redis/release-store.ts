import type { Redis } from 'ioredis';
import { DeploybotError, StaleWriteError } from '../domain/errors';
import { isFinished, type Release } from '../domain/release';
import type { ReleaseStore } from '../ports/release-store';
import { redisKeys, type RedisKeys } from './keys';
import { LuaScript, stringReply } from './lua-script';

const DEFAULT_HISTORY_LIMIT = 20;
const DEFAULT_BATCH_SIZE = 100;

/**
 * create = "refuse if it exists, else write the release and index it". MULTI
 * cannot branch on a read, and SET NX inside MULTI would still index a refused
 * release, so the check and the writes run as one script.
 *
 * KEYS: release, history, active set. ARGV: json, createdAt, id, '1' when active.
 */
const CREATE = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {'exists'}
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
if ARGV[4] == '1' then
  redis.call('SADD', KEYS[3], ARGV[3])
end
return {'created'}
`);

/**
 * save = compare-and-set on the revision inside the stored JSON. Doing the
 * comparison in Lua makes "read revision, compare, write" one step, so of many
 * writers holding the same revision exactly one wins.
 *
 * The new JSON (revision already bumped) is built in TypeScript: re-encoding in
 * Lua with cjson would turn empty arrays into `{}` and round numbers to 14 digits.
 *
 * The index of active releases changes in the same script, so it never
 * disagrees with the stored state: the reconciler reads it to find every
 * release that something must keep moving.
 *
 * KEYS: release, active set. ARGV: expected revision, new json, id, '1' when active.
 */
const SAVE = new LuaScript(`
local stored = redis.call('GET', KEYS[1])
if not stored then
  return {'missing'}
end
local actual = tonumber(cjson.decode(stored).revision)
if actual ~= tonumber(ARGV[1]) then
  return {'stale', tostring(actual)}
end
redis.call('SET', KEYS[1], ARGV[2])
if ARGV[4] == '1' then
  redis.call('SADD', KEYS[2], ARGV[3])
else
  redis.call('SREM', KEYS[2], ARGV[3])
end
return {'saved'}
`);

export interface RedisReleaseStoreOptions {
  /** How many history entries to read per round trip when filtering by environment. */
  batchSize?: number;
}

/**
 * Releases as JSON strings, plus one sorted set per app (scored by createdAt)
 * for history. id, app and createdAt never change after create, so save only
 * rewrites the JSON and leaves the history index alone.
 */
export class RedisReleaseStore implements ReleaseStore {
  private readonly keys: RedisKeys;
  private readonly batchSize: number;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    options: RedisReleaseStoreOptions = {},
  ) {
    this.keys = redisKeys(prefix);
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  }

  async create(release: Release): Promise<void> {
    const [status] = stringReply(
      await CREATE.run(
        this.redis,
        [this.keys.release(release.id), this.keys.history(release.app), this.keys.activeReleases()],
        [JSON.stringify(release), release.createdAt, release.id, activeFlag(release)],
      ),
    );
    if (status === 'exists') {
      throw new DeploybotError('release_exists', `release ${release.id} already exists`);
    }
  }

  async get(id: string): Promise<Release | undefined> {
    const json = await this.redis.get(this.keys.release(id));
    return json === null ? undefined : parseRelease(json);
  }

  async save(release: Release): Promise<Release> {
    const json = JSON.stringify({ ...release, revision: release.revision + 1 });
    const [status, actual] = stringReply(
      await SAVE.run(
        this.redis,
        [this.keys.release(release.id), this.keys.activeReleases()],
        [release.revision, json, release.id, activeFlag(release)],
      ),
    );
    if (status === 'missing') throw new StaleWriteError(release.id, release.revision, undefined);
    if (status === 'stale') {
      const revision = Number(actual);
      throw new StaleWriteError(release.id, release.revision, Number.isNaN(revision) ? undefined : revision);
    }
    // Parse what we stored rather than returning the argument: the caller gets
    // exactly the stored copy and no object shared with its stale one.
    return parseRelease(json);
  }

  async activeIds(): Promise<string[]> {
    return (await this.redis.smembers(this.keys.activeReleases())).sort();
  }

  /** Drops an id from the active index whose release no longer exists (removed by hand, say). */
  async forgetActive(id: string): Promise<void> {
    if ((await this.redis.exists(this.keys.release(id))) === 0) {
      await this.redis.srem(this.keys.activeReleases(), id);
    }
  }

  async history(app: string, options: { environment?: string; limit?: number } = {}): Promise<Release[]> {
    const limit = options.limit ?? DEFAULT_HISTORY_LIMIT;
    const { environment } = options;
    if (limit <= 0) return [];
    // Unfiltered, the first `limit` ids are the answer; filtered, we read on in
    // batches until enough match or the index runs out.
    const batchSize = environment === undefined ? limit : Math.max(limit, this.batchSize);
    const key = this.keys.history(app);
    const found: Release[] = [];
    // A release created while we page shifts older ids down by one, so an id
    // can show up twice (never be skipped): remember what we have seen.
    const seen = new Set<string>();

    for (let start = 0; found.length < limit; start += batchSize) {
      const ids = await this.redis.zrevrange(key, start, start + batchSize - 1);
      if (ids.length === 0) break;
      const jsons = await this.redis.mget(...ids.map((id) => this.keys.release(id)));
      for (const json of jsons) {
        if (json === null) continue;
        const release = parseRelease(json);
        if (seen.has(release.id)) continue;
        seen.add(release.id);
        if (environment !== undefined && release.environment !== environment) continue;
        found.push(release);
        if (found.length === limit) break;
      }
      if (ids.length < batchSize) break;
    }
    return found;
  }
}

/** Running or awaiting Start: a release something must keep moving (or expire). */
function activeFlag(release: Release): '1' | '0' {
  return isFinished(release) ? '0' : '1';
}

function parseRelease(json: string): Release {
  // Only this class writes these keys, always from a Release.
  return JSON.parse(json) as Release;
}
