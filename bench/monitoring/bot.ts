/**
 * The bot under measurement, in a process of its own so its memory is its own:
 * the release engine with a BullMQ step worker on real Redis and the real AWS
 * adapters (createAwsPorts: SDK clients that find the emulator through the
 * AWS_ENDPOINT_URL_* variables it inherits). Started by scenario.ts over IPC:
 * it gets {start}, answers {ready}, reports its memory every 200 ms and every
 * rollback proposal its monitoring makes, and on {stop} closes and exits.
 */
import pino from 'pino';
import { createAwsPorts } from '../../src/aws/ports';
import type { Release } from '../../src/domain/release';
import { createEngine, type Engine } from '../../src/engine/engine';
import { systemClock } from '../../src/ports/clock';
import type { ReleaseChat } from '../../src/ports/release-chat';
import { createRedis, redisUrlFromEnv } from '../../src/redis/connection';
import { parseBenchConfig } from './system';

export type ToBot = { kind: 'start'; prefix: string; config: string } | { kind: 'stop' };

export type FromBot =
  | { kind: 'ready' }
  | { kind: 'memory'; rss: number; heapUsed: number }
  | { kind: 'proposal'; app: string; at: number; reason: string }
  | { kind: 'stopped' };

function send(message: FromBot): void {
  process.send?.(message);
}

/** Slack stand-in: only a rollback proposal (a release created with `rollbackOf`) is of interest. */
const chat: ReleaseChat = {
  async releaseCreated(release: Release) {
    if (release.rollbackOf) {
      send({ kind: 'proposal', app: release.app, at: Date.now(), reason: release.rollbackOf.reason ?? '' });
    }
  },
  async releaseUpdated() {},
  async appLocked() {},
  async stepDetail() {},
  async releaseFinished() {},
  async policyOverridden() {},
  async reviewRequested() {},
  async queueTurnCame() {},
  async queuedReleaseSuperseded() {},
};

let engine: Engine | undefined;
const redis = createRedis(redisUrlFromEnv(), 'client');
const workerRedis = createRedis(redisUrlFromEnv(), 'worker');
const memory = setInterval(() => {
  const { rss, heapUsed } = process.memoryUsage();
  send({ kind: 'memory', rss, heapUsed });
}, 200);

let stopping = false;

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await engine?.close();
  clearInterval(memory);
  await Promise.allSettled([redis.quit(), workerRedis.quit()]);
  send({ kind: 'stopped' });
  process.disconnect?.();
}

process.on('message', (message: ToBot) => {
  if (message.kind === 'start') {
    engine = createEngine({
      config: parseBenchConfig(message.config),
      redis,
      workerRedis,
      prefix: message.prefix,
      aws: createAwsPorts(),
      chat,
      clock: systemClock,
      logger: pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' }),
      worker: true,
    });
    send({ kind: 'ready' });
  } else if (message.kind === 'stop') {
    stop().catch((error: unknown) => {
      console.error('bench bot: stopping failed:', error);
      process.exit(1);
    });
  }
});
// The parent went away without a stop: do not linger.
process.on('disconnect', () => {
  if (!stopping) void stop().finally(() => process.exit(0));
});
