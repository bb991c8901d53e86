import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import type { Config } from '../../../src/config/schema';
import type { Release } from '../../../src/domain/release';
import { TeamViewGatherer, type TeamViewSources } from '../../../src/engine/team-view';
import { RedisLockService } from '../../../src/redis/lock-service';
import { RedisReleaseStore } from '../../../src/redis/release-store';
import { homeView } from '../../../src/slack/home/home-view';
import { homeViewProblems } from '../../../src/slack/home/home-view-limits';
import { cleanup, connectTestRedis, freshPrefix } from '../../support/redis';
import { testConfig } from '../../support/test-config';
import { T0, aRelease } from '../../unit/slack/blocks/fixtures';

const MINUTE = 60_000;
const APPS = 50;
const PER_APP = 20;

/** The test config's backend as 50 apps (`app-00` … `app-49`), each with staging and production. */
function fiftyApps(): Config {
  const config = testConfig();
  const backend = config.apps.backend!;
  config.apps = {};
  for (let i = 0; i < APPS; i += 1)
    config.apps[`app-${String(i).padStart(2, '0')}`] = structuredClone(backend);
  const production = config.apps['app-07']!.environments.production!;
  production.approvers = ['S0APPROVERS', 'U0LEAD'];
  production.rollback.twoPersonRule = true;
  return config;
}

/** Our own port's fake: usergroup membership from a table. */
const groups: TeamViewSources['groups'] = {
  groupsOf: async (userId, candidates) =>
    candidates.filter((c) => ({ S0APPROVERS: ['U0APPROVER', 'U0REQUESTER'] })[c]?.includes(userId)),
};

let seq = 0;
function release(app: string, environment: string, minutes: number, extra: Partial<Release> = {}): Release {
  seq += 1;
  return aRelease({
    id: `r${String(seq).padStart(6, '0')}`,
    app,
    environment,
    version: `v1.${minutes}.0`,
    state: 'succeeded',
    createdAt: T0 + minutes * MINUTE,
    updatedAt: T0 + minutes * MINUTE + 30_000,
    endedAt: T0 + minutes * MINUTE + 30_000,
    ...extra,
  });
}

