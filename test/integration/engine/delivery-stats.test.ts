import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import type { Config } from '../../../src/config/schema';
import { RELEASE_STEP_NAMES, type Release } from '../../../src/domain/release';
import { DeliveryStats } from '../../../src/engine/delivery-stats';
import { RedisReleaseStore } from '../../../src/redis/release-store';
import { cleanup, connectTestRedis, freshPrefix } from '../../support/redis';
import { testConfig } from '../../support/test-config';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = 1_767_225_600_000;

let sequence = 0;

/** A release that reached deploy and ended as `state`, `ageDays` before NOW. */
function aRelease(
  app: string,
  environment: string,
  ageDays: number,
  state: Release['state'],
  extra: Partial<Release> = {},
): Release {
  sequence += 1;
  const createdAt = NOW - ageDays * DAY;
  return {
    id: `r-${sequence}`,
    app,
    environment,
    version: 'v1.2.0',
    type: 'minor',
    requestedBy: 'U1',
    state,
    createdAt,
    updatedAt: createdAt,
    endedAt: createdAt + HOUR,
    revision: 0,
    steps: RELEASE_STEP_NAMES.map((name) => ({
      name,
      state: 'succeeded',
      runs: 1,
      progress: {},
      ...(name === 'deploy' && { startedAt: createdAt + 10 * 60_000 }),
    })),
    facts: {
      previousTaskDefinitions: {},
      targetTaskDefinitions: {},
      changeAt: { at: createdAt - 2 * HOUR, source: 'ecr-push' },
    },
    checklist: {},
    ...extra,
  };
}

describe('DeliveryStats over the stored summaries', () => {
  let redis: Redis;
  let prefix: string;
  let store: RedisReleaseStore;
  let config: Config;
  let stats: DeliveryStats;

  beforeEach(async () => {
    redis = connectTestRedis();
    prefix = freshPrefix();
    store = new RedisReleaseStore(redis, prefix);
    config = testConfig();
    config.apps.billing = structuredClone(config.apps.backend as Config['apps'][string]);
    stats = new DeliveryStats({ config, store, clock: { now: () => NOW } });
    const releases = [
      aRelease('backend', 'production', 1, 'succeeded'),
      aRelease('backend', 'production', 3, 'failed'),
      aRelease('backend', 'production', 20, 'succeeded', {
        override: { by: 'U2', reason: 'fix', overrode: 'freeze', at: NOW },
      }),
      aRelease('backend', 'staging', 2, 'succeeded'),
      aRelease('billing', 'production', 5, 'succeeded'),
      // The previous 30 days: two releases of backend in production.
      aRelease('backend', 'production', 40, 'succeeded'),
      aRelease('backend', 'production', 45, 'succeeded'),
      // Older than both periods.
      aRelease('backend', 'production', 70, 'succeeded'),
    ];
    for (const release of releases) {
      // Created awaiting Start and saved as finished, as the engine does: the summary follows the save.
      await store.create({ ...release, state: 'awaiting_start' });
      await store.save(release);
    }
  });

  afterEach(async () => {
    await cleanup(redis, prefix);
    await redis.quit();
  });

  it('answers for one app and environment: this period against the one before', async () => {
    const answer = await stats.figures({ app: 'backend', environment: 'production', days: 30 });

    assert.deepEqual(answer.scopes, [{ app: 'backend', environment: 'production' }]);
    assert.deepEqual(answer.current.period, { from: NOW - 30 * DAY, to: NOW });
    assert.equal(answer.current.deploymentFrequency.deployments, 3);
    assert.deepEqual(answer.current.changeFailureRate, { rate: 1 / 3, failed: 1, decided: 3, undecided: 0 });
    assert.deepEqual(answer.current.leadTime, { medianMs: 3 * HOUR, measured: 2, withoutChangeTime: 0 });
    assert.equal(answer.current.overrides.changes, 1);
    assert.deepEqual(answer.previous.period, { from: NOW - 60 * DAY, to: NOW - 30 * DAY });
    assert.equal(answer.previous.deploymentFrequency.deployments, 2);
    assert.deepEqual(answer.byApp, [], 'one app: no breakdown');
  });

  it('answers for every app and environment when none is named, per pair for frequency', async () => {
    const answer = await stats.figures({ days: 30 });

    assert.equal(answer.scopes.length, 4);
    assert.equal(answer.current.deploymentFrequency.deployments, 5);
    assert.equal(answer.current.deploymentFrequency.perDay, 5 / 4 / 30);
    assert.deepEqual(
      answer.byApp.map((a) => [
        a.app,
        a.figures.deploymentFrequency.deployments,
        a.figures.deploymentFrequency.scopes,
      ]),
      [
        ['backend', 4, 2],
        ['billing', 1, 2],
      ],
    );
  });

  it('narrows to one environment of every app, or every environment of one app', async () => {
    const production = await stats.figures({ environment: 'production', days: 30 });
    const backend = await stats.figures({ app: 'backend', days: 30 });

    assert.deepEqual(
      production.scopes.map((s) => s.app),
      ['backend', 'billing'],
    );
    assert.equal(production.current.deploymentFrequency.deployments, 4);
    assert.deepEqual(
      backend.scopes.map((s) => s.environment),
      ['staging', 'production'],
    );
    assert.equal(backend.current.deploymentFrequency.deployments, 4);
  });

  it('refuses an app or environment that is not configured, and a period out of range', async () => {
    await assert.rejects(stats.figures({ app: 'bakend', days: 30 }), {
      code: 'unknown_app',
      message: /did you mean backend/,
    });
    await assert.rejects(stats.figures({ environment: 'qa', days: 30 }), { code: 'unknown_environment' });
    await assert.rejects(stats.figures({ days: 0 }), { code: 'invalid_period' });
    await assert.rejects(stats.figures({ days: 366 }), { code: 'invalid_period' });
  });
});
