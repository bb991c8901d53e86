import type { Redis } from 'ioredis';
import pino from 'pino';
import type { Config } from '../../src/config/schema';
import type { Release } from '../../src/domain/release';
import { createEngine, type Engine } from '../../src/engine/engine';
import { systemClock } from '../../src/ports/clock';
import type { LockHolder } from '../../src/ports/lock';
import type { ReleaseChat } from '../../src/ports/release-chat';
import { createRedis, redisUrlFromEnv } from '../../src/redis/connection';
import { FakeCloud } from '../fakes/fake-cloud';
import { FakeMetrics } from '../fakes/fake-metrics';
import { FakeProbe } from '../fakes/fake-probe';
import { RecordingChat } from '../fakes/recording-chat';
import { cleanup, freshPrefix } from './redis';
import { testConfig } from './test-config';

/**
 * A release engine on real Redis and BullMQ with fake AWS, under a fresh prefix.
 * `addWorker` starts more workers on the same queue, as more processes would.
 */
export class EngineHarness {
  readonly prefix = freshPrefix();
  readonly cloud = new FakeCloud();
  readonly probe = new FakeProbe();
  /** Service CPU/memory; read only where a config enables `monitoring.metrics`. */
  readonly metrics = new FakeMetrics();
  readonly chat = new RecordingChat();
  readonly config: Config;
  /** The chat the engine talks to: the recorder, unless a test brings its own (Slack). */
  private readonly engineChat: ReleaseChat;
  readonly client: Redis = createRedis(redisUrlFromEnv(), 'client');
  readonly engine: Engine;
  private readonly engines: Engine[] = [];
  private readonly connections: Redis[] = [this.client];

  constructor(
    config: Config = testConfig(),
    chat?: (harness: { client: Redis; prefix: string }) => ReleaseChat,
  ) {
    this.config = config;
    this.engineChat = chat ? chat({ client: this.client, prefix: this.prefix }) : this.chat;
    this.engine = this.build(true);
  }

  /** Another worker process, on its own connections. */
  addWorker(): Engine {
    return this.build(true);
  }

  /** Requests and starts a release the way a person would. */
  async release(version: string, environment: string, type: Release['type'] = 'minor'): Promise<Release> {
    const created = await this.engine.service.request({
      version,
      app: 'backend',
      environment,
      type,
      requestedBy: 'U0DEPLOYER',
    });
    // As people do: wait for preflight to tick its items, tick the manual required ones, press Start.
    const checked = await this.waitFor(
      created.id,
      (r) =>
        r.state !== 'awaiting_start' || r.steps[0]?.state === 'succeeded' || r.steps[0]?.state === 'failed',
    );
    if (checked.state !== 'awaiting_start') return checked;
    const required = this.config.apps.backend?.environments[environment]?.checklist.required ?? [];
    await this.engine.service.tick(
      created.id,
      'U0REVIEWER',
      Object.fromEntries(required.map((id) => [id, true])),
    );
    return this.engine.service.start(created.id, 'U0DEPLOYER');
  }

  private build(worker: boolean): Engine {
    const workerRedis = createRedis(redisUrlFromEnv(), 'worker');
    this.connections.push(workerRedis);
    const engine = createEngine({
      config: this.config,
      redis: this.client,
      workerRedis,
      prefix: this.prefix,
      aws: {
        platform: this.cloud,
        registry: this.cloud,
        database: this.cloud,
        logs: this.cloud,
        metrics: this.metrics,
        probe: this.probe,
      },
      chat: this.engineChat,
      clock: systemClock,
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      worker,
      retry: { attempts: 3, backoffMs: 20 },
      // A dead worker's job goes to another worker within about a second.
      workerTiming: { lockDuration: 800, stalledInterval: 300 },
    });
    this.engines.push(engine);
    return engine;
  }

  /**
   * Kills a worker as a crashed process would die: it stops renewing its job
   * lock and never finishes what it was doing, so BullMQ hands the job to
   * another worker once the lock lapses.
   */
  kill(engine: Engine): void {
    void engine.worker?.close(true);
  }

  /** Resolves with the release once `done` holds, polling the store. */
  async waitFor(id: string, done: (r: Release) => boolean, timeoutMs = 15_000): Promise<Release> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const release = await this.engine.store.get(id);
      if (release && done(release)) return release;
      if (Date.now() > deadline) {
        throw new Error(
          `release ${id} did not reach the expected state: ${JSON.stringify(release?.steps)} ${release?.state}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /**
   * The manual lock a finished rollback leaves on backend/production; it is set
   * just after the rollback's final state is written, so wait for it.
   */
  async waitForManualLock(): Promise<LockHolder> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const holder = await this.engine.locks.holder({ app: 'backend', environment: 'production' });
      if (holder?.kind === 'manual') return holder;
      if (Date.now() > deadline) throw new Error(`no manual lock, holder: ${JSON.stringify(holder)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Resolves once the release has ended and its end has been told: the state
   * is stored first, then the end is audited and said in the chat, so a test
   * that reads the audit log or the chat right after the state would race them.
   */
  async waitForEnd(id: string): Promise<Release> {
    const ended = await this.waitFor(
      id,
      (r) => r.state === 'succeeded' || r.state === 'failed' || r.state === 'cancelled',
    );
    // With a chat of the test's own (Slack) there is no recording to wait on.
    if (this.engineChat !== this.chat) return ended;
    const deadline = Date.now() + 15_000;
    while (!this.chat.events.some((e) => e.releaseId === id && e.kind === 'finished')) {
      if (Date.now() > deadline)
        throw new Error(`release ${id} ended ${ended.state} but its end was never told`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return ended;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.engines.map((e) => e.close()));
    await cleanup(this.client, this.prefix);
    await Promise.allSettled(this.connections.map((c) => c.quit()));
  }
}
