import type { Server } from 'node:http';
import { createAwsPorts } from './aws/ports';
import { configPathFromEnv, loadConfig } from './config/load';
import type { Config } from './config/schema';
import { ConfigError } from './domain/errors';
import { createEngine } from './engine/engine';
import { LogChat } from './engine/log-chat';
import { Metrics } from './http/metrics';
import { createOpsServer } from './http/ops-server';
import { createLogger, type Logger } from './logging/logger';
import { systemClock } from './ports/clock';
import { createRedis, redactRedisUrl, redisUrlFromEnv } from './redis/connection';

/**
 * Composition root: the only place that picks adapters. `npm start` runs the
 * web side and the step workers in one process; DEPLOYBOT_ROLE=web|worker
 * splits them so that several machines can share one Redis.
 */
export type Role = 'web' | 'worker' | 'all';

export function parseRole(text: string | undefined): Role {
  const role = text?.trim() || 'all';
  if (role === 'web' || role === 'worker' || role === 'all') return role;
  throw new ConfigError(`DEPLOYBOT_ROLE must be web, worker or all, not "${role}"`);
}

export interface Running {
  server: Server;
  stop(): Promise<void>;
}

export async function start(config: Config, role: Role, logger: Logger, env = process.env): Promise<Running> {
  const redisUrl = redisUrlFromEnv(env);
  const redis = createRedis(redisUrl, 'client');
  const workerRedis = createRedis(redisUrl, 'worker');
  const metrics = new Metrics();
  const engine = createEngine({
    config,
    redis,
    workerRedis,
    prefix: env.DEPLOYBOT_REDIS_PREFIX || 'deploybot',
    aws: createAwsPorts(),
    chat: new LogChat(logger),
    clock: systemClock,
    logger,
    worker: role !== 'web',
    metrics,
  });
  const server = createOpsServer({ metrics, ready: async () => (await redis.ping()) === 'PONG' });
  const port = Number(env.PORT || 3000);
  await new Promise<void>((resolve) => server.listen(port, resolve));
  logger.info(
    { role, port, redis: redactRedisUrl(redisUrl), apps: Object.keys(config.apps) },
    'deploybot started',
  );

  return {
    server,
    async stop() {
      // Stop taking new work, let running step jobs finish, then drop connections.
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.close();
      await Promise.allSettled([redis.quit(), workerRedis.quit()]);
    },
  };
}

async function main(): Promise<void> {
  const logger = createLogger();
  let config: Config;
  let role: Role;
  try {
    config = loadConfig(configPathFromEnv());
    role = parseRole(process.env.DEPLOYBOT_ROLE);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`deploybot: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const running = await start(config, role, logger);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing running steps');
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`deploybot: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
