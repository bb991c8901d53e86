import { randomBytes } from 'node:crypto';
import type { Logger } from '../logging/logger';
import { start as startBot } from '../main';
import { AwsEmulator } from './aws';
import type { MetricAlarmDefinition } from './aws/alarm-evaluation';
import { CONNECTIONS_PER_TASK } from './aws/rds-metrics';
import { profileCrashEveryMs } from './aws/ecs-service-tasks';
import { BACKEND_LOAD_BALANCER_ARN, BACKEND_TARGET_GROUP_ARN } from './aws/seed';
import { FakeSlackApi } from './fake-slack-api';
import { deleteSandboxKeys, freePort, redisForSandbox } from './redis-for-sandbox';
import { SANDBOX_PEOPLE, sandboxConfig, type SandboxWindows } from './sandbox-config';
import { SimulatedService } from './service/simulated-service';
import { TaskReplacer } from './service/task-replacer';
import { TrafficGenerator, type TrafficGeneratorOptions } from './service/traffic-generator';
import { DEFAULT_PERSONAS, WorkspaceServer } from './workspace';
import { withRights } from './workspace/persona-rights';

export interface SandboxOptions {
  /** The page people open; 3000 by default, 0 for any free port. */
  uiPort?: number;
  logger: Logger;
  /** Emulator timings; the defaults make a rollout take seconds, not minutes. */
  timings?: {
    rolloutMs?: number;
    snapshotMs?: number;
    taskPendingMs?: number;
    taskRunMs?: number;
    /** How often a crashing build's (`-crashy`) tasks crash; profiles.json's by default. */
    crashEveryMs?: number;
  };
  /** Monitoring windows; tests shorten them. */
  windows?: SandboxWindows;
  /** The users' traffic over profiles.json's (`rps: 0` silences it); tests may seed `random`. */
  traffic?: Pick<TrafficGeneratorOptions, 'traffic' | 'random' | 'tickMs'>;
  /** Mean time between ordinary task replacements of backend-service; 0 turns churn off. Default ~4 min. */
  taskReplacementEveryMs?: number;
}

/**
 * Where the seed registers backend-service's tasks, as the AWS/ApplicationELB
 * dimensions name them: the ARN suffixes `targetgroup/<name>/<id>` and `app/<name>/<id>`.
 */
export const BACKEND_TARGET = {
  targetGroup: BACKEND_TARGET_GROUP_ARN.slice(BACKEND_TARGET_GROUP_ARN.indexOf(':targetgroup/') + 1),
  loadBalancer: BACKEND_LOAD_BALANCER_ARN.slice(BACKEND_LOAD_BALANCER_ARN.indexOf(':loadbalancer/') + 14),
};

/** The seed's database: its tasks hold CONNECTIONS_PER_TASK connections each (5 tasks: 25). */
const SANDBOX_DATABASE = 'social-analytics-db';

/**
 * The alarms an operator of this system would have, named for the prefix the
 * sandbox's config watches. Target 5xx: more than 100 in a minute (healthy noise
 * makes about 6, a `-bad` build about 240), missing minutes (no 5xx at all) not
 * breaching. Database connections: an average above 80 (over three times what
 * the seeded tasks hold, room for a rollout's extra tasks) three minutes running.
 */
export function sandboxAlarms(target: typeof BACKEND_TARGET): MetricAlarmDefinition[] {
  return [
    {
      name: 'social-analytics-target-5xx',
      namespace: 'AWS/ApplicationELB',
      metricName: 'HTTPCode_Target_5XX_Count',
      dimensions: { TargetGroup: target.targetGroup, LoadBalancer: target.loadBalancer },
      statistic: 'Sum',
      periodSeconds: 60,
      threshold: 100,
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: 'notBreaching',
    },
    {
      name: 'social-analytics-db-connections',
      namespace: 'AWS/RDS',
      metricName: 'DatabaseConnections',
      dimensions: { DBInstanceIdentifier: SANDBOX_DATABASE },
      statistic: 'Average',
      periodSeconds: 60,
      threshold: 16 * CONNECTIONS_PER_TASK,
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: 'missing',
    },
  ];
}

