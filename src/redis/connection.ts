import { orWhenLate } from '../deadline';
import { Redis, type RedisOptions } from 'ioredis';
import { StoreUnreachableError } from './store-outage';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export type RedisPurpose = 'client' | 'worker' | 'producer';

/** A producer command slower than this counts as Redis being away: Slack's 3 s must hold. */
export const PRODUCER_COMMAND_TIMEOUT_MS = 1000;

/**
 * Producer and worker connections retry forever, at most a second apart, so
 * each is back within a second of Redis (ioredis' default grows to 5 s). For a
 * worker it matters twice: a BullMQ Worker closed while its blocking connection waits between
 * two attempts waits forever (ioredis' disconnect() clears the pending retry
 * and never emits 'end', which BullMQ's disconnectBlocking awaits): the shorter
 * the pauses, the smaller that window after an outage.
 */
const MAX_RECONNECT_DELAY_MS = 1000;

function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 10), MAX_RECONNECT_DELAY_MS);
}

/**
 * Options per purpose.
 * - worker: BullMQ workers block on Redis and require `maxRetriesPerRequest: null`
 *   (commands wait for a reconnect forever instead of failing the job loop), so a
 *   release rides out an outage and resumes by itself.
 * - client: the workers' store, locks and audit log. A finite retry count
 *   (ioredis' default) with the offline queue on: steps wait through a short
 *   outage rather than fail.
 * - producer: everything a person waits on (Slack handlers, the queues they
 *   enqueue to, the CLI). It fails fast instead of waiting:
 *   - `enableOfflineQueue: false`: while not connected a command is refused at
 *     once ("Stream isn't writeable…"), including before the first connect, so
 *     callers wait for 'ready' first (whenReady) where that matters;
 *   - `commandTimeout`: a Redis that holds the socket open but does not answer
 *     (stopped, swapping) fails the command after a second;
 *   - `maxRetriesPerRequest: 0` and no resend: a command in flight when the
 *     connection drops is failed, never sent again after the reconnect — its
 *     caller has already been told that nothing happened;
 *   - it reconnects forever in the background, at most a second apart.
 *   BullMQ 6.7 accepts such a connection for a Queue: RedisConnection only
 *   checks (and warns about or refuses) `maxRetriesPerRequest` when the
 *   connection is blocking, i.e. a Worker's, and a Queue is not; it does wait
 *   for 'ready' before its first command (waitUntilReady) and then runs its
 *   commands on our instance with our options (node_modules/bullmq/dist/cjs/
 *   classes/redis-connection.js: checkBlockingOptions, init).
 */
export function redisOptionsFor(purpose: RedisPurpose): RedisOptions {
  const connectionName = `deploybot-${purpose}`;
  switch (purpose) {
    case 'worker':
      return { connectionName, maxRetriesPerRequest: null, retryStrategy: reconnectDelay };
    case 'client':
      // ioredis' own backoff: with its 20 retries a command waits through more than a minute of outage.
      return { connectionName };
    case 'producer':
      return {
        connectionName,
        enableOfflineQueue: false,
        commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
        connectTimeout: 2000,
        retryStrategy: reconnectDelay,
      };
  }
}

export function createRedis(url: string, purpose: RedisPurpose): Redis {
  return new Redis(url, redisOptionsFor(purpose));
}

/**
 * Resolves once the connection is ready; rejects with StoreUnreachableError
 * after `timeoutMs` (or when the connection ends). A producer refuses commands
 * until then, so a caller that can wait a moment waits here.
 */
export function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let lastError: unknown;
    const onError = (error: unknown) => (lastError = error);
    const finish = (error?: unknown) => {
      clearTimeout(timer);
      redis.off('ready', onReady).off('error', onError).off('end', onEnd);
      if (error === undefined) resolve();
      else reject(new StoreUnreachableError({ cause: error }));
    };
    const onReady = () => finish();
    const onEnd = () => finish(lastError ?? new Error('Connection is closed.'));
    const timer = setTimeout(
      () => finish(lastError ?? new Error(`Redis was not ready within ${timeoutMs} ms`)),
      timeoutMs,
    );
    redis.on('ready', onReady).on('error', onError).on('end', onEnd);
  });
}

/**
 * Whether the connection answers PING: false at once while it is not connected
 * (it would refuse or queue the command), false when the command fails. The
 * caller bounds how long it waits (/readyz does, with its own deadline).
 */
export async function answersPing(redis: Redis): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  return redis.ping().then(
    (reply) => reply === 'PONG',
    () => false,
  );
}

/**
 * Closes a connection without waiting on an absent Redis: QUIT when it is
 * connected (it may still be refused or time out), then a plain disconnect,
 * which also stops the background reconnects.
 */
export async function closeRedis(redis: Redis, timeoutMs = 1000): Promise<void> {
  if (redis.status === 'ready') {
    await orWhenLate(
      redis.quit().then(
        () => undefined,
        () => undefined,
      ),
      timeoutMs,
      () => undefined,
    );
  }
  if (redis.status !== 'end') redis.disconnect();
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
