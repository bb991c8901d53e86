import type { SandboxSeed, SeedService } from './types';

/**
 * A platform of many small apps, for benchmarks that release them all at once:
 * each app (`app-001`, `app-002`, …) has a cluster of its own with a web and a
 * worker service, an RDS instance, a log group per service, and two ECR
 * repositories holding the versions a benchmark deploys. Nothing is shared
 * between apps, so every release takes its own lock and touches its own
 * resources, as separate teams' services do.
 */
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;

/** What every app runs at the start, and the versions a benchmark may release. */
export const MANY_RUNNING_TAG = 'v1.0.0';
export const MANY_RELEASE_TAGS = ['v1.1.0', 'v1.2.0'];

/** The names of one app's resources; the benchmark's config is written from these. */
export interface ManyApp {
  name: string;
  cluster: string;
  web: { service: string; container: string; repository: string; logGroup: string };
  worker: { service: string; container: string; repository: string; logGroup: string };
  database: string;
}

/** `app-001` … : zero-padded to the width of `count`, so names sort as numbers and one never prefixes another. */
export function manyAppNames(count: number): string[] {
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`app count must be a positive integer, not ${count}`);
  const width = Math.max(3, String(count).length);
  return Array.from({ length: count }, (_, i) => `app-${String(i + 1).padStart(width, '0')}`);
}

export function manyApp(name: string): ManyApp {
  return {
    name,
    cluster: `${name}-cluster`,
    web: {
      service: `${name}-web`,
      container: 'web',
      repository: `${name}-web`,
      logGroup: `/ecs/${name}-web`,
    },
    worker: {
      service: `${name}-worker`,
      container: 'worker',
      repository: `${name}-worker`,
      logGroup: `/ecs/${name}-worker`,
    },
    database: `${name}-db`,
  };
}

function services(app: ManyApp): SeedService[] {
  const common = {
    revision: 1,
    desiredCount: 2,
    logStreamPrefix: 'ecs',
    circuitBreaker: { enable: true, rollback: true },
  };
  return [
    {
      ...common,
      name: app.web.service,
      family: app.web.service,
      container: app.web.container,
      image: `${REGISTRY}/${app.web.repository}:${MANY_RUNNING_TAG}`,
      command: ['gunicorn', 'app.main:app', '--bind', '0.0.0.0:8000'],
      containerPort: 8000,
      logGroup: app.web.logGroup,
    },
    {
      ...common,
      name: app.worker.service,
      family: app.worker.service,
      container: app.worker.container,
      image: `${REGISTRY}/${app.worker.repository}:${MANY_RUNNING_TAG}`,
      command: ['celery', '-A', 'app.worker', 'worker', '--loglevel=INFO'],
      logGroup: app.worker.logGroup,
    },
  ];
}

/** The emulator's seed for `count` apps (see manyAppNames for their names). */
export function manyAppsSeed(count: number): SandboxSeed {
  const apps = manyAppNames(count).map(manyApp);
  const tags = [MANY_RUNNING_TAG, ...MANY_RELEASE_TAGS];
  return {
    accountId: ACCOUNT,
    region: REGION,
    clusters: apps.map((app) => ({ name: app.cluster, services: services(app) })),
    repositories: apps.flatMap((app) => [
      { name: app.web.repository, tags: [...tags] },
      { name: app.worker.repository, tags: [...tags] },
    ]),
    dbInstances: apps.map((app) => ({
      id: app.database,
      engine: 'postgres',
      engineVersion: '16.4',
      status: 'available',
      multiAz: false,
    })),
    dbClusters: [],
    // plantSeed creates every service's log group; nothing else logs here.
    logGroups: [],
    subnets: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f9e8d7c6b5a40392'],
    securityGroups: ['sg-0123456789abcdef0'],
  };
}