export interface Sandbox {
  uiUrl: string;
  botUrl: string;
  /** The Redis it uses, and the prefix of every key it writes there (`<prefix>:…`); stop() removes them. */
  redisUrl: string;
  redisPrefix: string;
  slack: FakeSlackApi;
  emulator: AwsEmulator;
  service: SimulatedService;
  /** The users of backend-service: access-log lines and load-balancer requests. */
  traffic: TrafficGenerator;
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
    // The page's port first: when it is taken the sandbox says so before it starts anything else.
    const slack = new FakeSlackApi();
    await slack.start();
    stops.push(() => slack.stop());
    const botPort = await freePort();
    const botUrl = `http://127.0.0.1:${botPort}`;
    const signingSecret = randomBytes(16).toString('hex');
    const workspace = new WorkspaceServer({
      slack,
      botEventsUrl: `${botUrl}/slack/events`,
      signingSecret,
      commands: ['/deploy', '/rollback'],
      personas: withRights(DEFAULT_PERSONAS, SANDBOX_PEOPLE, slack.usergroups),
    });
    await workspace.start(options.uiPort ?? 3000);
    stops.push(() => workspace.stop());

    const redis = await redisForSandbox();
    stops.push(() => redis.stop());
    // Its own prefix, so that what a run leaves in a shared Redis can be found and removed;
    // registered here, it runs after the bot's workers have closed and before a private Redis stops.
    const redisPrefix = `sandbox-${randomBytes(3).toString('hex')}`;
    stops.push(async () => {
      await deleteSandboxKeys(redis.url, redisPrefix).catch((error: unknown) =>
        options.logger.warn({ err: error, prefix: redisPrefix }, 'sandbox keys not removed from Redis'),
      );
    });
    const { crashEveryMs, ...timings } = options.timings ?? {};
    const crashes = profileCrashEveryMs();
    const emulator = new AwsEmulator({
      timings: {
        rolloutMs: 6_000,
        snapshotMs: 3_000,
        taskPendingMs: 1_000,
        taskRunMs: 2_000,
        ...timings,
      },
      ...(crashEveryMs !== undefined && {
        crashEveryMs: (image: string) => (crashes(image) === undefined ? undefined : crashEveryMs),
      }),
    });
    await emulator.start();
    stops.push(() => emulator.stop());
    for (const alarm of sandboxAlarms(BACKEND_TARGET)) emulator.putMetricAlarm(alarm);

    const service = new SimulatedService(emulator, {
      cluster: 'social-analytics-cluster',
      service: 'backend-service',
      logGroup: '/ecs/social-analytics-backend',
    });
    await service.start();
    stops.push(() => service.stop());

    // Ordinary noise, so monitoring judges a service that looks like production:
    // a steady, drifting request stream with background errors, and tasks replaced now and then.
    const backendService = { cluster: 'social-analytics-cluster', service: 'backend-service' };
    const traffic = new TrafficGenerator(emulator, {
      ...backendService,
      logGroup: '/ecs/social-analytics-backend',
      loadBalancer: BACKEND_TARGET,
      ...options.traffic,
      onError: (error) => options.logger.warn({ err: error }, 'sandbox traffic tick failed'),
    });
    traffic.start();
    stops.push(async () => traffic.stop());
    const churn = new TaskReplacer(emulator, {
      ...backendService,
      ...(options.taskReplacementEveryMs !== undefined && { everyMs: options.taskReplacementEveryMs }),
      onError: (error) => options.logger.warn({ err: error }, 'sandbox task replacement failed'),
    });
    churn.start();
    stops.push(async () => churn.stop());

    // The bot reads AWS and Slack settings the standard way, so the sandbox sets them.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      REDIS_URL: redis.url,
      DEPLOYBOT_REDIS_PREFIX: redisPrefix,
      PORT: String(botPort),
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
    for (const service of ['ECS', 'RDS', 'CLOUDWATCH_LOGS', 'CLOUDWATCH', 'ECR', 'ELASTIC_LOAD_BALANCING_V2'])
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

    return {
      uiUrl: workspace.url,
      botUrl,
      redisUrl: redis.url,
      redisPrefix,
      slack,
      emulator,
      service,
      traffic,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
