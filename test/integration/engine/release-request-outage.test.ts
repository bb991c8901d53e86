import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { parseConfig } from '../../../src/config/load';
import type { StepName } from '../../../src/domain/release';
import { ReleaseService } from '../../../src/engine/release-service';
import { systemClock } from '../../../src/ports/clock';
import type { StepQueue } from '../../../src/ports/step-queue';
import { RedisAuditLog } from '../../../src/redis/audit-log';
import { RedisLockService } from '../../../src/redis/lock-service';
import { RedisReleaseStore } from '../../../src/redis/release-store';
import { StoreUnreachableError } from '../../../src/redis/store-outage';
import { FakeCloud } from '../../fakes/fake-cloud';
import { RecordingChat } from '../../fakes/recording-chat';
import { cleanup, connectTestRedis, freshPrefix } from '../../support/redis';

const CONFIG = parseConfig(`
engine: { lockTtl: 5m, startTimeout: 2h }
apps:
  backend:
    environments:
      production:
        cluster: prod-cluster
        services: [{ name: backend-service, containers: [backend] }]
        logs: { group: /ecs/backend }
        health: { url: "http://api.test", endpoints: [/health] }
`);
const SCOPE = { app: 'backend', environment: 'production' };

/** A queue that fails like a producer connection whose Redis went away, while `down` is set. */
class FlakyQueue implements StepQueue {
  down = true;
  readonly enqueued: StepName[] = [];
  async enqueue(_releaseId: string, step: StepName): Promise<void> {
    if (this.down) throw new StoreUnreachableError();
    this.enqueued.push(step);
  }
}

describe('a release request cut off half-way (Redis went away after the release was stored)', () => {
  let redis: Redis;
  let prefix: string;
  let store: RedisReleaseStore;
  let locks: RedisLockService;
  let chat: RecordingChat;
  let queue: FlakyQueue;
  let service: ReleaseService;

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = freshPrefix();
    store = new RedisReleaseStore(redis, prefix);
    locks = new RedisLockService(redis, prefix, systemClock);
    chat = new RecordingChat();
    queue = new FlakyQueue();
    service = new ReleaseService({
      config: CONFIG,
      store,
      locks,
      audit: new RedisAuditLog(redis, prefix),
      chat,
      queue,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      platform: new FakeCloud(),
    });
  });
  afterEach(async () => {
    await cleanup(redis, prefix);
    await redis.quit();
  });

  it('is withdrawn: the release ends cancelled by deploybot, its message is closed and the lock is free', async () => {
    await assert.rejects(
      service.request({ version: 'v1.2.0', ...SCOPE, requestedBy: 'U0DEPLOYER' }),
      StoreUnreachableError,
    );
    const [withdrawn] = await store.history('backend');
    assert.equal(withdrawn?.state, 'cancelled');
    assert.equal(withdrawn?.cancelledBy, 'deploybot');
    assert.deepEqual(
      chat.events.filter((e) => e.releaseId === withdrawn?.id).map((e) => e.kind),
      ['created', 'finished'],
    );
    assert.equal(await locks.holder(SCOPE), undefined);

    queue.down = false;
    const next = await service.request({ version: 'v1.2.0', ...SCOPE, requestedBy: 'U0DEPLOYER' });
    assert.equal(next.state, 'awaiting_start');
    assert.deepEqual(queue.enqueued, ['preflight']);
  });

  it('reserves the lock for lockTtl until the release is stored, then holds it until startTimeout', async () => {
    let reserved: number | undefined;
    const create = store.create.bind(store);
    store.create = async (release) => {
      const holder = await locks.holder(SCOPE);
      reserved = holder?.kind === 'release' ? holder.expiresAt - holder.acquiredAt : undefined;
      return create(release);
    };
    queue.down = false;
    const release = await service.request({ version: 'v1.2.0', ...SCOPE, requestedBy: 'U0DEPLOYER' });
    assert.equal(reserved, 5 * 60_000);
    const holder = await locks.holder(SCOPE);
    assert.equal(holder?.kind, 'release');
    const held = holder?.kind === 'release' ? holder.expiresAt - release.createdAt : 0;
    // Until two hours after the request, give or take the milliseconds the request took.
    assert.ok(Math.abs(held - 2 * 3_600_000) < 5_000, `held for ${held} ms`);
  });
});
