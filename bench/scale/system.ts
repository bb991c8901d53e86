/**
 * What the scale benchmark runs against: deploybot as operators run it — one
 * web and two worker processes (`src/main.ts`) on one redis-server of its own,
 * so INFO memory is the bot's alone — with the AWS emulator seeded with N apps
 * (seed-many.ts), one SimulatedService per app answering its health URL, and
 * the fake Slack (one channel per team of apps) recording every Web API call. The chaos tests' pieces
 * (BotProcess, ChaosSlack, PrivateRedis) do the process and Slack work.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { createRedis } from '../../src/redis/connection';
import { RedisReleaseStore } from '../../src/redis/release-store';
import { AwsEmulator } from '../../src/sandbox/aws';
import { manyApp, manyAppNames, manyAppsSeed, type ManyApp } from '../../src/sandbox/aws/seed-many';
import { DEFAULT_CHANNELS, FakeSlackApi } from '../../src/sandbox/fake-slack-api';
import { freePort } from '../../src/sandbox/redis-for-sandbox';
import { SimulatedService } from '../../src/sandbox/service';
import { BotProcess, type BotRole } from '../../test/support/chaos-process';
import { ChaosSlack } from '../../test/support/chaos-slack';
import { PrivateRedis } from '../../test/support/private-redis';
import { scaleConfigYaml, teamChannel, type ScaleWindows } from './config';

export interface ScaleSystemOptions {
  apps: number;
  windows: ScaleWindows;
  /** Apps that share one team channel (all of them: the worst case for Slack's per-channel pacing). */
  appsPerChannel: number;
  /** Emulator timings: a rollout and a snapshot take this long. */
  rolloutMs: number;
  snapshotMs: number;
}

export class ScaleSystem {
  readonly redisServer = new PrivateRedis();
  readonly slack: FakeSlackApi;
  readonly emulator: AwsEmulator;
  readonly apps: ManyApp[];
  readonly prefix = `scale-${randomBytes(4).toString('hex')}`;
  readonly logDir = mkdtempSync(join(tmpdir(), 'deploybot-scale-'));
  readonly bots: BotProcess[] = [];
  readonly services: SimulatedService[] = [];
  redis!: Redis;
  store!: RedisReleaseStore;
  chat!: ChaosSlack;
  private readonly stops: (() => Promise<void>)[] = [];

  private constructor(private readonly options: ScaleSystemOptions) {
    this.apps = manyAppNames(options.apps).map(manyApp);
    const channels = Math.ceil(options.apps / options.appsPerChannel);
    this.slack = new FakeSlackApi({
      channels: [...DEFAULT_CHANNELS, ...Array.from({ length: channels }, (_, k) => teamChannel(k))],
    });
    this.emulator = new AwsEmulator({
      seed: manyAppsSeed(options.apps),
      timings: { rolloutMs: options.rolloutMs, snapshotMs: options.snapshotMs },
    });
  }

  static async start(options: ScaleSystemOptions): Promise<ScaleSystem> {
    const system = new ScaleSystem(options);
    try {
      await system.boot();
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  async stop(): Promise<void> {
    await Promise.all(this.bots.map((b) => b.stop(10_000).catch(() => undefined)));
    for (const stop of this.stops.reverse()) await stop().catch(() => undefined);
    if (process.env.BENCH_KEEP_LOGS === '1') console.log(`scale bench process logs kept in ${this.logDir}`);
    else rmSync(this.logDir, { recursive: true, force: true });
  }

  private async boot(): Promise<void> {
    await this.redisServer.start();
    this.stops.push(() => this.redisServer.close());
    await this.emulator.start();
    this.stops.push(() => this.emulator.stop());
    await this.slack.start();
    this.stops.push(() => this.slack.stop());

    // The web service of each app answers its health URL; its users' traffic is left
    // out, so the emulator's CPU goes to the bot's requests on this 2-core machine.
    for (const app of this.apps) {
      const service = new SimulatedService(this.emulator, {
        cluster: app.cluster,
        service: app.web.service,
        logGroup: app.web.logGroup,
        tickMs: 0,
      });
      await service.start();
      this.services.push(service);
      this.stops.push(() => service.stop());
    }

    const redis = createRedis(this.redisServer.url, 'client');
    this.redis = redis;
    this.stops.push(async () => void (await redis.quit().catch(() => redis.disconnect())));
    this.store = new RedisReleaseStore(redis, this.prefix);

    const configPath = join(this.logDir, 'deploybot.yaml');
    writeFileSync(
      configPath,
      scaleConfigYaml(
        this.apps.map((app, i) => ({
          app,
          healthUrl: (this.services[i] as SimulatedService).url,
          channel: this.channelOf(i).name,
        })),
        this.options.windows,
      ),
    );
    const signingSecret = randomBytes(16).toString('hex');
    const env: NodeJS.ProcessEnv = {
      ...this.emulator.environment(),
      DEPLOYBOT_CONFIG: configPath,
      DEPLOYBOT_REDIS_PREFIX: this.prefix,
      REDIS_URL: this.redisServer.url,
      SLACK_BOT_TOKEN: ['xoxb', 'scale', randomBytes(6).toString('hex')].join('-'),
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: this.slack.apiUrl,
      SLACK_APP_TOKEN: undefined,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      AWS_ACCESS_KEY_ID: 'scale',
      AWS_SECRET_ACCESS_KEY: 'scale',
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
    };
    const [web] = await Promise.all([
      this.startBot('web', 'web', env),
      this.startBot('worker-1', 'worker', env),
      this.startBot('worker-2', 'worker', env),
    ]);
    this.chat = new ChaosSlack(this.slack, `${web.url}/slack/events`, signingSecret);
  }

  private async startBot(name: string, role: BotRole, env: NodeJS.ProcessEnv): Promise<BotProcess> {
    const bot = await BotProcess.start({ name, role, port: await freePort(), env, logDir: this.logDir });
    this.bots.push(bot);
    return bot;
  }

  /**
   * The team channel of the i-th app, dealt round-robin: teams release
   * independently, so a burst of /deploy arrives mixed across channels, not
   * one team's apps first.
   */
  channelOf(i: number): { id: string; name: string } {
    return teamChannel(i % Math.ceil(this.options.apps / this.options.appsPerChannel));
  }

  logs(lines = 20): string {
    return this.bots.map((b) => b.tail(lines)).join('\n');
  }
}
