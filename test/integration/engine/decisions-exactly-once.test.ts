import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { parseConfig } from '../../../src/config/load';
import { lockScopeResolver } from '../../../src/config/lock-groups';
import { DeploybotError, LockedError } from '../../../src/domain/errors';
import { planSteps } from '../../../src/domain/plan';
import type { Release, StepName } from '../../../src/domain/release';
import { ReleaseService } from '../../../src/engine/release-service';
import { updateRelease } from '../../../src/engine/update-release';
import type { Clock } from '../../../src/ports/clock';
import type { StepQueue } from '../../../src/ports/step-queue';
import { RedisAuditLog } from '../../../src/redis/audit-log';
import { RedisLockService } from '../../../src/redis/lock-service';
import { RedisReleaseStore } from '../../../src/redis/release-store';
import { FakeCloud } from '../../fakes/fake-cloud';
import { RecordingChat } from '../../fakes/recording-chat';
import { cleanup, connectTestRedis, freshPrefix } from '../../support/redis';

/**
 * Two environments on their own clusters, and a second app whose production
 * shares backend's database: one lock group. Only people's items are required,
 * so a release can start without preflight (no worker runs here).
 */
const CONFIG = parseConfig(`
engine: { lockTtl: 5m, startTimeout: 5m }
apps:
  backend:
    environments:
      staging:
        cluster: staging-cluster
        services: [{ name: backend-service, containers: [backend] }]
        logs: { group: /ecs/backend-staging }
        health: { url: "http://staging.test", endpoints: [/health] }
        checklist: { required: [unit-tests, code-reviewed] }
      production:
        cluster: prod-cluster
        services:
          - { name: backend-service, containers: [backend] }
          - { name: worker-service, containers: [worker] }
        database: { instance: shared-db }
        logs: { group: /ecs/backend }
        health: { url: "http://api.test", endpoints: [/health] }
        checklist: { required: [unit-tests, code-reviewed] }
        approvers: [U0APPROVER]
        lockGroup: shared-db
  billing:
    environments:
      production:
        cluster: prod-cluster
        services: [{ name: billing-service, containers: [billing] }]
        database: { instance: shared-db }
        logs: { group: /ecs/billing }
        health: { url: "http://billing.test", endpoints: [/health] }
        lockGroup: shared-db
`);

const FIVE = ['U1', 'U2', 'U3', 'U4', 'U5'];
const PRODUCTION = { app: 'backend', environment: 'production' };

/** Every enqueue, in order: "exactly once" is counted here, not left to the queue's dedup. */
class CountingQueue implements StepQueue {
  readonly enqueued: { releaseId: string; step: StepName }[] = [];
  async enqueue(releaseId: string, step: StepName): Promise<void> {
    this.enqueued.push({ releaseId, step });
  }
  count(releaseId: string): number {
    return this.enqueued.filter((e) => e.releaseId === releaseId).length;
  }
}

/** `target` with `before(method)` awaited ahead of every method call. */
function tapped<T extends object>(target: T, before: (method: string) => Promise<void>): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await before(String(property));
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}

/** Real time, but never the same millisecond twice: history orders releases by createdAt. */
function strictlyIncreasingClock(): Clock {
  let last = 0;
  return { now: () => (last = Math.max(last + 1, Date.now())) };
}

