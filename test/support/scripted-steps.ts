import type { Redis } from 'ioredis';
import pino from 'pino';
import { parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { STEP_NAMES, type StepName } from '../../src/domain/release';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/engine';
import { systemClock } from '../../src/ports/clock';
import type { StepHandler, StepOutcome, StepContext } from '../../src/steps/step-handler';
import { FakeCloud } from '../fakes/fake-cloud';
import { FakeProbe } from '../fakes/fake-probe';
import { RecordingChat } from '../fakes/recording-chat';

/**
 * One app with one environment, so nothing but the engine's own timings
 * matters: releases of `backend` to `staging`, swept every second.
 */
export const SCRIPTED_CONFIG_YAML = `
engine:
  lockTtl: 10s
  startTimeout: 30s
  reconcileInterval: 1s
  pollInterval: 20ms
  concurrency: 4
apps:
  backend:
    environments:
      staging:
        cluster: social-analytics-cluster
        services:
          - name: backend-service
            containers: [backend]
        logs: { group: /ecs/social-analytics-backend }
        health: { url: "http://staging.test", endpoints: [/health], interval: 20ms }
`;

export function scriptedConfig(): Config {
  return parseConfig(SCRIPTED_CONFIG_YAML, 'scripted test config');
}

/** A release of backend to staging, requested as a person would. */
export const STAGING_RELEASE = {
  version: 'v1.2.0',
  app: 'backend',
  environment: 'staging',
  type: 'hotfix',
  requestedBy: 'U0DEPLOYER',
} as const;

/**
 * Release steps scripted by a test: every step is done at once unless the test
 * gives it a body. For tests of the engine's machinery (leases, takeover,
 * reconciling) rather than of what the steps do in AWS.
 */
export function scriptedHandlers(
  bodies: Partial<Record<StepName, (ctx: StepContext) => Promise<StepOutcome>>>,
): Record<StepName, StepHandler> {
  const handler = (name: StepName): StepHandler => ({
    describe: () => [`${name} (scripted)`],
    timeoutMs: () => 10 * 60_000,
    run: bodies[name] ?? (async () => ({ kind: 'done', summary: `${name} done` })),
  });
  const handlers = {} as Record<StepName, StepHandler>;
  for (const name of STEP_NAMES) handlers[name] = handler(name);
  return handlers;
}

/** The side-effect calls a deploy makes, counted in Redis so that several processes add up. */
export function sideEffectCounter(redis: Redis, prefix: string) {
  const key = `${prefix}:test:side-effects`;
  return {
    /** A fake cloud whose side effects are counted under `key` once they happened. */
    cloud(): FakeCloud {
      const cloud = new FakeCloud();
      cloud.hook = async (method, phase) => {
        if (phase === 'after' && Object.hasOwn(cloud.sideEffects(), method))
          await redis.hincrby(key, method, 1);
      };
      return cloud;
    },
    async count(method: string): Promise<number> {
      return Number((await redis.hget(key, method)) ?? 0);
    },
  };
}

/**
 * The deploy of these tests: one UpdateService, recorded, then `afterSideEffect`
 * (which may block, as a worker about to be killed does). A resumed run finds
 * the update recorded and does not repeat it.
 */
export function deployOnce(afterSideEffect: () => Promise<void> = async () => undefined) {
  return async (ctx: StepContext): Promise<StepOutcome> => {
    if (ctx.step.progress.updated !== true) {
      await ctx.ports.platform.updateService(ctx.env.cluster, 'backend-service', 'backend:8');
      await ctx.record({ progress: { updated: true } });
      await afterSideEffect();
    }
    return { kind: 'done', summary: 'deployed' };
  };
}

/** An engine on the given connections with scripted steps and a fake cloud; the caller closes it. */
export function scriptedEngine(
  options: Pick<
    EngineOptions,
    'redis' | 'workerRedis' | 'prefix' | 'worker' | 'workerTiming' | 'reconcile'
  > & {
    config: Config;
    cloud: FakeCloud;
    handlers: Record<StepName, StepHandler>;
    chat?: RecordingChat;
  },
): Engine {
  const { cloud } = options;
  return createEngine({
    ...options,
    aws: { platform: cloud, registry: cloud, database: cloud, logs: cloud, probe: new FakeProbe() },
    chat: options.chat ?? new RecordingChat(),
    clock: systemClock,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    retry: { attempts: 3, backoffMs: 20 },
  });
}
