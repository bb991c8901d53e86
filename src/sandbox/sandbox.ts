import { randomBytes } from 'node:crypto';
import type { Logger } from '../logging/logger';
import { start as startBot } from '../main';
import { AwsEmulator } from './aws';
import { FakeSlackApi } from './fake-slack-api';
import { freePort, redisForSandbox } from './redis-for-sandbox';
import { sandboxConfig, type SandboxWindows } from './sandbox-config';
import { SimulatedService } from './service/simulated-service';
import { WorkspaceServer } from './workspace';

export interface SandboxOptions {
  /** The page people open; 3000 by default, 0 for any free port. */
  uiPort?: number;
  logger: Logger;
  /** Emulator timings; the defaults make a rollout take seconds, not minutes. */
  timings?: { rolloutMs?: number; snapshotMs?: number; taskPendingMs?: number; taskRunMs?: number };
  /** Monitoring windows; tests shorten them. */
  windows?: SandboxWindows;
}

export interface Sandbox {
  uiUrl: string;
  botUrl: string;
  slack: FakeSlackApi;
  emulator: AwsEmulator;
  service: SimulatedService;
  stop(): Promise<void>;
}

/**
 * Everything a release needs, on this machine: Redis, an AWS account
 * (emulator), the app it deploys (simulated service), a Slack workspace (fake
 * Web API plus its page) and the bot itself, wired together only through the
 * public contracts — AWS_ENDPOINT_URL_*, SLACK_API_URL, signed /slack/events.
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const redis = await redisForSandbox();
    stops.push(() => redis.stop());

    const emulator = new AwsEmulator({
      timings: {
        rolloutMs: 6_000,
        snapshotMs: 3_000,
        taskPendingMs: 1_000,
        taskRunMs: 2_000,
        ...options.timings,
      },
    });
    await emulator.start();
    stops.push(() => emulator.stop());

    const service = new SimulatedService(emulator, {
      cluster: 'social-analytics-cluster',
      service: 'backend-service',
      logGroup: '/ecs/social-analytics-backend',
    });
    await service.start();
    stops.push(() => service.stop());

    const slack = new FakeSlackApi();
    await slack.start();
    stops.push(() => slack.stop());

    // The bot reads AWS and Slack settings the standard way, so the sandbox sets them.
    const signingSecret = randomBytes(16).toString('hex');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      REDIS_URL: redis.url,
      DEPLOYBOT_REDIS_PREFIX: `sandbox-${randomBytes(3).toString('hex')}`,
      PORT: String(await freePort()),
      SLACK_BOT_TOKEN: ['xoxb', 'sandbox', randomBytes(6).toString('hex')].join('-'),
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
    };
    delete env.SLACK_APP_TOKEN;
    const aws: Record<string, string> = {
      AWS_REGION: emulator.seed.region,
      AWS_ACCESS_KEY_ID: 'sandbox',
      AWS_SECRET_ACCESS_KEY: 'sandbox',
    };
    for (const service of ['ECS', 'RDS', 'CLOUDWATCH_LOGS', 'CLOUDWATCH', 'ECR'])
      aws[`AWS_ENDPOINT_URL_${service}`] = emulator.endpoint;
    // The SDK reads these from process.env itself; put back what was there when the sandbox stops.
    const before = Object.fromEntries(Object.keys(aws).map((key) => [key, process.env[key]]));
    Object.assign(process.env, aws);
    stops.push(async () => {
      for (const [key, value] of Object.entries(before)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    });

    const bot = await startBot(sandboxConfig(service.url, options.windows), 'all', options.logger, env);
    stops.push(() => bot.stop());
    const botPort = (bot.server.address() as { port: number }).port;
    const botUrl = `http://127.0.0.1:${botPort}`;

    const workspace = new WorkspaceServer({
      slack,
      botEventsUrl: `${botUrl}/slack/events`,
      signingSecret,
      commands: ['/deploy', '/rollback'],
    });
    await workspace.start(options.uiPort ?? 3000);
    stops.push(() => workspace.stop());

    return { uiUrl: workspace.url, botUrl, slack, emulator, service, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
