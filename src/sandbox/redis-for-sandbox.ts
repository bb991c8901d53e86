import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { createServer } from 'node:net';
import { closeRedis, createRedis } from '../redis/connection';

/**
 * Redis for the sandbox: the one the machine runs on 127.0.0.1:6379 when it
 * answers, else a private `redis-server` that keeps nothing on disk. Without
 * either, the sandbox cannot run and says how to get one.
 */
export interface SandboxRedis {
  url: string;
  /** Set when the sandbox started its own server; stop() ends it. */
  stop(): Promise<void>;
}

export async function redisAnswers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function redisForSandbox(env: NodeJS.ProcessEnv = process.env): Promise<SandboxRedis> {
  if (env.REDIS_URL) return { url: env.REDIS_URL, stop: async () => undefined };
  if (await redisAnswers(6379)) return { url: 'redis://127.0.0.1:6379', stop: async () => undefined };
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (found.error || found.status !== 0) {
    throw new Error(
      'no Redis answers on 127.0.0.1:6379 and there is no redis-server to start: install one (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis) or set REDIS_URL',
    );
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 50 && !(await redisAnswers(port)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await redisAnswers(port))) {
    child.kill();
    throw new Error(`started redis-server on port ${port}, but it does not answer`);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Removes what one sandbox run wrote: every key under `prefix:` and nothing
 * else, so a Redis shared with other sandboxes, tests or a real deploybot
 * keeps theirs. SCAN, never KEYS, so a busy Redis is not blocked. Returns how
 * many keys it deleted. Call it after the workers are closed, or they write again.
 */
export async function deleteSandboxKeys(url: string, prefix: string): Promise<number> {
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new Error(`refusing to delete keys of prefix "${prefix}"`);
  const redis = createRedis(url, 'client');
  try {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) deleted += await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    return deleted;
  } finally {
    await closeRedis(redis);
  }
}
