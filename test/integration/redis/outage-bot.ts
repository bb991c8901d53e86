import { Writable } from 'node:stream';
import type { Server } from 'node:http';
import type { App } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { Config } from '../../../src/config/schema';
import type { Release } from '../../../src/domain/release';
import { createEngine, type Engine } from '../../../src/engine/engine';
import { Metrics } from '../../../src/http/metrics';
import { opsRoutes } from '../../../src/http/ops-server';
import { createLogger } from '../../../src/logging/logger';
import { systemClock } from '../../../src/ports/clock';
import {
  answersPing,
  closeRedis,
  createRedis,
  whenReady,
  type RedisPurpose,
} from '../../../src/redis/connection';
import { ConnectionLog } from '../../../src/redis/connection-log';
import { RedisReleaseStore } from '../../../src/redis/release-store';
import { redisUpdateGate } from '../../../src/redis/slack-pacing';
import { FakeSlackApi } from '../../../src/sandbox/fake-slack-api';
import { createSlackApp } from '../../../src/slack/app';
import { Authorizer } from '../../../src/slack/authorizer';
import { ChannelPacer } from '../../../src/slack/channel-pacer';
import { ReleaseNotesSource } from '../../../src/slack/release-notes-source';
import { SlackChat } from '../../../src/slack/slack-chat';
import { UsergroupDirectory } from '../../../src/slack/usergroups';
import { FakeCloud } from '../../fakes/fake-cloud';
import { FakeMetrics } from '../../fakes/fake-metrics';
import { FakeProbe } from '../../fakes/fake-probe';
import { freshPrefix } from '../../support/redis';
import { postToBolt, slashCommandBody } from '../../support/slack-requests';
import { testConfig } from '../../support/test-config';

const SIGNING_SECRET = ['outage', 'signing', 'secret'].join('-');
const BOT_TOKEN = ['xoxb', 'outage', 'token'].join('-');

export type LogLine = Record<string, unknown> & { msg: string; level: string; time: number };

/**
 * The bot wired as src/main.ts wires role=all, on a Redis of the test's own:
 * the web side (Bolt over real HTTP, its engine and queues) on the fail-fast
 * 'producer' connection, the step workers on the patient 'client' and
 * 'worker' connections, every connection's errors through a ConnectionLog,
 * and every log line captured. Fake AWS, fake Slack.
 */