describe('the team view, gathered from Redis', function () {
  this.timeout(20_000);
  let redis: Redis;
  let prefix: string;
  let store: RedisReleaseStore;
  let locks: RedisLockService;
  const clock = { now: () => T0 + 10_000 * MINUTE };

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = freshPrefix();
    store = new RedisReleaseStore(redis, prefix);
    locks = new RedisLockService(redis, prefix, clock);
  });
  afterEach(async () => {
    await cleanup(redis, prefix);
    await redis.quit();
  });

  /**
   * 1,000 releases: 20 an app, alternating environments, one in five failed.
   * app-07/production then gets v1.500.0 (by U0APPROVER), a rollback proposal of
   * it by U0DEPLOYER awaiting its decision, a queued and a running release;
   * app-03/production a manual lock.
   */
  async function seed(): Promise<{ proposal: Release; running: Release; queued: Release }> {
    const config = fiftyApps();
    for (const app of Object.keys(config.apps)) {
      for (let k = 0; k < PER_APP; k += 1) {
        await store.create(
          release(app, k % 2 === 0 ? 'staging' : 'production', k, {
            state: k % 5 === 4 ? 'failed' : 'succeeded',
          }),
        );
      }
    }
    const reverted = release('app-07', 'production', 500, { requestedBy: 'U0APPROVER' });
    await store.create(reverted);
    const proposal = release('app-07', 'production', 501, {
      state: 'awaiting_start',
      version: reverted.version,
      requestedBy: 'U0DEPLOYER',
      rollbackOf: { releaseId: reverted.id, version: reverted.version, requestedBy: 'U0APPROVER' },
      proposal: { expects: {} },
    });
    const running = release('app-07', 'staging', 502, { state: 'running', version: 'v2.0.0' });
    const queued = release('app-07', 'staging', 503, { state: 'queued', version: 'v2.1.0' });
    for (const r of [proposal, running, queued]) {
      const { endedAt: _endedAt, ...unfinished } = r;
      await store.create(unfinished);
    }
    await locks.lockManually({ app: 'app-03', environment: 'production' }, 'U0APPROVER', 'incident 42', T0);
    await locks.acquire({ app: 'app-07', environment: 'staging' }, running.id, 60_000);
    return { proposal, running, queued };
  }

  function gatherer(extra: Partial<TeamViewSources> = {}): TeamViewGatherer {
    return new TeamViewGatherer({ config: fiftyApps(), store, locks, groups, clock, ...extra });
  }

  it('shows every app and environment with what runs, locks, in-flight and queued releases, within Home limits', async () => {
    const { proposal, running, queued } = await seed();
    const view = await gatherer().gather('U0APPROVER');

    assert.equal(view.apps.length, APPS);
    const app00 = view.apps[0]!;
    // Staging got v1.0.0 … v1.18.0 (k even); v1.14.0 failed (k = 14), so v1.18.0 is the newest that succeeded.
    assert.equal(app00.environments.find((e) => e.environment === 'staging')?.running?.version, 'v1.18.0');
    // Production's newest, v1.19.0 (k = 19), failed: v1.17.0 runs.
    assert.equal(app00.environments.find((e) => e.environment === 'production')?.running?.version, 'v1.17.0');
    const app03 = view.apps
      .find((a) => a.app === 'app-03')!
      .environments.find((e) => e.environment === 'production');
    assert.deepEqual(app03?.lock, { kind: 'manual', by: 'U0APPROVER', reason: 'incident 42', since: T0 });
    const app07 = view.apps.find((a) => a.app === 'app-07')!;
    const staging = app07.environments.find((e) => e.environment === 'staging')!;
    assert.deepEqual(
      staging.inFlight.map((r) => r.id),
      [running.id],
    );
    assert.deepEqual(
      staging.queued.map((r) => r.id),
      [queued.id],
    );
    assert.deepEqual(staging.lock, { kind: 'release', releaseId: running.id, since: clock.now() });
    const production = app07.environments.find((e) => e.environment === 'production')!;
    assert.deepEqual(
      production.inFlight.map((r) => r.id),
      [proposal.id],
    );
    assert.equal(production.running?.version, 'v1.500.0');

    assert.equal(view.lastReleases.length, 10);
    assert.deepEqual(
      view.lastReleases.slice(0, 4).map((r) => r.id),
      [queued.id, running.id, proposal.id, proposal.rollbackOf!.releaseId],
    );
    assert.ok(view.lastReleases.every((r, i, all) => i === 0 || all[i - 1]!.createdAt >= r.createdAt));

    assert.deepEqual(homeViewProblems(homeView(view)), []);
  });

  it('lists a rollback under "waiting for your approval" only for whom may approve it', async () => {
    const { proposal } = await seed();
    const board = await gatherer().board();
    const pending = async (user: string) =>
      (await gatherer().forViewer(board, user)).pendingApprovals.map((r) => r.id);
    // An approver through the user group, and one named in person.
    assert.deepEqual(await pending('U0REQUESTER'), [proposal.id]);
    assert.deepEqual(await pending('U0LEAD'), [proposal.id]);
    // Two-person rule: U0APPROVER released the version being rolled back.
    assert.deepEqual(await pending('U0APPROVER'), []);
    assert.deepEqual(await pending('U0OUTSIDER'), []);
    assert.match(JSON.stringify(homeView(await gatherer().gather('U0LEAD'))), /Rollback of \*app-07\*/);

    // Once approved, it waits for nobody.
    const stored = (await store.get(proposal.id))!;
    await store.save({ ...stored, proposal: { expects: {}, approvedBy: { by: 'U0LEAD', at: clock.now() } } });
    assert.deepEqual((await gatherer().gather('U0LEAD')).pendingApprovals, []);
  });

  it('takes the queue, freezes and DORA figures from the sources plugged in', async () => {
    await seed();
    const queuedElsewhere = release('app-01', 'production', 900, { state: 'queued', version: 'v9.9.9' });
    const view = await gatherer({
      queued: async (scope) =>
        scope.app === 'app-01' && scope.environment === 'production' ? [queuedElsewhere] : [],
      freeze: (target, now) =>
        target.environment === 'production'
          ? { reason: `${target.app} code freeze`, until: now + MINUTE }
          : undefined,
      dora: async () => ({ title: 'Last 30 days', lines: ['Deployment frequency: 3 a day'] }),
    }).gather('U0OUTSIDER');
    const app01 = view.apps.find((a) => a.app === 'app-01')!;
    assert.deepEqual(app01.environments.find((e) => e.environment === 'production')?.queued, [
      queuedElsewhere,
    ]);
    assert.deepEqual(app01.environments.find((e) => e.environment === 'production')?.freeze, {
      reason: 'app-01 code freeze',
      until: clock.now() + MINUTE,
    });
    assert.equal(app01.environments.find((e) => e.environment === 'staging')?.freeze, undefined);
    assert.deepEqual(view.dora, { title: 'Last 30 days', lines: ['Deployment frequency: 3 a day'] });

    const failing = await gatherer({ dora: () => Promise.reject(new Error('no figures')) }).gather(
      'U0OUTSIDER',
    );
    assert.equal(failing.dora, undefined);
  });
});
