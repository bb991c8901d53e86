import type { Server } from 'node:http';
import { createAwsPorts } from './aws/ports';
import { configPathFromEnv, loadConfig } from './config/load';
import type { Config } from './config/schema';
import { ConfigError } from './domain/errors';
import { createEngine, type Engine } from './engine/engine';
import { LogChat } from './engine/log-chat';
import { Metrics } from './http/metrics';
import { orWhenLate } from './deadline';
import { createOpsServer, opsRoutes } from './http/ops-server';
import { createLogger, type Logger } from './logging/logger';
import { installProcessGuards } from './process-guards';
import { systemClock } from './ports/clock';
import type { ReleaseChat } from './ports/release-chat';
import {
  answersPing,
  closeRedis,
  createRedis,
  redactRedisUrl,
  redisUrlFromEnv,
  whenReady,
  type RedisPurpose,
} from './redis/connection';
import { ConnectionLog } from './redis/connection-log';
import { RedisReleaseStore } from './redis/release-store';
import { redisChannelIds, redisPostSlots, redisUpdateGate, SLACK_UPDATE_BUDGET } from './redis/slack-pacing';
import { createSlackApp, slackSecretsFromEnv } from './slack/app';
import { Authorizer } from './slack/authorizer';
import { ChannelPacer } from './slack/channel-pacer';
import { ReleaseNotesSource } from './slack/release-notes-source';
import { SlackChat } from './slack/slack-chat';
import { UsergroupDirectory } from './slack/usergroups';
import { WebClient } from '@slack/web-api';
import { lockScopeResolver } from './config/lock-groups';
import { activeFreeze } from './domain/schedule/freezes';
import { TeamViewGatherer } from './engine/team-view';
import { RedisLockService } from './redis/lock-service';
import { homeDoraLines } from './slack/home/home-dora';
import { HomePublisher } from './slack/home/home-publisher';
import { refreshingHome } from './slack/home/home-refreshing-chat';
import type { Redis } from 'ioredis';

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
  // Every connection's errors become a few structured lines (no raw ioredis stack traces).
  const connectionLog = new ConnectionLog(logger);
  const connections: Redis[] = [];
  const connect = (purpose: RedisPurpose): Redis => {
    const redis = connectionLog.watch(createRedis(redisUrl, purpose), purpose);
    connections.push(redis);
    return redis;
  };
  const metrics = new Metrics();
  const slack = slackSecretsFromEnv(env);
  const aws = createAwsPorts();
  const slackChats: SlackChat[] = [];
  // One Home publisher per Redis connection: each engine's chat refreshes the
  // Home tabs of recent viewers when a release changes (see home-publisher.ts).
  const homes = new Map<Redis, HomePublisher>();
  // Each chat shows a queued release's place from its own engine's queue, built after the chat.
  const enginesByRedis = new Map<Redis, Engine>();
  const chatOn = (redis: Redis): ReleaseChat => {
    if (!slack) return new LogChat(logger);
    const client = new WebClient(slack.botToken, {
      ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
      rejectRateLimitedCalls: false,
    });
    const store = new RedisReleaseStore(redis, prefix);
    // Slack's limits are per channel and count every process: pace posts and edits through Redis.
    const channelIds = redisChannelIds(redis, prefix);
    const chat = new SlackChat({
      client,
      store,
      config,
      clock: systemClock,
      logger,
      pacer: new ChannelPacer(undefined, undefined, { slots: redisPostSlots(redis, prefix), channelIds }),
      gate: redisUpdateGate(redis, prefix, { budget: SLACK_UPDATE_BUDGET, channelIds }),
      notes: new ReleaseNotesSource(config),
      queueSlotOf: async (release) => enginesByRedis.get(redis)?.releaseQueue.slotOf(release),
    });
    slackChats.push(chat);
    const home = new HomePublisher({
      publish: async (user, view) => {
        await client.views.publish({ user_id: user, view });
      },
      gatherer: new TeamViewGatherer({
        config,
        store,
        locks: new RedisLockService(redis, prefix, systemClock, lockScopeResolver(config)),
        groups: new UsergroupDirectory(client, () => Date.now()),
        clock: systemClock,
        freeze: (target, now) => activeFreeze(target.config.schedule, now),
        dora: () => homeDoraLines(config, store, systemClock),
      }),
      redis,
      prefix,
      clock: systemClock,
      logger,
    });
    homes.set(redis, home);
    return refreshingHome(chat, home);
  };
  const engineOn = (redis: Redis, connection: RedisPurpose, workerRedis?: Redis): Engine => {
    const engine = createEngine({
      config,
      redis,
      ...(workerRedis ? { workerRedis } : {}),
      prefix,
      aws,
      chat: chatOn(redis),
      clock: systemClock,
      // BullMQ's workers and queues log every failed reconnect: one line per outage instead.
      logger: connectionLog.quietConnectionErrors(logger, connection),
      worker: workerRedis !== undefined,
      metrics,
      onQueueError: connectionLog.listener(connection),
    });
    enginesByRedis.set(redis, engine);
    return engine;
  };
  // Two sides, two kinds of connection (see redisOptionsFor). The workers wait
  // through a Redis outage and carry on when it returns; the web side, which a
  // person is waiting on, fails within a second and says so. With role=all
  // both run here, each with its own engine.
  const workers = role !== 'web' ? engineOn(connect('client'), 'worker', connect('worker')) : undefined;
  const producer = role !== 'worker' ? connect('producer') : undefined;
  const web = producer ? engineOn(producer, 'producer') : undefined;
  const readiness = producer ?? (connections[0] as Redis);
  const ops = { metrics, ready: () => answersPing(readiness) };
  // A producer refuses commands until its first connect: wait a moment for it
  // rather than answer the first requests with "unreachable". Redis still away
  // after that: serve anyway; /readyz says 503 and commands say why.
  await whenReady(readiness, STARTUP_WAIT_MS).catch(() =>
    logger.warn({ redis: redactRedisUrl(redisUrl) }, 'redis not reachable yet; serving, not ready'),
  );
  // Releases stored before their summaries existed join the DORA figures: once, in the background.
  if (workers) void backfillSummaries(new RedisReleaseStore(readiness, prefix), config, logger);
  const port = Number(env.PORT || 3000);
  let server: Server;
  let stopSlack = async () => undefined as void;
  if (slack && web && producer) {
    const authorizer = new Authorizer(
      new UsergroupDirectory(
        new WebClient(slack.botToken, slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
        () => Date.now(),
      ),
      web.audit,
      systemClock,
    );
    const home = homes.get(producer);
    const deps = {
      config,
      engine: web,
      authorizer,
      redis: producer,
      prefix,
      clock: systemClock,
      logger,
      ...(home ? { home } : {}),
    };
    // Socket Mode serves Slack over an outgoing WebSocket; the ops routes then get a server of their own.
    const socketMode = Boolean(slack.appToken);
    const app = createSlackApp(slack, deps, socketMode ? [] : opsRoutes(ops), logger);
    if (socketMode) {
      const opsServer = createOpsServer(ops);
      server = opsServer;
      await new Promise<void>((resolve) => opsServer.listen(port, resolve));
      // Resolves after Slack's hello on the socket.
      await app.start();
      stopSlack = async () => {
        await app.stop();
        await new Promise<void>((resolve) => opsServer.close(() => resolve()));
      };
    } else {
      server = (await app.start(port)) as Server;
      stopSlack = () => app.stop() as Promise<void>;
    }
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
      if (slack && web) await stopSlack();
      else await new Promise<void>((resolve) => server.close(() => resolve()));
      const engines = Promise.allSettled([web?.close(), workers?.close()]);
      if (!(await settlesWithin(engines, SHUTDOWN_WAIT_MS))) {
        // A BullMQ Worker closed while its blocking connection waits between two
        // reconnect attempts never finishes closing (see connection.ts). Its jobs'
        // locks lapse and another worker takes them over.
        logger.warn({ waitedMs: SHUTDOWN_WAIT_MS }, 'stopped waiting for the workers to close');
      }
      for (const chat of slackChats) chat.close();
      for (const home of homes.values()) home.close();
      await Promise.allSettled(connections.map((redis) => closeRedis(redis)));
    },
  };
}

