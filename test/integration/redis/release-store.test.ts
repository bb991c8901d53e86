import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { DeploybotError, StaleWriteError } from '../../../src/domain/errors';
import { STEP_NAMES, type Release } from '../../../src/domain/release';
import { RedisReleaseStore } from '../../../src/redis/release-store';
import { cleanup, connectTestRedis, freshPrefix } from '../../support/redis';

let sequence = 0;

function aRelease(overrides: Partial<Release> = {}): Release {
  sequence += 1;
  const createdAt = 1_764_000_000_000 + sequence * 1000;
  return {
    id: `r20261127t1713${String(sequence % 100).padStart(2, '0')}-${sequence.toString(16).padStart(4, '0')}`,
    app: 'shop',
    environment: 'staging',
    version: 'v1.2.0',
    type: 'minor',
    requestedBy: 'U123',
    state: 'awaiting_start',
    createdAt,
    updatedAt: createdAt,
    revision: 0,
    steps: STEP_NAMES.map((name) => ({ name, state: 'pending', runs: 0, progress: {} })),
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    checklist: {},
    ...overrides,
  };
}

describe('RedisReleaseStore', () => {
  let redis: Redis;
  let prefix: string;
  let store: RedisReleaseStore;
  const extraConnections: Redis[] = [];

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = freshPrefix();
    store = new RedisReleaseStore(redis, prefix);
  });

  afterEach(async () => {
    await cleanup(redis, prefix);
    await Promise.all([redis, ...extraConnections.splice(0)].map((connection) => connection.quit()));
  });

  it('returns a created release unchanged, including empty arrays and objects', async () => {
    const release = aRelease({ steps: [] });
    await store.create(release);
    assert.deepEqual(await store.get(release.id), release);
  });

  it('returns undefined for a release that does not exist', async () => {
    assert.equal(await store.get('r20990101t000000-0000'), undefined);
  });

  it('refuses to create a release whose id exists, and keeps the first', async () => {
    const release = aRelease();
    await store.create(release);
    await assert.rejects(
      store.create({ ...release, version: 'v9.9.9' }),
      (error: unknown) => error instanceof DeploybotError && error.code === 'release_exists',
    );
    assert.equal((await store.get(release.id))?.version, 'v1.2.0');
    assert.deepEqual(await store.history('shop'), [release]);
  });

  it('lists an app’s history newest first by createdAt', async () => {
    const older = aRelease({ createdAt: 1000 });
    const newest = aRelease({ createdAt: 3000 });
    const middle = aRelease({ createdAt: 2000 });
    const otherApp = aRelease({ app: 'billing', createdAt: 4000 });
    for (const release of [older, newest, middle, otherApp]) await store.create(release);

    assert.deepEqual(
      (await store.history('shop')).map((r) => r.id),
      [newest.id, middle.id, older.id],
    );
    assert.deepEqual(
      (await store.history('billing')).map((r) => r.id),
      [otherApp.id],
    );
    assert.deepEqual(await store.history('nothing-here'), []);
  });

  it('limits history to 20 by default and to the given limit', async () => {
    const created = [];
    for (let i = 0; i < 25; i += 1) created.push(aRelease({ createdAt: 1000 + i }));
    for (const release of created) await store.create(release);

    assert.equal((await store.history('shop')).length, 20);
    assert.deepEqual(
      (await store.history('shop', { limit: 3 })).map((r) => r.id),
      created
        .slice(-3)
        .reverse()
        .map((r) => r.id),
    );
  });

  it('filters history by environment, reading past non-matching batches', async () => {
    store = new RedisReleaseStore(redis, prefix, { batchSize: 2 });
    const production = [aRelease({ environment: 'production', createdAt: 1 })];
    production.push(aRelease({ environment: 'production', createdAt: 2 }));
    await store.create(production[0] as Release);
    await store.create(production[1] as Release);
    // Seven newer staging releases push production into the fourth and fifth batch.
    for (let i = 0; i < 7; i += 1)
      await store.create(aRelease({ environment: 'staging', createdAt: 10 + i }));

    assert.deepEqual(
      (await store.history('shop', { environment: 'production', limit: 2 })).map((r) => r.id),
      [production[1]?.id, production[0]?.id],
    );
    assert.deepEqual(
      (await store.history('shop', { environment: 'production' })).map((r) => r.id),
      [production[1]?.id, production[0]?.id],
    );
    assert.deepEqual(
      (await store.history('shop', { environment: 'production', limit: 1 })).map((r) => r.id),
      [production[1]?.id],
    );
    assert.equal((await store.history('shop', { environment: 'staging', limit: 5 })).length, 5);
    assert.deepEqual(await store.history('shop', { environment: 'qa' }), []);
  });

  it('saves with the revision bumped by one and returns the stored copy', async () => {
    const release = aRelease();
    await store.create(release);

    const saved = await store.save({ ...release, state: 'running', updatedAt: release.updatedAt + 5 });
    assert.equal(saved.revision, 1);
    assert.equal(saved.state, 'running');
    assert.equal(saved.updatedAt, release.updatedAt + 5, 'updatedAt is the caller’s');
    assert.deepEqual(await store.get(release.id), saved);

    const savedAgain = await store.save(saved);
    assert.equal(savedAgain.revision, 2);
  });

  it('refuses a save from a stale copy and keeps the first write', async () => {
    const release = aRelease();
    await store.create(release);
    const copyA = structuredClone(release);
    const copyB = structuredClone(release);

    const first = await store.save({ ...copyA, state: 'running' });
    await assert.rejects(store.save({ ...copyB, state: 'cancelled' }), (error: unknown) => {
      assert.ok(error instanceof StaleWriteError);
      assert.equal(error.code, 'stale_write');
      assert.match(error.message, /expected revision 0, found 1/);
      return true;
    });
    assert.deepEqual(await store.get(release.id), first);
  });

  it('refuses to save a release that was never created, and stores nothing', async () => {
    const release = aRelease();
    await assert.rejects(store.save(release), (error: unknown) => {
      assert.ok(error instanceof StaleWriteError);
      assert.match(error.message, /found none/);
      return true;
    });
    assert.equal(await store.get(release.id), undefined);
  });

  it('lets exactly one of 20 concurrent saves of the same revision win', async () => {
    const release = aRelease();
    await store.create(release);
    // Several connections, so the saves really race at the server.
    for (let i = 0; i < 4; i += 1) extraConnections.push(connectTestRedis());
    const stores = extraConnections.map((connection) => new RedisReleaseStore(connection, prefix));

    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        (stores[i % stores.length] as RedisReleaseStore).save({ ...release, requestedBy: `writer-${i}` }),
      ),
    );

    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    assert.equal(won.length, 1);
    assert.equal(lost.length, 19);
    for (const result of lost) assert.ok(result.reason instanceof StaleWriteError);
    const stored = await store.get(release.id);
    assert.equal(stored?.revision, 1);
    assert.deepEqual(stored, won[0]?.value);
  });
});