describe('decisions are exactly once, on real Redis', () => {
  let redis: Redis;
  let prefix: string;
  let store: RedisReleaseStore;
  let locks: RedisLockService;
  let audit: RedisAuditLog;
  let chat: RecordingChat;
  let queue: CountingQueue;
  let cloud: FakeCloud;
  let clock: Clock;
  let service: ReleaseService;

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = freshPrefix();
    clock = strictlyIncreasingClock();
    store = new RedisReleaseStore(redis, prefix);
    locks = new RedisLockService(redis, prefix, clock, lockScopeResolver(CONFIG));
    audit = new RedisAuditLog(redis, prefix);
    chat = new RecordingChat();
    queue = new CountingQueue();
    cloud = new FakeCloud();
    service = new ReleaseService({
      config: CONFIG,
      store,
      locks,
      audit,
      chat,
      queue,
      clock,
      logger: pino({ level: 'silent' }),
      platform: cloud,
    });
  });
  afterEach(async () => {
    await cleanup(redis, prefix);
    await redis.quit();
  });

  async function auditCount(action: string, releaseId?: string): Promise<number> {
    const entries = await audit.recent(1000);
    return entries.filter((e) => e.action === action && (!releaseId || e.releaseId === releaseId)).length;
  }

  function chatCount(kind: string, releaseId: string): number {
    return chat.events.filter((e) => e.kind === kind && e.releaseId === releaseId).length;
  }

  /** Settles the calls and splits them; every loser must be refused with `code`. */
  async function oneWinner<T>(calls: Promise<T>[], code: string): Promise<T> {
    const settled = await Promise.allSettled(calls);
    const won = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const lost = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    assert.equal(won.length, 1, `winners: ${won.length}; refusals: ${lost.map(String).join(' | ')}`);
    for (const reason of lost) {
      assert.ok(reason instanceof DeploybotError, String(reason));
      assert.equal(reason.code, code, reason.message);
    }
    return won[0] as T;
  }

  async function requested(environment = 'production', app = 'backend'): Promise<Release> {
    return service.request({ version: 'v1.2.0', app, environment, requestedBy: 'U0DEPLOYER' });
  }

  async function startable(): Promise<Release> {
    const release = await requested();
    await service.tick(release.id, 'U0REVIEWER', { 'unit-tests': true, 'code-reviewed': true });
    return release;
  }

  /**
   * A release of backend/production in `state` that changed backend-service
   * (from what ECS runs now), holding its lock when still in flight.
   */
  async function seedReverted(
    state: 'running' | 'succeeded',
    extra: Partial<Release> = {},
  ): Promise<Release> {
    const now = clock.now();
    const current = cloud.services.get('backend-service')?.deployments[0]?.taskDefinition ?? '';
    const release: Release = {
      id: `r-seed-${now}`,
      ...PRODUCTION,
      version: 'v1.2.0',
      type: 'minor',
      requestedBy: 'U0DEPLOYER',
      state,
      createdAt: now,
      updatedAt: now,
      startedAt: now,
      revision: 0,
      steps: planSteps('minor', { hasDatabase: true, hasMigration: false }),
      facts: {
        previousTaskDefinitions: { 'backend-service': current },
        targetTaskDefinitions: { 'backend-service': `${current.replace(/:\d+$/, '')}:99` },
      },
      checklist: {},
      ...extra,
    };
    await store.create(release);
    if (state === 'running') await locks.acquire(PRODUCTION, release.id, 60_000);
    return release;
  }

  async function proposal(reverted: Release, database?: 'restore'): Promise<Release> {
    return service.proposeRollback({
      ...PRODUCTION,
      requestedBy: 'U0OPS',
      releaseId: reverted.id,
      ...(database ? { database } : {}),
    });
  }

  it('starts a release once of five concurrent Starts: one enqueue, one audit entry, one post', async () => {
    const release = await startable();
    const enqueuedBefore = queue.count(release.id);
    const updatesBefore = chatCount('updated', release.id);

    const started = await oneWinner(
      FIVE.map((by) => service.start(release.id, by)),
      'not_startable',
    );
    assert.equal(started.state, 'running');
    assert.equal(queue.count(release.id) - enqueuedBefore, 1);
    assert.equal(await auditCount('release.started', release.id), 1);
    assert.equal(chatCount('updated', release.id) - updatesBefore, 1);
  });

  it('audits an override once, by the Start that won', async () => {
    const release = await requested();
    await oneWinner(
      FIVE.map((by) => service.start(release.id, by, { override: 'P1 outage' })),
      'not_startable',
    );
    assert.equal(await auditCount('checklist.override', release.id), 1);
  });

  it('cancels once of five concurrent cancels, then frees the lock', async () => {
    const release = await startable();
    await service.start(release.id, 'U0DEPLOYER');

    await oneWinner(
      FIVE.map((by) => service.cancel(release.id, by)),
      'not_cancellable',
    );
    assert.equal(await auditCount('release.cancelled', release.id), 1);
    assert.equal(chatCount('finished', release.id), 1);
    assert.equal(await locks.holder(PRODUCTION), undefined);
  });

  it('rejects a proposal once of five concurrent rejections', async () => {
    const reverted = await seedReverted('succeeded');
    const proposed = await proposal(reverted);
    await oneWinner(
      FIVE.map((by) => service.cancel(proposed.id, by)),
      'not_cancellable',
    );
    assert.equal(await auditCount('release.cancelled', proposed.id), 1);
    assert.equal((await store.get(proposed.id))?.state, 'cancelled');
  });

  it('refuses to reject, or Start, a proposal outside its approval', async () => {
    const reverted = await seedReverted('succeeded');
    const proposed = await proposal(reverted);
    const unapproved = await assert.rejects(
      service.start(proposed.id, 'U0DEPLOYER'),
      /starts when an approver/,
    );
    assert.equal(unapproved, undefined);
    assert.equal(queue.count(proposed.id), 0, 'Start does not bypass the approvers');

    // An approval has claimed it and is on its way to starting it.
    await updateRelease(store, proposed.id, (r) => {
      r.proposal = { expects: {}, ...r.proposal, approvedBy: { by: 'U0APPROVER', at: clock.now() } };
      return r;
    });
    await assert.rejects(service.cancel(proposed.id, 'U2'), (error: unknown) => {
      assert.ok(error instanceof DeploybotError);
      assert.equal(error.code, 'already_decided');
      return true;
    });
    assert.equal((await store.get(proposed.id))?.state, 'awaiting_start');
  });

  it('applies five identical concurrent ticks once: one audit entry, one post, the rest no-ops', async () => {
    const release = await requested();
    const updatesBefore = chatCount('updated', release.id);
    const results = await Promise.all(
      FIVE.map((by) => service.tick(release.id, by, { 'unit-tests': true, 'code-reviewed': true })),
    );
    assert.ok(results.every((r) => 'unit-tests' in r.checklist && 'code-reviewed' in r.checklist));
    const ticks = (await audit.recent(100)).filter((e) => e.action === 'checklist.tick');
    assert.equal(ticks.length, 1);
    assert.equal(ticks[0]?.detail, '+unit-tests +code-reviewed');
    assert.equal(chatCount('updated', release.id) - updatesBefore, 1);
  });

  it('audits each concurrent tick with exactly what its own winning write changed', async () => {
    const release = await requested();
    await service.tick(release.id, 'U0', { changelog: true });
    const items = ['unit-tests', 'code-reviewed', 'coverage', 'runbook', 'load-tested'];
    // Each asks for changelog ticked too, as it already is: no change of theirs, so not in their entry.
    await Promise.all(
      items.map((id, i) => service.tick(release.id, `U${i}`, { [id]: true, changelog: true })),
    );
    const details = (await audit.recent(100))
      .filter((e) => e.action === 'checklist.tick')
      .map((e) => `${e.actor} ${e.detail}`);
    assert.deepEqual(details.sort(), ['U0 +changelog', ...items.map((id, i) => `U${i} +${id}`)].sort());
    const stored = await store.get(release.id);
    assert.deepEqual(Object.keys(stored?.checklist ?? {}).sort(), [...items, 'changelog'].sort());
  });

  it('starts a rollback once of five concurrent approvals, taking over the reverted release’s lock', async () => {
    const reverted = await seedReverted('running');
    const proposed = await proposal(reverted);

    const started = await oneWinner(
      FIVE.map((by) => service.approveRollback(proposed.id, by)),
      'already_decided',
    );
    assert.equal(started.state, 'running');
    assert.equal(queue.count(proposed.id), 1);
    assert.equal(await auditCount('rollback.approved'), 1);
    assert.equal(await auditCount('release.rolled_back'), 1);
    assert.equal(await auditCount('release.started', proposed.id), 1);
    assert.equal((await store.get(reverted.id))?.state, 'rolled_back');
    const holder = await locks.holder(PRODUCTION);
    assert.equal(holder?.kind === 'release' && holder.owner, proposed.id);
  });

  it('never lets a /deploy slip in between the reverted release and its rollback (50 races)', async () => {
    // The /deploy is fired at a different point of the approval each time: before
    // its n-th call to the store, locks, audit log, chat, ECS or queue. The approval
    // waits there until the /deploy has its answer, so every gap is tried.
    let calls = 0;
    let fireAt = -1;
    let racer: Promise<Release> | undefined;
    const race = async () => {
      if (calls++ !== fireAt) return;
      racer = requested();
      await racer.catch(() => undefined);
    };
    const approving = new ReleaseService({
      config: CONFIG,
      store: tapped(store, race),
      locks: tapped(locks, race),
      audit: tapped(audit, race),
      chat: tapped(chat, race),
      queue: tapped(queue, race),
      clock,
      logger: pino({ level: 'silent' }),
      platform: tapped(cloud, race),
    });
    let longest = 0;
    for (let i = 0; i < 50; i++) {
      const reverted = await seedReverted('running');
      const proposed = await proposal(reverted);
      calls = 0;
      fireAt = i % 25;
      racer = undefined;
      const approval = await approving.approveRollback(proposed.id, 'U0APPROVER').then(
        (r) => r,
        (error: unknown) => assert.fail(`race ${i}: the approval failed: ${String(error)}`),
      );
      longest = Math.max(longest, calls);
      const request = await Promise.allSettled([racer ?? requested()]);
      assert.equal(request[0]?.status, 'rejected', `race ${i}: a /deploy took the lock at call ${fireAt}`);
      assert.ok(request[0].reason instanceof LockedError, String(request[0].reason));
      const holder = await locks.holder(PRODUCTION);
      assert.equal(holder?.kind === 'release' && holder.owner, approval.id, `race ${i}`);
      await service.cancel(proposed.id, 'U0OPS');
    }
    assert.ok(longest <= 25, `the approval makes ${longest} calls; every one of them was raced`);
  });

  it('releases a claim, and the lock it took over, when the start cannot happen', async () => {
    const reverted = await seedReverted('running');
    const proposed = await proposal(reverted);
    // The reverted release lapsed and a release of billing (same lock group) took the lock.
    await locks.release(PRODUCTION, reverted.id);
    const other = await requested('production', 'billing');

    await assert.rejects(service.approveRollback(proposed.id, 'U0APPROVER'), (error: unknown) => {
      assert.ok(error instanceof LockedError);
      assert.match(
        error.message,
        new RegExp(`busy with release ${other.id} of billing/production, which shares its lock group`),
      );
      return true;
    });
    const after = await store.get(proposed.id);
    assert.equal(after?.state, 'awaiting_start');
    assert.equal(after?.proposal?.approvedBy, undefined, 'the claim was released');
    assert.equal((await store.get(reverted.id))?.state, 'running', 'nothing was changed');
    const holder = await locks.holder(PRODUCTION);
    assert.equal(holder?.kind === 'release' && holder.owner, other.id);
  });

  it('confirms a snapshot restore once, and starts it once of five concurrent second confirmations', async () => {
    const reverted = await seedReverted('succeeded', {
      facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {}, snapshotId: 'snap-1' },
    });
    const restore = await proposal(reverted, 'restore');

    await oneWinner(
      FIVE.map((by) => service.approveRollback(restore.id, by)),
      'already_confirmed',
    );
    assert.equal(await auditCount('rollback.restore.confirmed_once', restore.id), 1);

    const started = await oneWinner(
      FIVE.map((by) => service.confirmRestore(restore.id, by)),
      'already_decided',
    );
    assert.equal(started.state, 'running');
    assert.equal(queue.count(restore.id), 1);
    assert.equal(await auditCount('rollback.restore.approved', restore.id), 1);
    assert.equal(await auditCount('release.started', restore.id), 1);
  });

  it('gives the environments of one lock group one release lock', async () => {
    const backend = await requested();
    await assert.rejects(requested('production', 'billing'), (error: unknown) => {
      assert.ok(error instanceof LockedError);
      assert.match(error.message, /billing\/production is busy with release \S+ of backend\/production/);
      return true;
    });
    // Outside the group, staging has its own lock.
    await requested('staging');
    await service.cancel(backend.id, 'U0DEPLOYER');
    await requested('production', 'billing');
  });
});
