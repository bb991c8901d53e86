import type { Redis } from 'ioredis';
import type { ChannelIds, PostSlots } from '../slack/channel-pacer';
import type { UpdateGate } from '../slack/update-coalescer';
import { LuaScript } from './lua-script';

/**
 * How many `chat.update` calls one channel may take, shared by every process.
 * Slack's chat.update is Tier 3 (about 50 a minute); a channel where hundreds
 * of releases run at once would otherwise edit several times a second.
 */
export interface ChannelUpdateBudget {
  /** At most this many edits in any 60 s window, burst included. */
  perMinute: number;
  /** Edits that may go at once after a quiet spell; part of perMinute, not on top of it. */
  burst: number;
}

export const SLACK_UPDATE_BUDGET: ChannelUpdateBudget = { perMinute: 50, burst: 5 };

/**
 * A waiter asks again at least this often: a release whose process stopped
 * asking is forgotten after STALE_WAITER_MS and no longer holds the line.
 */
const MAX_BUDGET_WAIT_MS = 5_000;
const STALE_WAITER_MS = 30_000;

/**
 * Per-release interval first (a release waiting out its own interval does not
 * queue for the channel), then the channel's token bucket, oldest waiter first:
 * a release is granted a token only when there are more tokens than releases
 * waiting ahead of it, so a steady stream of new changes cannot starve an old one.
 * Time is Redis's (TIME), the same for every process.
 * KEYS: interval key, bucket hash (tokens, at, seq), waiting zset (by order of first ask), seen zset (last ask).
 * ARGV: release id, interval ms, refill per ms, burst, stale ms, max wait ms.
 */
const channelGateScript = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local id = ARGV[1]
local interval = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local burst = tonumber(ARGV[4])
local stale = tonumber(ARGV[5])
local maxWait = tonumber(ARGV[6])
local left = redis.call('PTTL', KEYS[1])
if left > 0 then return left end
local gone = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now - stale)
for _, member in ipairs(gone) do redis.call('ZREM', KEYS[3], member) end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - stale)
-- Waiters are ordered by a counter, not by time: two first asks within one millisecond keep their order.
if not redis.call('ZSCORE', KEYS[3], id) then
  redis.call('ZADD', KEYS[3], redis.call('HINCRBY', KEYS[2], 'seq', 1), id)
end
redis.call('ZADD', KEYS[4], now, id)
local tokens = tonumber(redis.call('HGET', KEYS[2], 'tokens') or burst)
local at = tonumber(redis.call('HGET', KEYS[2], 'at') or now)
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local rank = redis.call('ZRANK', KEYS[3], id)
local keep = math.ceil(burst / rate) + stale
if tokens >= rank + 1 then
  redis.call('HSET', KEYS[2], 'tokens', tokens - 1, 'at', now)
  redis.call('PEXPIRE', KEYS[2], keep)
  redis.call('ZREM', KEYS[3], id)
  redis.call('ZREM', KEYS[4], id)
  redis.call('PEXPIRE', KEYS[3], keep)
  redis.call('PEXPIRE', KEYS[4], keep)
  redis.call('SET', KEYS[1], '1', 'PX', interval)
  return 0
end
redis.call('HSET', KEYS[2], 'tokens', tokens, 'at', now)
redis.call('PEXPIRE', KEYS[2], keep)
redis.call('PEXPIRE', KEYS[3], keep)
redis.call('PEXPIRE', KEYS[4], keep)
return math.max(1, math.min(maxWait, math.ceil((rank + 1 - tokens) / rate)))
`);

/**
 * The shared "may this release's message be edited now?" gate: a key that lives
 * for the update interval. Whoever sets it edits; everyone else learns how long
 * to wait. Shared through Redis, it holds across the web process and workers.
 * With a budget, edits to one channel together also stay within it (the channel
 * is normalised to its id through the names learned from Slack's answers).
 */
export function redisUpdateGate(
  redis: Redis,
  prefix: string,
  options: { budget?: ChannelUpdateBudget; channelIds?: ChannelIds } = {},
): UpdateGate {
  const { budget, channelIds } = options;
  return async (releaseId, intervalMs, channel) => {
    const key = `${prefix}:slack-update:${releaseId}`;
    if (budget && channel !== undefined) {
      const id = channelIds ? await channelIds.idOf(channel) : channel;
      const base = `${prefix}:slack-update-budget:${id}`;
      const refillPerMs = (budget.perMinute - budget.burst) / 60_000;
      const wait = await channelGateScript.run(
        redis,
        [key, `${base}:bucket`, `${base}:waiting`, `${base}:seen`],
        [releaseId, intervalMs, refillPerMs, budget.burst, STALE_WAITER_MS, MAX_BUDGET_WAIT_MS],
      );
      return Number(wait);
    }
    const set = await redis.set(key, '1', 'PX', intervalMs, 'NX');
    if (set === 'OK') return 0;
    const left = await redis.pttl(key);
    return left > 0 ? left : 1;
  };
}

/**
 * Reserves the next free post slot of a channel: slots are `spacingMs` apart
 * on Redis's clock, handed out in the order asked, so the web process and the
 * workers together post about once a second per channel. Answers how long to
 * wait for the slot. KEYS: the channel's next free slot. ARGV: spacing ms.
 */
const postSlotScript = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local spacing = tonumber(ARGV[1])
local nextFree = tonumber(redis.call('GET', KEYS[1]) or 0)
local at = math.max(now, nextFree)
redis.call('SET', KEYS[1], at + spacing, 'PX', at + spacing - now + 60000)
return at - now
`);

export function redisPostSlots(redis: Redis, prefix: string): PostSlots {
  return async (channelId, spacingMs) =>
    Number(await postSlotScript.run(redis, [`${prefix}:slack-post-next:${channelId}`], [spacingMs]));
}

/**
 * Channel names learned from Slack's answers (a post to `engineering` answers
 * `C0ENGINEER`), shared through Redis so a process that has only ever seen the
 * id and one that has only posted by name pace the same channel together.
 * Ids (and names never answered) resolve to themselves.
 */
export function redisChannelIds(redis: Redis, prefix: string): ChannelIds {
  const key = `${prefix}:slack-channel-ids`;
  const known = new Map<string, string>();
  return {
    async idOf(channel) {
      const cached = known.get(channel);
      if (cached !== undefined) return cached;
      const id = await redis.hget(key, channel);
      if (id !== null) known.set(channel, id);
      return id ?? channel;
    },
    async learn(channel, id) {
      if (channel === id || known.get(channel) === id) return;
      known.set(channel, id);
      await redis.hset(key, channel, id);
    },
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
