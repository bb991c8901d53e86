/**
 * `/deploy stats` over a year of history: 50 apps, each with staging and
 * production, about one release a day per app and environment, seeded into a
 * fresh Redis prefix through the real RedisReleaseStore (create, then save as
 * the engine does, so every summary is written by the store's own scripts).
 * The mix: about 70 % succeeded, 8 % failed before deploy, 5 % cancelled, 7 %
 * failed after deploy, 7 % rolled back by monitoring and 3 % by hand later,
 * each rollback its own release; 3 % are overrides.
 *
 * It then times DeliveryStats.figures (the median of BENCH_RUNS runs after one
 * warm-up) for all apps and for one app over 30 and 365 days, prints a table,
 * and deletes its keys. It prints figures and never judges them.
 *
 * Settings (environment):
 *   REDIS_URL     the Redis to use (default redis://127.0.0.1:6379)
 *   BENCH_APPS    apps (default 50)
 *   BENCH_RUNS    timed runs per query (default 7)
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Config } from '../../src/config/schema';
import { RELEASE_STEP_NAMES, type Release, type ReleaseState } from '../../src/domain/release';
import { DeliveryStats, type StatsQuery } from '../../src/engine/delivery-stats';
import { RedisReleaseStore } from '../../src/redis/release-store';
import { cleanup, connectTestRedis } from '../../test/support/redis';
import { testConfig } from '../../test/support/test-config';
import { median } from '../percentiles';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-12-01T00:00:00Z');
const ENVIRONMENTS = ['staging', 'production'] as const;

function positive(name: string, fallback: number): number {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${name} must be a positive integer, not "${process.env[name]}"`);
  return n;
}

/** A seeded generator (mulberry32): the same history on every run. */
function randomFrom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Outcome =
  'succeeded' | 'failed-before' | 'cancelled' | 'failed-after' | 'rolled-back' | 'reverted-later';

function outcomeOf(x: number): Outcome {
  if (x < 0.7) return 'succeeded';
  if (x < 0.78) return 'failed-before';
  if (x < 0.83) return 'cancelled';
  if (x < 0.9) return 'failed-after';
  if (x < 0.97) return 'rolled-back';
  return 'reverted-later';
}

let sequence = 0;

function baseRelease(app: string, environment: string, createdAt: number, state: ReleaseState): Release {
  sequence += 1;
  return {
    id: `r-bench-${sequence.toString(36)}`,
    app,
    environment,
    version: `v1.${Math.floor(sequence / 100)}.${sequence % 100}`,
    type: 'minor',
    requestedBy: 'U0BENCH',
    state,
    createdAt,
    updatedAt: createdAt,
    revision: 0,
    steps: RELEASE_STEP_NAMES.map((name) => ({
      name,
      state: 'succeeded',
      runs: 1,
      progress: {},
      summary: `${name} done`,
    })),
    facts: { previousTaskDefinitions: { web: 'td:1' }, targetTaskDefinitions: { web: 'td:2' } },
    checklist: {},
  };
}

/** One change and, when it was rolled back, its rollback: as stored when they ended. */
function changeWithRollback(
  app: string,
  environment: string,
  createdAt: number,
  random: () => number,
): Release[] {
  const outcome = outcomeOf(random());
  const change = baseRelease(app, environment, createdAt, 'succeeded');
  change.facts.changeAt = { at: createdAt - Math.round(random() * 3 * DAY), source: 'ecr-push' };
  if (random() < 0.03)
    change.override = { by: 'U0BENCH', reason: 'bench', overrode: 'freeze', at: createdAt };
  const deployAt = createdAt + 20 * MINUTE;
  const deploy = change.steps.find((s) => s.name === 'deploy');
  if (outcome !== 'failed-before' && outcome !== 'cancelled' && deploy) deploy.startedAt = deployAt;
  change.endedAt = deployAt + 40 * MINUTE;
  if (outcome === 'failed-before' || outcome === 'failed-after') change.state = 'failed';
  if (outcome === 'cancelled') change.state = 'cancelled';
  if (outcome !== 'rolled-back' && outcome !== 'reverted-later') return [change];

  const proposedAt = outcome === 'rolled-back' ? deployAt + 15 * MINUTE : change.endedAt + 4 * HOUR;
  if (outcome === 'rolled-back') {
    change.state = 'rolled_back';
    change.facts.firstFailingAt = proposedAt - MINUTE;
    change.endedAt = proposedAt + 5 * MINUTE;
  }
  const rollback = baseRelease(app, environment, proposedAt, 'succeeded');
  rollback.rollbackOf = { releaseId: change.id, version: 'v1.0.0', requestedBy: 'U0BENCH' };
  rollback.endedAt = proposedAt + 10 * MINUTE + Math.round(random() * 2 * HOUR);
  change.rolledBackBy = rollback.id;
  return [change, rollback];
}

