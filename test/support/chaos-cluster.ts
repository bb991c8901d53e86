import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Release } from '../../src/domain/release';
import { STEP_QUEUE_NAME, type StepJobData } from '../../src/queue/step-jobs';
import { RedisAuditLog } from '../../src/redis/audit-log';
import { createRedis } from '../../src/redis/connection';
import { RedisReleaseStore } from '../../src/redis/release-store';
import { AwsEmulator } from '../../src/sandbox/aws';
import { FakeSlackApi } from '../../src/sandbox/fake-slack-api';
import { freePort } from '../../src/sandbox/redis-for-sandbox';
import { SimulatedService, TrafficGenerator } from '../../src/sandbox/service';
import { AwsGate } from './chaos-aws-gate';
import { chaosConfigYaml, type ChaosWindows } from './chaos-config';
import { BotProcess, type BotRole } from './chaos-process';
import { ChaosSlack } from './chaos-slack';
import { PrivateRedis } from './private-redis';

export interface ChaosClusterOptions {
  windows?: ChaosWindows;
  /** Versions pushed to both ECR repositories besides the seed's, one per release the caller makes. */
  tags?: string[];
  /** LOG_LEVEL of the bot processes (CHAOS_LOG_LEVEL overrides); info shows which worker ran which step. */
  logLevel?: string;
  /** engine.reconcileInterval (ms) of the bots' configuration; unset, the engine's default (a minute). */
  reconcileIntervalMs?: number;
}

const REPOSITORIES = ['social-analytics-backend', 'social-analytics-worker'];
const CLUSTER = 'social-analytics-cluster';

/**
 * deploybot as an operator runs it, on this machine: one web and two worker
 * processes (`node src/main.ts`, DEPLOYBOT_ROLE=web|worker) sharing a private
 * redis-server, the AWS emulator (each process through its own AwsGate
 * endpoint), the simulated backend with its users' traffic, and the fake Slack
 * Web API — all in the test process but the bots. Workers can be SIGKILLed and
 * replaced, Redis paused and resumed; stop() ends everything it started.
 * Process logs go to `logDir` (kept when CHAOS_KEEP_LOGS=1).
 */
export class ChaosCluster {
  readonly redis = new PrivateRedis();
  readonly slack = new FakeSlackApi();
  readonly emulator = new AwsEmulator({
    timings: { rolloutMs: 3_000, snapshotMs: 2_000, taskPendingMs: 500, taskRunMs: 1_500, queryMs: 300 },
  });
  readonly prefix = `chaos-${randomBytes(4).toString('hex')}`;
  readonly logDir = mkdtempSync(join(tmpdir(), 'deploybot-chaos-'));
  readonly processes: BotProcess[] = [];
  gate!: AwsGate;
  service!: SimulatedService;
  traffic!: TrafficGenerator;
  web!: BotProcess;
  chat!: ChaosSlack;
  store!: RedisReleaseStore;
  audit!: RedisAuditLog;
  jobs!: Queue<StepJobData>;
  private client?: Redis;
  private env: NodeJS.ProcessEnv = {};
  private workersStarted = 0;
  private websStarted = 1;
  private signingSecret = '';
  private readonly stops: (() => Promise<void>)[] = [];

  private constructor(private readonly options: ChaosClusterOptions) {}

  static async start(options: ChaosClusterOptions = {}): Promise<ChaosCluster> {
    const cluster = new ChaosCluster(options);
    try {
      await cluster.boot();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** The worker processes still running. */
  get workers(): BotProcess[] {
    return this.processes.filter((p) => p.role === 'worker' && p.alive);
  }

  process(name: string): BotProcess {
    const found = this.processes.find((p) => p.name === name);
    if (!found) throw new Error(`no process ${name}`);
    return found;
  }

  /** Starts one more worker (`worker-<n>`) and resolves once it is serving. */
  async startWorker(): Promise<BotProcess> {
    this.workersStarted += 1;
    return this.startBot(`worker-${this.workersStarted}`, 'worker');
  }

  /** Starts a new web process (`web-<n>`) in place of a killed one; signed requests go to it from now on. */
  async restartWeb(): Promise<BotProcess> {
    this.websStarted += 1;
    this.web = await this.startBot(`web-${this.websStarted}`, 'web');
    this.chat = new ChaosSlack(this.slack, `${this.web.url}/slack/events`, this.signingSecret);
    return this.web;
  }

  /** SIGKILLs the process and resolves, once it is gone, with the moment (ms) the signal was sent. */
  async kill(bot: BotProcess): Promise<number> {
    const at = Date.now();
    await bot.kill();
    return at;
  }

  /** The release of `version` in `environment`, newest first. */
  async releaseOf(version: string, environment = 'production'): Promise<Release | undefined> {
    const history = await this.store.history('backend', { environment, limit: 50 });
    return history.find((r) => r.version === version && !r.rollbackOf);
  }

  /** The last lines of every process, for a failure message. */
  logs(lines = 30): string {
    return this.processes.map((p) => p.tail(lines)).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop(5_000).catch(() => undefined)));
    for (const stop of this.stops.reverse()) await stop().catch(() => undefined);
    if (process.env.CHAOS_KEEP_LOGS === '1') console.log(`chaos process logs kept in ${this.logDir}`);
    else rmSync(this.logDir, { recursive: true, force: true });
  }