/** Writes the DORA summary of every release that lacks one (stored before summaries existed); logs what it did. */
async function backfillSummaries(store: RedisReleaseStore, config: Config, logger: Logger): Promise<void> {
  try {
    let written = 0;
    for (const app of Object.keys(config.apps)) written += await store.backfillSummariesOnce(app);
    if (written > 0) logger.info({ written }, 'release summaries written for older releases');
  } catch (error) {
    logger.warn(
      { err: error },
      'could not write summaries of older releases; their DORA figures wait for the next start',
    );
  }
}

/** How long start-up waits for Redis before serving without it. */
const STARTUP_WAIT_MS = 10_000;

/** How long shutdown waits for running steps to finish. */
const SHUTDOWN_WAIT_MS = 30_000;

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return orWhenLate(
    promise.then(() => true),
    ms,
    () => false,
  );
}

async function main(): Promise<void> {
  const logger = createLogger();
  // An error no request or job caught is logged, and the process keeps serving (see process-guards.ts).
  installProcessGuards(logger);
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
  // Listening before anything starts: a SIGTERM while starting (ECS stopping a task that was
  // just placed) waits for the start, then stops what started, instead of killing it half-way.
  const lifecycle: { running?: { stop(): Promise<void> }; stopping?: string } = {};
  const shutdown = (signal: string) => {
    if (lifecycle.stopping) return;
    lifecycle.stopping = signal;
    if (lifecycle.running) stopGracefully(lifecycle.running, signal, logger);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  const running = await start(config, role, logger);
  lifecycle.running = running;
  if (lifecycle.stopping) stopGracefully(running, lifecycle.stopping, logger);
}

function stopGracefully(running: { stop(): Promise<void> }, signal: string, logger: Logger): void {
  logger.info({ signal }, 'shutting down: finishing running steps');
  running.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    },
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`deploybot: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