function history(apps: string[], random: () => number): Release[] {
  const releases: Release[] = [];
  for (const app of apps) {
    for (const environment of ENVIRONMENTS) {
      // About one a day: gaps of 2 to 46 hours.
      for (let at = NOW - 365 * DAY; at < NOW - DAY; at += 2 * HOUR + Math.round(random() * 44 * HOUR)) {
        releases.push(...changeWithRollback(app, environment, at, random));
      }
    }
  }
  return releases;
}

async function seed(store: RedisReleaseStore, releases: Release[]): Promise<void> {
  const inFlight = 64;
  let next = 0;
  const worker = async () => {
    while (next < releases.length) {
      const release = releases[next++] as Release;
      await store.create({ ...release, state: 'awaiting_start', revision: 0 });
      await store.save(release);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

async function main(): Promise<void> {
  const appCount = positive('BENCH_APPS', 50);
  const runs = positive('BENCH_RUNS', 7);
  const cpus = os.cpus();
  console.log(
    `machine: node ${process.version}, ${cpus.length} cpus, ${cpus[0]?.model.trim() ?? 'unknown cpu'}`,
  );

  const template = testConfig().apps.backend as Config['apps'][string];
  const apps = Array.from({ length: appCount }, (_, i) => `app-${String(i + 1).padStart(2, '0')}`);
  const config: Config = { ...testConfig(), apps: Object.fromEntries(apps.map((app) => [app, template])) };
  const redis = connectTestRedis();
  const prefix = `bench-stats-${randomBytes(6).toString('hex')}`;
  try {
    const store = new RedisReleaseStore(redis, prefix);
    const releases = history(apps, randomFrom(20261201));
    const seedStart = performance.now();
    await seed(store, releases);
    console.log(
      `seeded ${releases.length} releases (${apps.length} apps x ${ENVIRONMENTS.length} environments, a year) ` +
        `in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
    );

    const stats = new DeliveryStats({ config, store, clock: { now: () => NOW } });
    const queries: { label: string; query: StatsQuery }[] = [
      { label: 'all apps, 30d', query: { days: 30 } },
      { label: 'all apps, 365d', query: { days: 365 } },
      { label: `${apps[0]}, 30d`, query: { app: apps[0] as string, days: 30 } },
      { label: `${apps[0]}, 365d`, query: { app: apps[0] as string, days: 365 } },
    ];
    console.log('query            releases read  deployments  median ms  reading ms  (of runs)');
    for (const { label, query } of queries) {
      const answer = await stats.figures(query); // warm-up: JIT, connection
      const times: number[] = [];
      const reads: number[] = [];
      const from = NOW - 2 * query.days * DAY;
      const read = query.app === undefined ? apps : [query.app];
      for (let i = 0; i < runs; i++) {
        let start = performance.now();
        await stats.figures(query);
        times.push(performance.now() - start);
        // The store's part alone: what the figures cost beyond it is the arithmetic.
        start = performance.now();
        await Promise.all(read.map((app) => store.summaries(app, from, NOW + DAY)));
        reads.push(performance.now() - start);
      }
      const releases = [answer.current, answer.previous].reduce(
        (n, f) => n + f.changes + f.excluded.rollbacks,
        0,
      );
      console.log(
        `${label.padEnd(16)} ${String(releases).padStart(13)}  ${String(answer.current.deploymentFrequency.deployments).padStart(11)}  ` +
          `${median(times).toFixed(1).padStart(9)}  ${median(reads).toFixed(1).padStart(10)}  (${runs})`,
      );
    }
  } finally {
    await cleanup(redis, prefix);
    await redis.quit();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