  private async boot(): Promise<void> {
    await this.redis.start();
    this.stops.push(() => this.redis.close());
    await this.emulator.start();
    this.stops.push(() => this.emulator.stop());
    for (const repository of REPOSITORIES)
      for (const tag of this.options.tags ?? []) this.emulator.pushImage(repository, tag);
    this.gate = new AwsGate(new URL(this.emulator.endpoint));
    this.stops.push(() => this.gate.close());

    const backend = {
      cluster: CLUSTER,
      service: 'backend-service',
      logGroup: '/ecs/social-analytics-backend',
    };
    this.service = new SimulatedService(this.emulator, backend);
    await this.service.start();
    this.stops.push(() => this.service.stop());
    // The users' requests: monitoring judges them, as it would in production.
    this.traffic = new TrafficGenerator(this.emulator, backend);
    this.traffic.start();
    this.stops.push(async () => this.traffic.stop());

    await this.slack.start();
    this.stops.push(() => this.slack.stop());

    this.client = createRedis(this.redis.url, 'client');
    const client = this.client;
    this.stops.push(async () => void (await client.quit().catch(() => client.disconnect())));
    this.store = new RedisReleaseStore(client, this.prefix);
    this.audit = new RedisAuditLog(client, this.prefix);
    this.jobs = new Queue<StepJobData>(STEP_QUEUE_NAME, {
      connection: client,
      prefix: `${this.prefix}:bull`,
    });
    const jobs = this.jobs;
    this.stops.push(() => jobs.close());

    const configPath = join(this.logDir, 'deploybot.yaml');
    const engine = { reconcileIntervalMs: this.options.reconcileIntervalMs };
    writeFileSync(configPath, chaosConfigYaml(this.service.url, this.options.windows, engine));
    const signingSecret = randomBytes(16).toString('hex');
    this.signingSecret = signingSecret;
    this.env = {
      DEPLOYBOT_CONFIG: configPath,
      DEPLOYBOT_REDIS_PREFIX: this.prefix,
      REDIS_URL: this.redis.url,
      SLACK_BOT_TOKEN: ['xoxb', 'chaos', randomBytes(6).toString('hex')].join('-'),
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: this.slack.apiUrl,
      SLACK_APP_TOKEN: undefined,
      LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? this.options.logLevel ?? 'info',
      AWS_REGION: this.emulator.seed.region,
      AWS_ACCESS_KEY_ID: 'chaos',
      AWS_SECRET_ACCESS_KEY: 'chaos',
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_ENDPOINT_URL: undefined,
    };
    const [web] = await Promise.all([this.startBot('web', 'web'), this.startWorker(), this.startWorker()]);
    this.web = web;
    this.chat = new ChaosSlack(this.slack, `${web.url}/slack/events`, signingSecret);
  }

  private async startBot(name: string, role: BotRole): Promise<BotProcess> {
    const endpoint = await this.gate.open(name);
    const aws: NodeJS.ProcessEnv = {};
    for (const key of Object.keys(this.emulator.environment()))
      if (key.startsWith('AWS_ENDPOINT_URL_')) aws[key] = endpoint;
    const bot = await BotProcess.start({
      name,
      role,
      port: await freePort(),
      env: { ...this.env, ...aws },
      logDir: this.logDir,
    });
    this.processes.push(bot);
    return bot;
  }
}
