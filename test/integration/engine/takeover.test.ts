import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import type { Redis } from 'ioredis';
import type { Release } from '../../../src/domain/release';
import type { Engine } from '../../../src/engine/engine';
import { createRedis, redisUrlFromEnv } from '../../../src/redis/connection';
import { redisKeys } from '../../../src/redis/keys';
import { RedisRunLeases } from '../../../src/redis/run-lease';
import { cleanup, freshPrefix } from '../../support/redis';
import {
  deployOnce,
  scriptedConfig,
  scriptedEngine,
  scriptedHandlers,
  sideEffectCounter,
  STAGING_RELEASE,
} from '../../support/scripted-steps';
import { startTs } from '../../support/spawn';

/** The budget: a killed worker's step runs again on another worker within this. */
const TAKEOVER_BUDGET_MS = 15_000;

async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function waitForLine(child: ChildProcess, line: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`no "${line}" from the worker: ${out} ${err}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.split('\n').includes(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`worker exited (${code}) before "${line}": ${err}`)));
  });
}

describe('fast takeover of a killed worker’s step (real Redis, BullMQ, a worker process)', () => {
  let prefix: string;
  const connections: Redis[] = [];
  const engines: Engine[] = [];
  let child: ChildProcess | undefined;

  function connect(role: 'client' | 'worker'): Redis {
    const redis = createRedis(redisUrlFromEnv(), role);
    connections.push(redis);
    return redis;
  }

  beforeEach(() => {
    prefix = freshPrefix();
  });
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    child = undefined;
    await Promise.allSettled(engines.splice(0).map((e) => e.close()));
    const redis = connections[0];
    if (redis) await cleanup(redis, prefix);
    await Promise.allSettled(connections.splice(0).map((c) => c.quit()));
  });

  it('resumes a step of a SIGKILLed worker on another worker within 15 s, its side effect once', async function () {
    this.timeout(60_000);
    const client = connect('client');
    const counter = sideEffectCounter(client, prefix);
    const config = scriptedConfig();
    // The web side: requests and starts, runs nothing.
    const web = scriptedEngine({
      config,
      redis: client,
      prefix,
      worker: false,
      cloud: counter.cloud(),
      handlers: scriptedHandlers({}),
    });
    engines.push(web);

    child = startTs('test/support/takeover-worker.ts', [], { DEPLOYBOT_TEST_PREFIX: prefix });
    await waitForLine(child, 'ready', 20_000);
    const blocked = waitForLine(child, 'blocked', 20_000);
    const requested = await web.service.request(STAGING_RELEASE);
    await waitUntil(
      'preflight',
      async () => ((await web.store.get(requested.id))?.steps[0]?.state === 'succeeded' ? true : undefined),
      20_000,
    );
    await web.service.start(requested.id, 'U0DEPLOYER', { override: 'takeover test' });
    await blocked;

    // The second worker is up before the first dies, as in production.
    const survivor = scriptedEngine({
      config,
      redis: client,
      workerRedis: connect('worker'),
      prefix,
      worker: true,
      cloud: counter.cloud(),
      handlers: scriptedHandlers({ deploy: deployOnce() }),
    });
    engines.push(survivor);
    await survivor.worker?.waitUntilReady();

    const killedAt = Date.now();
    child.kill('SIGKILL');
    const deployOf = (r: Release | undefined) => r?.steps.find((s) => s.name === 'deploy');
    await waitUntil(
      'the deploy to run again',
      async () => ((deployOf(await web.store.get(requested.id))?.runs ?? 0) >= 2 ? true : undefined),
      TAKEOVER_BUDGET_MS + 15_000,
    );
    const takeoverMs = Date.now() - killedAt;
    assert.ok(takeoverMs < TAKEOVER_BUDGET_MS, `the step resumed after ${takeoverMs} ms`);

    const done = await waitUntil(
      'the release to end',
      async () => {
        const r = await web.store.get(requested.id);
        return r && r.state !== 'running' ? r : undefined;
      },
      20_000,
    );
    assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));
    assert.equal(deployOf(done)?.runs, 2);
    assert.equal(await counter.count('updateService'), 1, 'UpdateService was sent once');
  });

  it('stops a run whose lease another run took, before its side effect, and fails nothing', async () => {
    const client = connect('client');
    const counter = sideEffectCounter(client, prefix);
    let releaseFirst: () => void = () => undefined;
    let markPaused: () => void = () => undefined;
    const firstPaused = new Promise<void>((paused) => (markPaused = paused));
    const gate = new Promise<void>((go) => (releaseFirst = go));
    let calls = 0;
    const deploy = deployOnce();
    // No worker: the test plays both runners. A lease lives 300 ms without renewal.
    const engine = scriptedEngine({
      config: scriptedConfig(),
      redis: client,
      prefix,
      worker: false,
      workerTiming: { lockDuration: 300, stalledInterval: 150 },
      cloud: counter.cloud(),
      handlers: scriptedHandlers({
        deploy: async (ctx) => {
          calls += 1;
          // The first run stops just before its side effect, as a frozen worker would.
          if (calls === 1) {
            markPaused();
            await gate;
          }
          return deploy(ctx);
        },
      }),
    });
    engines.push(engine);
    const requested = await engine.service.request(STAGING_RELEASE);
    const run = (token: string) =>
      engine.runner.run(requested.id, 'preflight', { finalAttempt: false, runToken: token });
    assert.equal((await run('preflight-run')).kind, 'parked');
    await engine.service.start(requested.id, 'U0DEPLOYER', { override: 'lease test' });
    assert.deepEqual(await engine.runner.run(requested.id, 'baseline', { finalAttempt: false }), {
      kind: 'next',
      step: 'deploy',
    });

    const first = engine.runner.run(requested.id, 'deploy', { finalAttempt: false, runToken: 'run-1' });
    await firstPaused;
    // Its lease lapses (nobody renews it); a second run takes it over and deploys.
    const leaseKey = redisKeys(prefix).runLease(requested.id);
    await waitUntil(
      'the first lease to lapse',
      async () => ((await client.exists(leaseKey)) === 0 ? true : undefined),
      5_000,
    );
    const second = await engine.runner.run(requested.id, 'deploy', {
      finalAttempt: false,
      runToken: 'run-2',
    });
    assert.deepEqual(second, { kind: 'next', step: 'verify' });

    releaseFirst();
    assert.deepEqual(await first, { kind: 'lease_lost' });
    assert.equal(await counter.count('updateService'), 1, 'only the lease holder sent UpdateService');
    const after = await engine.store.get(requested.id);
    assert.equal(after?.state, 'running', 'the overtaken run failed nothing');
    assert.equal(after?.steps.find((s) => s.name === 'deploy')?.state, 'succeeded');
  });

  it('stops a run that finds another run holding the lease right now', async () => {
    const client = connect('client');
    const counter = sideEffectCounter(client, prefix);
    const leases = new RedisRunLeases(client, prefix);
    let requestedId = '';
    const engine = scriptedEngine({
      config: scriptedConfig(),
      redis: client,
      prefix,
      worker: false,
      cloud: counter.cloud(),
      handlers: scriptedHandlers({
        deploy: async (ctx) => {
          // Another worker's run takes the lease while this one is between two calls.
          await client.set(redisKeys(prefix).runLease(requestedId), 'run-other', 'PX', 60_000);
          return deployOnce()(ctx);
        },
      }),
    });
    engines.push(engine);
    const requested = await engine.service.request(STAGING_RELEASE);
    requestedId = requested.id;
    await engine.runner.run(requested.id, 'preflight', { finalAttempt: false });
    await engine.service.start(requested.id, 'U0DEPLOYER', { override: 'lease test' });
    await engine.runner.run(requested.id, 'baseline', { finalAttempt: false });

    assert.deepEqual(await engine.runner.run(requested.id, 'deploy', { finalAttempt: false }), {
      kind: 'lease_lost',
    });
    assert.equal(await counter.count('updateService'), 0);
    // A third run waits for the holder rather than running beside it.
    const busy = await engine.runner.run(requested.id, 'deploy', { finalAttempt: false });
    assert.equal(busy.kind, 'lease_busy');
    assert.equal((await engine.store.get(requested.id))?.state, 'running');
    await leases.give(requested.id, 'run-other');
  });
});
