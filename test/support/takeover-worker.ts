/**
 * A worker process for the takeover test: builds the engine with the scripted
 * configuration and scripted steps whose deploy makes its side effect, records
 * it, says `blocked` on stdout and then hangs, as a worker does when it is
 * killed mid-step. Env: REDIS_URL, DEPLOYBOT_TEST_PREFIX. Prints `ready` once
 * its worker takes jobs. The production worker timings apply (no workerTiming).
 */
import { createRedis, redisUrlFromEnv } from '../../src/redis/connection';
import {
  deployOnce,
  scriptedConfig,
  scriptedEngine,
  scriptedHandlers,
  sideEffectCounter,
} from './scripted-steps';

async function main(): Promise<void> {
  const prefix = process.env.DEPLOYBOT_TEST_PREFIX;
  if (!prefix) throw new Error('DEPLOYBOT_TEST_PREFIX is required');
  const redis = createRedis(redisUrlFromEnv(), 'client');
  const workerRedis = createRedis(redisUrlFromEnv(), 'worker');
  const engine = scriptedEngine({
    config: scriptedConfig(),
    redis,
    workerRedis,
    prefix,
    worker: true,
    cloud: sideEffectCounter(redis, prefix).cloud(),
    handlers: scriptedHandlers({
      deploy: deployOnce(async () => {
        process.stdout.write('blocked\n');
        await new Promise<never>(() => undefined);
      }),
    }),
  });
  await engine.worker?.waitUntilReady();
  process.stdout.write('ready\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