export class OutageBot {
  readonly prefix = freshPrefix();
  readonly cloud = new FakeCloud();
  readonly slack = new FakeSlackApi({
    usergroups: { S0DEPLOYERS: ['U0DEPLOYER', 'U0REQUESTER'], S0APPROVERS: ['U0APPROVER'] },
  });
  readonly config = outageConfig();
  readonly lines: LogLine[] = [];
  readonly logger = createLogger({
    level: 'info',
    destination: new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const text of chunk.toString().split('\n').filter(Boolean))
          this.lines.push(JSON.parse(text) as LogLine);
        done();
      },
    }),
  });
  producer!: Redis;
  web!: Engine;
  workers!: Engine;
  url = '';
  private readonly connections: Redis[] = [];
  private readonly chats: SlackChat[] = [];
  private app?: App;
  private server?: Server;

  constructor(private readonly redisUrl: string) {}

  async start(): Promise<void> {
    await this.slack.start();
    const redisUrl = this.redisUrl;
    const connectionLog = new ConnectionLog(this.logger);
    const connect = (purpose: RedisPurpose) => {
      const redis = connectionLog.watch(createRedis(redisUrl, purpose), purpose);
      this.connections.push(redis);
      return redis;
    };
    const engineOn = (redis: Redis, name: RedisPurpose, workerRedis?: Redis) =>
      createEngine({
        config: this.config,
        redis,
        ...(workerRedis ? { workerRedis } : {}),
        prefix: this.prefix,
        aws: {
          platform: this.cloud,
          registry: this.cloud,
          database: this.cloud,
          logs: this.cloud,
          metrics: new FakeMetrics(),
          probe: new FakeProbe(),
        },
        chat: this.chatOn(redis),
        clock: systemClock,
        logger: connectionLog.quietConnectionErrors(this.logger, name),
        worker: workerRedis !== undefined,
        retry: { attempts: 3, backoffMs: 20 },
        onQueueError: connectionLog.listener(name),
      });
    this.workers = engineOn(connect('client'), 'worker', connect('worker'));
    this.producer = connect('producer');
    this.web = engineOn(this.producer, 'producer');
    await this.serve();
  }

  private chatOn(redis: Redis): SlackChat {
    const chat = new SlackChat({
      client: new WebClient(BOT_TOKEN, { slackApiUrl: this.slack.apiUrl, rejectRateLimitedCalls: false }),
      store: new RedisReleaseStore(redis, this.prefix),
      config: this.config,
      clock: systemClock,
      logger: this.logger,
      pacer: new ChannelPacer(50),
      gate: redisUpdateGate(redis, this.prefix),
      notes: new ReleaseNotesSource(this.config),
      updateIntervalMs: 100,
    });
    this.chats.push(chat);
    return chat;
  }

  private async serve(): Promise<void> {
    await whenReady(this.producer, 5000);
    const authorizer = new Authorizer(
      new UsergroupDirectory(new WebClient(BOT_TOKEN, { slackApiUrl: this.slack.apiUrl }), () => Date.now()),
      this.web.audit,
      systemClock,
    );
    const ops = {
      metrics: new Metrics({ defaultMetrics: false }),
      ready: () => answersPing(this.producer),
    };
    this.app = createSlackApp(
      { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: this.slack.apiUrl },
      {
        config: this.config,
        engine: this.web,
        authorizer,
        redis: this.producer,
        prefix: this.prefix,
        clock: systemClock,
        logger: this.logger,
      },
      opsRoutes(ops),
      this.logger,
    );
    this.server = (await this.app.start(0)) as Server;
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    await this.app?.stop();
    for (const chat of this.chats) chat.close();
    await Promise.allSettled([this.web?.close(), this.workers?.close()]);
    await Promise.allSettled(this.connections.map((redis) => closeRedis(redis)));
    await this.slack.stop();
  }

  /**
   * Types a slash command as U0DEPLOYER and waits for what they are shown:
   * the ack's own text, or else the first reply through response_url.
   */
  async command(
    text: string,
    command = '/deploy',
  ): Promise<{ text: string; ephemeral: boolean; ms: number }> {
    const began = Date.now();
    const responseUrl = this.slack.newResponseUrl('C0ENGINEER', 'U0DEPLOYER');
    const body = slashCommandBody({ command, text, user_id: 'U0DEPLOYER', response_url: responseUrl });
    const answer = await postToBolt(`${this.url}/slack/events`, SIGNING_SECRET, body, { timeoutMs: 5000 });
    if (answer.status !== 200) throw new Error(`${command} answered ${answer.status}: ${answer.body}`);
    const acked = answer.json as { text?: string; response_type?: string } | undefined;
    const shown =
      acked?.text !== undefined
        ? acked
        : (await this.slack.waitFor(() => this.slack.responses.find((r) => r.url === responseUrl), 10_000))
            .body;
    return {
      text: String(shown.text),
      ephemeral: shown.response_type === 'ephemeral',
      ms: Date.now() - began,
    };
  }

  async readyz(): Promise<{ status: number; ms: number }> {
    const began = Date.now();
    const response = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
    return { status: response.status, ms: Date.now() - began };
  }

  /** Requests, ticks and starts a staging release through the web side, as people would. */
  async startRelease(version: string): Promise<Release> {
    const created = await this.web.service.request({
      version,
      app: 'backend',
      environment: 'staging',
      requestedBy: 'U0DEPLOYER',
    });
    await this.waitFor(created.id, (r) => r.steps[0]?.state === 'succeeded', 15_000);
    const required = this.config.apps.backend?.environments.staging?.checklist.required ?? [];
    await this.web.service.tick(
      created.id,
      'U0REVIEWER',
      Object.fromEntries(required.map((id) => [id, true])),
    );
    return this.web.service.start(created.id, 'U0DEPLOYER');
  }

  /** The release once `done` holds, read by the workers' side (which waits through outages). */
  async waitFor(id: string, done: (r: Release) => boolean, timeoutMs: number): Promise<Release> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const release = await this.workers.store.get(id);
      if (release && done(release)) return release;
      if (Date.now() > deadline)
        throw new Error(`release ${id}: ${release?.state} ${JSON.stringify(release?.steps)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Every release id a step job (in any state) is queued for. */
  async queuedReleases(): Promise<string[]> {
    const jobs = await this.workers.queue.getJobs([
      'waiting',
      'active',
      'delayed',
      'prioritized',
      'completed',
      'failed',
    ]);
    return [...new Set(jobs.map((job) => job.data.releaseId))];
  }
}

/**
 * The test configuration with a release lock that outlasts the 10 s outage
 * the test makes: a lock that lapses while Redis is stopped is the lease
 * heartbeat's concern, not the outage handling pinned here.
 */
function outageConfig(): Config {
  const config = testConfig();
  config.engine.lockTtl = Math.max(config.engine.lockTtl, 120_000);
  return config;
}

/** Polls `check` until it holds; fails with `what` after `timeoutMs`. */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
