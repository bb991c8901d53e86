import type { Redis } from 'ioredis';
import { DeploybotError, StaleWriteError } from '../domain/errors';
import { summarize, type ReleaseSummary } from '../domain/dora/release-summary';
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
 * KEYS: release, history, active set, summaries. ARGV: json, createdAt, id, '1'
 * when active, summary json.
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
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[5])
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
 * The release's DORA summary is replaced in the same script, so the figures
 * never read a summary older than the release. Its members are the summaries'
 * JSON, which changes with the release; the old one is found among the few
 * members with the same createdAt by its `{"id":"<id>",` prefix (summarize
 * writes the id first).
 *
 * KEYS: release, active set, summaries. ARGV: expected revision, new json, id,
 * '1' when active, summary json, createdAt, summary prefix.
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
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], ARGV[6], ARGV[6])) do
  if member ~= ARGV[5] and string.sub(member, 1, #ARGV[7]) == ARGV[7] then
    redis.call('ZREM', KEYS[3], member)
  end
end
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[5])
return {'saved'}
`);

/**
 * summaries = the members of an app's summary index in a score range, joined
 * into one JSON array by Redis: one bulk string per app instead of hundreds
 * (a year of a busy app is ~800 members), parsed with a single JSON.parse.
 *
 * KEYS: summaries. ARGV: min score, max score (ZRANGEBYSCORE syntax).
 */
const SUMMARIES = new LuaScript(`
return '[' .. table.concat(redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[2]), ',') .. ']'
`);

/**
 * backfill = SAVE's summary replacement alone, for a release stored before
 * summaries existed: only while the stored revision is still the one the
 * summary was made from, so a save that came in between (and wrote a newer
 * summary) is never overwritten with an older one.
 *
 * KEYS: release, summaries. ARGV: revision summarized, summary json, createdAt, summary prefix.
 */
const BACKFILL = new LuaScript(`
local stored = redis.call('GET', KEYS[1])
if not stored or tonumber(cjson.decode(stored).revision) ~= tonumber(ARGV[1]) then
  return {'moved'}
end
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[3], ARGV[3])) do
  if member ~= ARGV[2] and string.sub(member, 1, #ARGV[4]) == ARGV[4] then
    redis.call('ZREM', KEYS[2], member)
  end
end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
return {'indexed'}
`);

export interface RedisReleaseStoreOptions {
  /** How many history entries to read per round trip when filtering by environment. */
  batchSize?: number;
}

/**
 * Releases as JSON strings, plus two sorted sets per app (scored by createdAt):
 * release ids for history, and each release's DORA summary for the delivery
 * figures. id, app and createdAt never change after create, so save leaves the
 * history index alone and replaces only the release's summary.
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
        [
          this.keys.release(release.id),
          this.keys.history(release.app),
          this.keys.activeReleases(),
          this.keys.releaseSummaries(release.app),
        ],
        [
          JSON.stringify(release),
          release.createdAt,
          release.id,
          activeFlag(release),
          JSON.stringify(summarize(release)),
        ],
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
        [this.keys.release(release.id), this.keys.activeReleases(), this.keys.releaseSummaries(release.app)],
        [
          release.revision,
          json,
          release.id,
          activeFlag(release),
          JSON.stringify(summarize(release)),
          release.createdAt,
          summaryPrefix(release.id),
        ],
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

  /**
   * Writes the summary of every stored release of `app`, for releases saved
   * before summaries existed (run once after upgrading; harmless to repeat).
   * A release saved meanwhile keeps the summary its save wrote. Returns how
   * many summaries were written.
   */
  /**
   * backfillSummaries once per app: after the first complete pass every save
   * writes its own summary, so later start-ups skip the whole-history read.
   */
  async backfillSummariesOnce(app: string): Promise<number> {
    if ((await this.redis.exists(this.keys.summariesBackfilled(app))) === 1) return 0;
    const written = await this.backfillSummaries(app);
    await this.redis.set(this.keys.summariesBackfilled(app), '1');
    return written;
  }

  async backfillSummaries(app: string): Promise<number> {
    const ids = await this.redis.zrange(this.keys.history(app), '0', '-1');
    let written = 0;
    for (let start = 0; start < ids.length; start += this.batchSize) {
      const batch = ids.slice(start, start + this.batchSize);
      const jsons = await this.redis.mget(...batch.map((id) => this.keys.release(id)));
      for (const json of jsons) {
        if (json === null) continue;
        const release = parseRelease(json);
        const [status] = stringReply(
          await BACKFILL.run(
            this.redis,
            [this.keys.release(release.id), this.keys.releaseSummaries(release.app)],
            [
              release.revision,
              JSON.stringify(summarize(release)),
              release.createdAt,
              summaryPrefix(release.id),
            ],
          ),
        );
        if (status === 'indexed') written += 1;
      }
    }
    return written;
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

  /**
   * The DORA summaries of an app's releases created in [fromMs, toMs), oldest
   * first: one script call over small JSON, never the releases themselves.
   */
  async summaries(app: string, fromMs: number, toMs: number): Promise<ReleaseSummary[]> {
    const reply = await SUMMARIES.run(this.redis, [this.keys.releaseSummaries(app)], [fromMs, `(${toMs}`]);
    if (typeof reply !== 'string') throw new Error(`unexpected Lua reply: ${JSON.stringify(reply)}`);
    // Only this class writes these members, always from summarize().
    return JSON.parse(reply) as ReleaseSummary[];
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

/** How a release's summary JSON starts (see summarize): what SAVE finds the old one by. */
function summaryPrefix(id: string): string {
  return `{"id":${JSON.stringify(id)},`;
}

function parseRelease(json: string): Release {
  // Only this class writes these keys, always from a Release.
  return JSON.parse(json) as Release;
}
