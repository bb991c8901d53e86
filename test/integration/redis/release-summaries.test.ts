import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { StaleWriteError } from '../../../src/domain/errors';
import { RELEASE_STEP_NAMES, type Release } from '../../../src/domain/release';
import { redisKeys } from '../../../src/redis/keys';
import { RedisReleaseStore } from '../../../src/redis/release-store';
import { cleanup, connectTestRedis, freshPrefix } from '../../support/redis';

const T0 = 1_767_225_600_000;

function aRelease(id: string, createdAt: number, overrides: Partial<Release> = {}): Release {
  return {
    id,
    app: 'shop',
    environment: 'production',
    version: 'v1.2.0',
    type: 'minor',
    requestedBy: 'U1',
    state: 'awaiting_start',
    createdAt,
    updatedAt: createdAt,
    revision: 0,
    steps: RELEASE_STEP_NAMES.map((name) => ({ name, state: 'pending', runs: 0, progress: {} })),
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    checklist: {},
    ...overrides,
  };
}

describe('RedisReleaseStore: DORA summaries', () => {
  let redis: Redis;
  let prefix: string;
  let store: RedisReleaseStore;

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = freshPrefix();
    store = new RedisReleaseStore(redis, prefix);
  });

  afterEach(async () => {
    await cleanup(redis, prefix);
    await redis.quit();
  });

  it('writes a summary with create, listed by createdAt in [from, to), oldest first', async () => {
    await store.create(aRelease('r-b', T0 + 2000));
    await store.create(aRelease('r-a', T0 + 1000));
    await store.create(aRelease('r-c', T0 + 3000));
    await store.create(aRelease('r-other-app', T0 + 1500, { app: 'billing' }));

    const ids = (await store.summaries('shop', T0 + 1000, T0 + 3000)).map((s) => s.id);

    assert.deepEqual(ids, ['r-a', 'r-b']);
    assert.deepEqual(
      (await store.summaries('billing', T0, T0 + 10_000)).map((s) => s.id),
      ['r-other-app'],
    );
  });

  it('replaces the summary on every save, so it always shows the release as last saved', async () => {
    const created = aRelease('r-1', T0);
    await store.create(created);
    const running = await store.save({ ...created, state: 'running', startedAt: T0 + 10 });
    await store.save({
      ...running,
      state: 'succeeded',
      endedAt: T0 + 500,
      facts: { ...running.facts, changeAt: { at: T0 - 100, source: 'ecr-push' } },
    });

    assert.deepEqual(await store.summaries('shop', T0, T0 + 1), [
      {
        id: 'r-1',
        app: 'shop',
        environment: 'production',
        createdAt: T0,
        state: 'succeeded',
        endedAt: T0 + 500,
        changeAt: T0 - 100,
      },
    ]);
    assert.equal(await redis.zcard(redisKeys(prefix).releaseSummaries('shop')), 1);
  });

  it('replaces only its own summary among releases created in the same millisecond', async () => {
    const first = aRelease('r-1', T0);
    const tenth = aRelease('r-10', T0);
    await store.create(first);
    await store.create(tenth);

    await store.save({ ...first, state: 'cancelled', endedAt: T0 + 1 });

    const states = Object.fromEntries(
      (await store.summaries('shop', T0, T0 + 1)).map((s) => [s.id, s.state]),
    );
    assert.deepEqual(states, { 'r-1': 'cancelled', 'r-10': 'awaiting_start' });
  });

  it('leaves the summary alone when a stale save is refused', async () => {
    const created = aRelease('r-1', T0);
    await store.create(created);
    await store.save({ ...created, state: 'running' });

    await assert.rejects(store.save({ ...created, state: 'failed' }), StaleWriteError);

    assert.deepEqual(
      (await store.summaries('shop', T0, T0 + 1)).map((s) => s.state),
      ['running'],
    );
  });

  it('backfills the summaries of releases stored before summaries existed; current ones stay as they were', async () => {
    const keys = redisKeys(prefix);
    const old = aRelease('r-old', T0, { state: 'succeeded', endedAt: T0 + 100, revision: 4 });
    const current = aRelease('r-current', T0 + 1);
    // As an older deploybot stored a release: the JSON and its history entry, no summary.
    await redis.set(keys.release(old.id), JSON.stringify(old));
    await redis.zadd(keys.history('shop'), old.createdAt, old.id);
    await store.create(current);
    await store.save({ ...current, state: 'running' });

    const written = await store.backfillSummaries('shop');

    assert.equal(written, 2);
    assert.deepEqual(
      (await store.summaries('shop', T0, T0 + 2)).map((s) => [s.id, s.state, s.endedAt]),
      [
        ['r-old', 'succeeded', T0 + 100],
        ['r-current', 'running', undefined],
      ],
    );
    assert.equal(await redis.zcard(keys.releaseSummaries('shop')), 2);
  });

  it('backfills an app once: later start-ups skip reading its history again', async () => {
    const keys = redisKeys(prefix);
    const old = aRelease('r-old', T0, { state: 'succeeded', endedAt: T0 + 100, revision: 4 });
    await redis.set(keys.release(old.id), JSON.stringify(old));
    await redis.zadd(keys.history('shop'), old.createdAt, old.id);
    assert.equal(await store.backfillSummariesOnce('shop'), 1);
    // Another summary-less release (as if written behind its back) is not looked for again.
    const older = aRelease('r-older', T0 - 1, { state: 'succeeded', endedAt: T0, revision: 2 });
    await redis.set(keys.release(older.id), JSON.stringify(older));
    await redis.zadd(keys.history('shop'), older.createdAt, older.id);
    assert.equal(await store.backfillSummariesOnce('shop'), 0);
    assert.deepEqual(
      (await store.summaries('shop', T0 - 1, T0)).map((s) => s.id),
      [],
      'skipped: no summary written',
    );
    await store.backfillSummaries('shop');
    assert.deepEqual(
      (await store.summaries('shop', T0 - 1, T0)).map((s) => s.id),
      ['r-older'],
      'the full pass still finds it when asked',
    );
  });
});
