import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { DeploybotError } from '../../../src/domain/errors';
import { STEP_NAMES, type Release } from '../../../src/domain/release';
import { recordReview, REVIEWED_ACTION } from '../../../src/engine/release-reviews';
import { updateRelease } from '../../../src/engine/update-release';
import { RedisAuditLog } from '../../../src/redis/audit-log';
import { RedisReleaseStore } from '../../../src/redis/release-store';
import { cleanup, connectTestRedis, freshPrefix } from '../../support/redis';

const AT = Date.UTC(2026, 10, 28, 9, 0, 0);
const ANSWERS = {
  wentWell: 'Smooth canary',
  couldImprove: '',
  unexpectedIssues: 'A slow migration',
  followUpActions: 'Time migrations in staging',
};

function aRelease(state: Release['state']): Release {
  return {
    id: 'r20261127t171340-3f9a',
    app: 'backend',
    environment: 'production',
    version: 'v1.2.0',
    type: 'minor',
    requestedBy: 'U0DEPLOYER',
    state,
    createdAt: AT - 86_400_000,
    updatedAt: AT - 86_400_000,
    revision: 0,
    steps: STEP_NAMES.map((name) => ({ name, state: 'pending', runs: 0, progress: {} })),
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    checklist: {},
  };
}

describe('recordReview on Redis', () => {
  let redis: Redis;
  let prefix: string;
  let store: RedisReleaseStore;
  let audit: RedisAuditLog;

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = freshPrefix();
    store = new RedisReleaseStore(redis, prefix);
    audit = new RedisAuditLog(redis, prefix);
  });
  afterEach(async () => {
    await cleanup(redis, prefix);
    await redis.quit();
  });

  it('stores the review with the release and audits it as release.reviewed', async () => {
    const release = aRelease('succeeded');
    await store.create(release);
    const { release: saved, replaced } = await recordReview(store, audit, release.id, 'U0CAROL', ANSWERS, AT);
    assert.equal(replaced, undefined);
    assert.deepEqual(saved.review, { by: 'U0CAROL', at: AT, ...ANSWERS });
    assert.deepEqual((await store.get(release.id))?.review, saved.review);
    const [entry] = await audit.recent(10, { releaseId: release.id });
    assert.equal(entry?.action, REVIEWED_ACTION);
    assert.equal(entry?.actor, 'U0CAROL');
    assert.equal(entry?.at, AT);
    assert.equal(entry?.app, 'backend');
    assert.equal(entry?.environment, 'production');
    assert.equal(entry?.detail, 'answered wentWell, unexpectedIssues, followUpActions');
  });

  it('replaces an earlier review whole, by anyone, and audits the second one too', async () => {
    const release = aRelease('rolled_back');
    await store.create(release);
    await recordReview(store, audit, release.id, 'U0CAROL', ANSWERS, AT);
    const second = {
      wentWell: '',
      couldImprove: 'Roll back sooner',
      unexpectedIssues: '',
      followUpActions: '',
    };
    const { release: saved, replaced } = await recordReview(
      store,
      audit,
      release.id,
      'U0DAVE',
      second,
      AT + 60_000,
    );
    assert.deepEqual(replaced, { by: 'U0CAROL', at: AT, ...ANSWERS });
    assert.deepEqual((await store.get(release.id))?.review, { by: 'U0DAVE', at: AT + 60_000, ...second });
    assert.equal(saved.revision, 2, 'one write per review');
    const entries = await audit.recent(10, { releaseId: release.id });
    assert.deepEqual(
      entries.map((e) => [e.action, e.actor]),
      [
        [REVIEWED_ACTION, 'U0DAVE'],
        [REVIEWED_ACTION, 'U0CAROL'],
      ],
    );
    assert.equal(
      entries[0]?.detail,
      'answered couldImprove; replaces the review by U0CAROL at 2026-11-28T09:00:00.000Z',
    );
  });

  it('records the same answers from the same person once, even delivered concurrently', async () => {
    const release = aRelease('succeeded');
    await store.create(release);
    const results = await Promise.all([
      recordReview(store, audit, release.id, 'U0CAROL', ANSWERS, AT),
      recordReview(store, audit, release.id, 'U0CAROL', ANSWERS, AT + 5),
    ]);
    assert.deepEqual(
      results.map((r) => r.unchanged === true).sort(),
      [false, true],
      'one stored it, the other found it stored',
    );
    assert.ok(
      results.every((r) => r.replaced === undefined),
      'a review does not replace itself',
    );
    assert.equal((await store.get(release.id))?.revision, 1, 'one write');
    assert.equal((await audit.recent(10, { releaseId: release.id })).length, 1, 'one audit entry');

    // The same person changing an answer is a new review; another person's same words are theirs.
    const edited = await recordReview(
      store,
      audit,
      release.id,
      'U0CAROL',
      { ...ANSWERS, couldImprove: 'x' },
      AT + 9,
    );
    assert.equal(edited.unchanged, undefined);
    assert.equal(edited.replaced?.by, 'U0CAROL');
    const dave = await recordReview(
      store,
      audit,
      release.id,
      'U0DAVE',
      { ...ANSWERS, couldImprove: 'x' },
      AT + 10,
    );
    assert.equal(dave.unchanged, undefined);
    assert.equal((await audit.recent(10, { releaseId: release.id })).length, 3);
  });

  it('keeps what another writer saved meanwhile (compare-and-set)', async () => {
    const release = aRelease('succeeded');
    await store.create(release);
    // Writes racing the review: each round one wins, and the review is applied to the winner's copy.
    await Promise.all([
      recordReview(store, audit, release.id, 'U0CAROL', ANSWERS, AT),
      ...Array.from({ length: 5 }, (_, i) =>
        updateRelease(store, release.id, (r) => ({
          ...r,
          checklist: { ...r.checklist, [`item-${i}`]: { by: 'U1', at: AT } },
        })),
      ),
    ]);
    const stored = await store.get(release.id);
    assert.equal(stored?.review?.by, 'U0CAROL');
    assert.equal(Object.keys(stored?.checklist ?? {}).length, 5);
  });

  it('refuses a release that has not finished, or does not exist, and writes nothing', async () => {
    const running = aRelease('running');
    await store.create(running);
    await assert.rejects(
      recordReview(store, audit, running.id, 'U0CAROL', ANSWERS, AT),
      (error: unknown) => error instanceof DeploybotError && error.code === 'review_too_early',
    );
    await assert.rejects(
      recordReview(store, audit, 'r20990101t000000-0000', 'U0CAROL', ANSWERS, AT),
      (error: unknown) => error instanceof DeploybotError && error.code === 'release_not_found',
    );
    assert.equal((await store.get(running.id))?.review, undefined);
    assert.equal((await store.get(running.id))?.revision, 0);
    assert.deepEqual(await audit.recent(10), []);
  });
});
