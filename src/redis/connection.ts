import { Redis, type RedisOptions } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export type RedisPurpose = 'client' | 'worker';

/**
 * Options per purpose.
 * - worker: BullMQ workers block on Redis and require `maxRetriesPerRequest: null`
 *   (commands wait for a reconnect forever instead of failing the job loop).
 * - client: everything else (stores, locks, the Slack app). A finite retry count
 *   (ioredis' default) makes a Redis outage surface as an error to the person
 *   who typed the command instead of a hang; the offline queue stays on so
 *   commands issued while (re)connecting still go through.
 */
export function redisOptionsFor(purpose: RedisPurpose): RedisOptions {
  const connectionName = `deploybot-${purpose}`;
  return purpose === 'worker' ? { connectionName, maxRetriesPerRequest: null } : { connectionName };
}

export function createRedis(url: string, purpose: RedisPurpose): Redis {
  return new Redis(url, redisOptionsFor(purpose));
}

export function redisUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.REDIS_URL?.trim();
  return url ? url : DEFAULT_REDIS_URL;
}

const HIDDEN = '***';

/**
 * The URL with its password replaced, for logs and error messages. Handles the
 * password in the userinfo (`redis://user:pw@host`, `redis://:pw@host`) and in the
 * query (`?password=pw`, which ioredis also accepts). Text that does not parse as
 * a URL is masked by pattern rather than returned as is.
 */
export function redactRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/(\/\/[^/@]*?:)[^/@]*@/, `$1${HIDDEN}@`).replace(/(password=)[^&#]*/gi, `$1${HIDDEN}`);
  }
  if (parsed.password) parsed.password = HIDDEN;
  for (const key of [...parsed.searchParams.keys()]) {
    if (key.toLowerCase() === 'password') parsed.searchParams.set(key, HIDDEN);
  }
  return parsed.toString();
}
