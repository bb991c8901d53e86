import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import type { Config } from '../../../src/config/schema';
import type { Release } from '../../../src/domain/release';
import type { Engine } from '../../../src/engine/engine';
import { updateRelease } from '../../../src/engine/update-release';
import type { LockHolder } from '../../../src/ports/lock';
import { stepJobId } from '../../../src/queue/step-jobs';
import { createRedis, redisUrlFromEnv } from '../../../src/redis/connection';
import type { StepOutcome } from '../../../src/steps/step-handler';
import { RecordingChat } from '../../fakes/recording-chat';
import { cleanup, freshPrefix } from '../../support/redis';
import {
  scriptedConfig,
  scriptedEngine,
  scriptedHandlers,
  sideEffectCounter,
  STAGING_RELEASE,
} from '../../support/scripted-steps';

const SCOPE = { app: 'backend', environment: 'staging' };

async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A deploy that waits `waitMs` once (a rollout ECS is still running), then is done. */
function deployWaitingOnce(waitMs: number) {
  let waited = false;
  return async (): Promise<StepOutcome> => {
    if (waited) return { kind: 'done', summary: 'deployed' };
    waited = true;
    return { kind: 'wait', note: 'rollout in progress', delayMs: waitMs };
  };
}

describe('the reconciler (real Redis and BullMQ)', () => {
  let prefix: string;
  let client: Redis;
  let engines: Engine[];
  let connections: Redis[];
  let chat: RecordingChat;

  beforeEach(() => {
    prefix = freshPrefix();
    client = createRedis(redisUrlFromEnv(), 'client');
    connections = [client];
    engines = [];
    chat = new RecordingChat();
  });
  afterEach(async () => {
    await Promise.allSettled(engines.map((e) => e.close()));
    await cleanup(client, prefix);
    await Promise.allSettled(connections.map((c) => c.quit()));
  });

  /**
   * A worker engine whose reconciler sweeps every `intervalMs`. Timings below
   * what the configuration schema accepts are set on the parsed config, so the
   * tests take seconds rather than minutes.
   */
  function engineWith(
    tune: (config: Config) => void,
    deploy: () => Promise<StepOutcome>,
    reconcile: { intervalMs: number; quietMs: number },
  ): Engine {
    const config = scriptedConfig();
    tune(config);
    const workerRedis = createRedis(redisUrlFromEnv(), 'worker');
    connections.push(workerRedis);
    const engine = scriptedEngine({
      config,
      redis: client,
      workerRedis,
      prefix,
      worker: true,
      workerTiming: { lockDuration: 1_000, stalledInterval: 400 },
      reconcile,
      cloud: sideEffectCounter(client, prefix).cloud(),
      handlers: scriptedHandlers({ deploy }),
      chat,
    });
    engines.push(engine);
    return engine;
  }

  async function requestAndStart(engine: Engine): Promise<Release> {
    const requested = await engine.service.request(STAGING_RELEASE);
    await waitUntil('preflight', async () =>
      (await engine.store.get(requested.id))?.steps[0]?.state === 'succeeded' ? true : undefined,
    );
    return engine.service.start(requested.id, 'U0DEPLOYER', { override: 'reconciler test' });
  }

  function waitForEnd(engine: Engine, id: string): Promise<Release> {
    return waitUntil('the release to end', async () => {
      const r = await engine.store.get(id);
      return r && r.state !== 'running' && r.state !== 'awaiting_start' ? r : undefined;
    });
  }

  it('queues a release’s vanished job again, and the release completes', async () => {
    const engine = engineWith(() => undefined, deployWaitingOnce(60_000), { intervalMs: 200, quietMs: 300 });
    const started = await requestAndStart(engine);
    const jobId = stepJobId(started.id, 'deploy');
    await waitUntil('the deploy to wait', async () =>
      (await engine.queue.getJobState(jobId)) === 'delayed' ? true : undefined,
    );
    // Lost with a failover, say: nothing would ever run the release again.
    assert.equal(await engine.queue.remove(jobId), 1);

    const done = await waitForEnd(engine, started.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));
    assert.equal(done.steps.find((s) => s.name === 'deploy')?.runs, 2);
    assert.deepEqual(await engine.store.activeIds(), [], 'a finished release leaves the active index');
    assert.equal(await engine.locks.holder(SCOPE), undefined);
  });

  it('queues the step again when only its finished job is left', async () => {
    const engine = engineWith(() => undefined, deployWaitingOnce(60_000), { intervalMs: 200, quietMs: 300 });
    const started = await requestAndStart(engine);
    const jobId = stepJobId(started.id, 'deploy');
    await waitUntil('the deploy to wait', async () =>
      (await engine.queue.getJobState(jobId)) === 'delayed' ? true : undefined,
    );
    // A job of that id that ended without running the step (here: it named no release):
    // its id would dedupe a plain add, so only removing it first gets the step run again.
    await engine.queue.remove(jobId);
    await engine.queue.add('deploy', { releaseId: 'r-gone', step: 'deploy' }, { jobId });
    await waitUntil('the stand-in job to finish', async () =>
      (await engine.queue.getJobState(jobId)) === 'completed' ? true : undefined,
    );

    const done = await waitForEnd(engine, started.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));
    assert.equal(done.steps.find((s) => s.name === 'deploy')?.runs, 2);
  });

  it('holds the release lock through a wait three times longer than its ttl', async () => {
    const lockTtl = 600;
    const engine = engineWith((c) => (c.engine.lockTtl = lockTtl), deployWaitingOnce(3 * lockTtl), {
      intervalMs: 150,
      quietMs: 60_000,
    });
    const started = await requestAndStart(engine);
    const holders: (LockHolder | undefined)[] = [];
    for (;;) {
      const release = await engine.store.get(started.id);
      if (release?.state !== 'running') break;
      holders.push(await engine.locks.holder(SCOPE));
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.ok(holders.length > (3 * lockTtl) / 25 / 2, `sampled the lock ${holders.length} times`);
    for (const holder of holders) {
      assert.ok(holder?.kind === 'release' && holder.owner === started.id, JSON.stringify(holder));
    }
    assert.equal((await engine.store.get(started.id))?.state, 'succeeded');
  });

  it('without a heartbeat between runs the same wait lets the lock lapse (the control)', async () => {
    const lockTtl = 600;
    const engine = engineWith((c) => (c.engine.lockTtl = lockTtl), deployWaitingOnce(3 * lockTtl), {
      intervalMs: 60_000,
      quietMs: 60_000,
    });
    const started = await requestAndStart(engine);
    await waitUntil('the lock to lapse during the wait', async () =>
      (await engine.locks.holder(SCOPE)) === undefined ? true : undefined,
    );
    await waitForEnd(engine, started.id);
  });

  it('expires a release nobody started within startTimeout: cancelled, posted, audited, lock freed', async () => {
    const startTimeout = 700;
    const engine = engineWith((c) => (c.engine.startTimeout = startTimeout), deployWaitingOnce(0), {
      intervalMs: 150,
      quietMs: 60_000,
    });
    const requested = await engine.service.request(STAGING_RELEASE);
    const expired = await waitForEnd(engine, requested.id);

    assert.equal(expired.state, 'cancelled');
    assert.equal(expired.cancelledBy, 'deploybot');
    assert.equal(expired.expired?.afterMs, startTimeout);
    assert.ok(expired.createdAt + startTimeout <= (expired.endedAt ?? 0));
    assert.equal(await engine.locks.holder(SCOPE), undefined, 'the lock is free');
    const audit = await engine.audit.recent(20, { releaseId: requested.id });
    assert.deepEqual(
      audit.filter((e) => e.action === 'release.expired').map((e) => e.actor),
      ['deploybot'],
    );
    const posts = chat.events.filter((e) => e.releaseId === requested.id && e.kind === 'detail');
    assert.ok(
      posts.some((p) => p.lines?.some((l) => l.includes('expired: nobody pressed Start within 700ms'))),
      JSON.stringify(posts),
    );
    assert.ok(chat.events.some((e) => e.releaseId === requested.id && e.kind === 'finished'));
    await assert.rejects(engine.service.start(requested.id, 'U0DEPLOYER', { override: 'late' }), {
      code: 'not_startable',
    });
  });

  it('leaves a release that fail() reaches after it was rolled back as rolled back', async () => {
    const engine = engineWith(() => undefined, deployWaitingOnce(60_000), {
      intervalMs: 60_000,
      quietMs: 60_000,
    });
    const started = await requestAndStart(engine);
    await waitUntil('the deploy to wait', async () =>
      (await engine.queue.getJobState(stepJobId(started.id, 'deploy'))) === 'delayed' ? true : undefined,
    );
    // As an approved rollback ends it, while its deploy job is still around.
    await updateRelease(engine.store, started.id, (r) => ({
      ...r,
      state: 'rolled_back',
      rolledBackBy: 'r-x',
    }));

    const result = await engine.runner.fail(started.id, 'deploy', { code: 'job_failed', message: 'late' });
    assert.equal(result.kind, 'ignored');
    const after = await engine.store.get(started.id);
    assert.equal(after?.state, 'rolled_back');
    assert.equal(after?.failure, undefined);
    const audit = await engine.audit.recent(20, { releaseId: started.id });
    assert.equal(audit.filter((e) => e.action === 'release.failed').length, 0);
  });
});
