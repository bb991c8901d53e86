/**
 * The bot as src/main.ts wires it (role "all": the Bolt app and the step and
 * follow-up workers in one process), with the production defaults of the engine
 * (lock TTL, poll interval, worker lock settings, channel pacer, update
 * coalescer), talking to the project's AWS emulator through
 * AWS_ENDPOINT_URL_* with the real SDK adapters, to a local fake Slack Web API,
 * and to the real Redis under a fresh prefix. The bench's Trace times the
 * objects it hands the engine; nothing of the product is changed.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { WebClient } from '@slack/web-api';
import type { App } from '@slack/bolt';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { createAwsPorts } from '../src/aws/ports';
import { parseConfig } from '../src/config/load';
import type { Config } from '../src/config/schema';
import { createEngine, type Engine } from '../src/engine/engine';
import { Metrics } from '../src/http/metrics';
import { systemClock } from '../src/ports/clock';
import type { ContainerPlatform } from '../src/ports/container-platform';
import { createRedis, redisUrlFromEnv } from '../src/redis/connection';
import { RedisReleaseStore } from '../src/redis/release-store';
import { redisUpdateGate } from '../src/redis/slack-pacing';
import { AwsEmulator } from '../src/sandbox/aws';
import { FakeSlackApi } from '../src/sandbox/fake-slack-api';
import { createSlackApp } from '../src/slack/app';
import { Authorizer } from '../src/slack/authorizer';
import { ChannelPacer } from '../src/slack/channel-pacer';
import { ReleaseNotesSource } from '../src/slack/release-notes-source';
import { SlackChat } from '../src/slack/slack-chat';
import { UsergroupDirectory } from '../src/slack/usergroups';
import { cleanup } from '../test/support/redis';
import { Trace } from './approve-latency-trace';

export const SIGNING_SECRET = randomBytes(16).toString('hex');
const BOT_TOKEN = ['xoxb', 'bench', randomBytes(6).toString('hex')].join('-');

/** Release parents are posted in these channels in turn (see bench/approve-latency-scenario.ts). */
export const CHANNELS = ['C0ENGINEER', 'C0BENCH1', 'C0BENCH2', 'C0BENCH3'];

/**
 * The emulator's production system (sandbox's cluster, services, database and
 * migration) with every engine and rollback setting left at its default, the
 * approvers a Slack user group as most teams have them, and the two-person rule.
 */
const BENCH_CONFIG_YAML = `
apps:
  backend:
    environments:
      production:
        cluster: social-analytics-cluster
        services:
          - name: backend-service
            containers: [backend]
          - name: worker-service
            containers: [worker]
        database:
          instance: social-analytics-db
        migration:
          service: backend-service
          container: backend
          command: alembic upgrade head
          rollbackCommand: alembic downgrade -1
        logs:
          group: /ecs/social-analytics-backend
        health:
          url: http://127.0.0.1:9/never-probed
          endpoints: [/health]
        rollback:
          twoPersonRule: true
        deployers: [U0REQUESTER, U0DEPLOYER]
        approvers: [S0APPROVERS]
`;

export interface BenchSystem {
  config: Config;
  trace: Trace;
  emulator: AwsEmulator;
  slack: FakeSlackApi;
  engine: Engine;
  /** The engine's ECS adapter (timed): the bench's setup rolls releases out through it. */
  platform: ContainerPlatform;
  /** Posts as the bot without the engine's pacer: the bench's own setup. */
  setupClient: WebClient;
  boltUrl: string;
  stop(): Promise<void>;
}

