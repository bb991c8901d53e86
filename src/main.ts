import type { Server } from 'node:http';
import { createAwsPorts } from './aws/ports';
import { configPathFromEnv, loadConfig } from './config/load';
import type { Config } from './config/schema';
import { ConfigError } from './domain/errors';
import { createEngine } from './engine/engine';
import { LogChat } from './engine/log-chat';
import { Metrics } from './http/metrics';
import { createOpsServer, opsRoutes } from './http/ops-server';
import { createLogger, type Logger } from './logging/logger';
import { systemClock } from './ports/clock';
import { createRedis, redactRedisUrl, redisUrlFromEnv } from './redis/connection';
import { RedisReleaseStore } from './redis/release-store';
import { redisUpdateGate } from './redis/slack-pacing';
import { createSlackApp, slackSecretsFromEnv } from './slack/app';
import { Authorizer } from './slack/authorizer';
import { ChannelPacer } from './slack/channel-pacer';
import { ReleaseNotesSource } from './slack/release-notes-source';
import { SlackChat } from './slack/slack-chat';
import { UsergroupDirectory } from './slack/usergroups';
import { WebClient } from '@slack/web-api';

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
  const prefix = env.DEPLOYBOT_REDIS_PREFIX || 'deploybot';
  const redis = createRedis(redisUrl, 'client');
  const workerRedis = createRedis(redisUrl, 'worker');
  const metrics = new Metrics();
  const slack = slackSecretsFromEnv(env);
  const slackChat = slack
    ? new SlackChat({
        client: new WebClient(slack.botToken, {
          ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
          rejectRateLimitedCalls: false,
        }),
        store: new RedisReleaseStore(redis, prefix),
        config,
        clock: systemClock,
        logger,
        pacer: new ChannelPacer(),
        gate: redisUpdateGate(redis, prefix),
        notes: new ReleaseNotesSource(config),
      })
    : undefined;
  const engine = createEngine({
    config,
    redis,
    workerRedis,
    prefix,
    aws: createAwsPorts(),
    chat: slackChat ?? new LogChat(logger),
    clock: systemClock,
    logger,
    worker: role !== 'web',
    metrics,
  });
  const ops = { metrics, ready: async () => (await redis.ping()) === 'PONG' };
  const port = Number(env.PORT || 3000);
  let server: Server;
  let stopSlack = async () => undefined as void;
  if (slack && role !== 'worker') {
    const authorizer = new Authorizer(
      new UsergroupDirectory(
        new WebClient(slack.botToken, slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
        () => Date.now(),
      ),
      engine.audit,
      systemClock,
    );
    const app = createSlackApp(
      slack,
      { config, engine, authorizer, redis, prefix, clock: systemClock, logger },
      opsRoutes(ops),
      logger,
    );
    server = (await app.start(port)) as Server;
    stopSlack = () => app.stop() as Promise<void>;
  } else {
    server = createOpsServer(ops);
    await new Promise<void>((resolve) => server.listen(port, resolve));
  }
  logger.info(
    {
      role,
      port: (server.address() as { port?: number } | null)?.port ?? port,
      slack: slack ? (slack.appToken ? 'socket-mode' : 'http') : 'off (logging chat)',
      redis: redactRedisUrl(redisUrl),
      apps: Object.keys(config.apps),
    },
    'deploybot started',
  );

  return {
    server,
    async stop() {
      // Stop taking new work, let running step jobs finish, then drop connections.
      if (slack && role !== 'worker') await stopSlack();
      else await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.close();
      slackChat?.close();
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
    slackSecretsFromEnv(process.env);
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