export async function startBenchSystem(): Promise<BenchSystem> {
  const stops: (() => Promise<void> | void)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
  };
  try {
    const trace = new Trace();
    stops.push(() => trace.close());
    const config = parseConfig(BENCH_CONFIG_YAML, 'bench configuration');
    const logger = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' });

    const emulator = new AwsEmulator();
    await emulator.start();
    stops.push(() => emulator.stop());
    trace.watchPort(Number(new URL(emulator.endpoint).port), 'aws');
    // The SDK reads these itself, as it would in a deployment; put back what was there.
    const aws = { ...emulator.environment(), AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' };
    const before = Object.fromEntries(Object.keys(aws).map((key) => [key, process.env[key]]));
    Object.assign(process.env, aws);
    stops.push(() => {
      for (const [key, value] of Object.entries(before)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    });

    const slack = new FakeSlackApi({
      usergroups: { S0APPROVERS: ['U0APPROVER'] },
      channels: CHANNELS.map((id, i) => ({ id, name: i === 0 ? 'engineering' : `bench-${i}` })),
    });
    await slack.start();
    stops.push(() => slack.stop());
    trace.watchPort(Number(new URL(slack.apiUrl).port), 'slack');
    const webClient = () =>
      new WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, rejectRateLimitedCalls: false });

    const prefix = `bench-approve-${randomBytes(6).toString('hex')}`;
    const redis: Redis = createRedis(redisUrlFromEnv(), 'client');
    const workerRedis: Redis = createRedis(redisUrlFromEnv(), 'worker');
    stops.push(async () => {
      await cleanup(redis, prefix);
      await Promise.allSettled([redis.quit(), workerRedis.quit()]);
    });

    const ports = createAwsPorts();
    trace.wrap(ports.platform, 'ecs', [
      'describeServices',
      'describeTaskDefinition',
      'registerImageRevision',
      'updateService',
    ]);
    const chat = new SlackChat({
      client: webClient(),
      store: new RedisReleaseStore(redis, prefix),
      config,
      clock: systemClock,
      logger,
      pacer: new ChannelPacer(),
      gate: redisUpdateGate(redis, prefix),
      notes: new ReleaseNotesSource(config),
    });
    stops.push(() => chat.close());
    // The span is the caller's wait; what chat does meanwhile is its own flow.
    trace.wrap(chat, 'chat', ['releaseCreated', 'releaseUpdated', 'stepDetail', 'releaseFinished'], {
      bodyFlow: 'chat',
    });

    const engine = createEngine({
      config,
      redis,
      workerRedis,
      prefix,
      aws: ports,
      chat,
      clock: systemClock,
      logger,
      worker: true,
      metrics: new Metrics({ defaultMetrics: false }),
    });
    stops.push(() => engine.close());
    trace.wrap(engine.store, 'store', ['get', 'save', 'create', 'history']);
    trace.wrap(engine.locks, 'lock', ['acquire', 'release', 'heartbeat', 'holder']);
    trace.wrap(engine.audit, 'audit', ['append']);
    trace.wrap(engine.service, 'service', ['get', 'approveRollback', 'start', 'cancel']);
    trace.wrap(engine.runner, 'runner', ['run'], { flow: 'step' });
    // Step jobs and follow-ups (the post-mortem reminder) are both queue adds.
    trace.wrap(Queue.prototype, 'queue', ['add'], { describe: (queue) => (queue as Queue).name });
    engine.worker?.on('active', () => trace.mark('queue', 'worker took the job'));

    const authorizer = new Authorizer(
      new UsergroupDirectory(webClient(), () => Date.now()),
      engine.audit,
      systemClock,
    );
    trace.wrap(authorizer, 'authorizer', ['check']);
    const app: App = createSlackApp(
      { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: slack.apiUrl },
      { config, engine, authorizer, redis, prefix, clock: systemClock, logger },
      [],
      logger,
    );
    trace.wrap(app, 'bolt', ['processEvent'], { flow: 'web' });
    const server = (await app.start(0)) as Server;
    // Stopped before the engine and Redis (stops run in reverse).
    stops.push(() => app.stop() as Promise<void>);
    const { port } = server.address() as { port: number };
    trace.watchPort(port, 'bolt');

    return {
      config,
      trace,
      emulator,
      slack,
      engine,
      platform: ports.platform,
      setupClient: webClient(),
      boltUrl: `http://127.0.0.1:${port}/slack/events`,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
