/**
 * The watched system for N apps: one ECS cluster in the AWS emulator with a
 * service and a log group per app (app-1 … app-N), a SimulatedService per app
 * answering its health URL, and the deploybot configuration that names them.
 * A service degrades on demand: from then on half its requests fail and it
 * writes an ERROR line a second into its log group.
 */
import { parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { type AwsEmulator } from '../../src/sandbox/aws';
import type { SandboxSeed, SeedService } from '../../src/sandbox/aws/types';
import { SimulatedService, type ServiceBackend } from '../../src/sandbox/service/simulated-service';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
export const CLUSTER = 'bench-cluster';
export const REPOSITORY = 'bench-app';
export const OLD_VERSION = 'v1.0.0';
export const NEW_VERSION = 'v1.1.0';
const DEGRADED = '-degraded';

export const appName = (i: number): string => `app-${i}`;
export const serviceName = (app: string): string => `${app}-service`;
export const logGroupOf = (app: string): string => `/ecs/${app}`;

export function benchSeed(apps: readonly string[]): SandboxSeed {
  const service = (app: string): SeedService => ({
    name: serviceName(app),
    family: app,
    revision: 1,
    container: 'app',
    image: `${REGISTRY}/${REPOSITORY}:${OLD_VERSION}`,
    command: ['gunicorn', 'app.main:app', '--bind', '0.0.0.0:8000'],
    containerPort: 8000,
    desiredCount: 2,
    logGroup: logGroupOf(app),
    logStreamPrefix: 'ecs',
    circuitBreaker: { enable: true, rollback: true },
  });
  return {
    accountId: ACCOUNT,
    region: REGION,
    clusters: [{ name: CLUSTER, services: apps.map(service) }],
    repositories: [{ name: REPOSITORY, tags: [OLD_VERSION, NEW_VERSION] }],
    dbInstances: [],
    dbClusters: [],
    logGroups: [],
    subnets: ['subnet-0a1b2c3d4e5f60718'],
    securityGroups: ['sg-0123456789abcdef0'],
  };
}

export interface MonitoringSettings {
  intervalMs: number;
  consecutive: number;
  /** Engine worker concurrency (the config's engine.concurrency). */
  concurrency: number;
}

/**
 * One production environment per app, no database or migration (so backup and
 * migrate are skipped), a monitoring window far longer than the benchmark so the
 * monitor step is still watching when it stops.
 */
export function benchConfigText(
  apps: readonly { name: string; url: string }[],
  m: MonitoringSettings,
): string {
  const env = (url: string, app: string) => ({
    cluster: CLUSTER,
    services: [{ name: serviceName(app), containers: ['app'] }],
    logs: { group: logGroupOf(app), errorPattern: 'ERROR' },
    health: { url, endpoints: ['/health', '/health/ready'], timeout: '2s', attempts: 3, interval: '1s' },
    monitoring: {
      window: '30m',
      interval: `${m.intervalMs}ms`,
      probes: 5,
      baselineProbes: 10,
      postEvery: 6,
      followUps: ['1h'],
      reviewAfter: '1h',
    },
    rollback: { errorRate: 0.05, latencyFactor: 2, consecutive: m.consecutive, remindAfter: '1h' },
  });
  // JSON is YAML: it goes through the same parser and validation as deploybot.yaml.
  return JSON.stringify({
    slack: { channel: 'engineering' },
    engine: { lockTtl: '10m', startTimeout: '30m', pollInterval: '500ms', concurrency: m.concurrency },
    apps: Object.fromEntries(apps.map((a) => [a.name, { environments: { production: env(a.url, a.name) } }])),
  });
}

export function parseBenchConfig(text: string): Config {
  return parseConfig(text, 'monitoring benchmark config');
}

/** A SimulatedService whose health can be turned bad while the emulator says nothing changed. */
export class BenchService {
  readonly service: SimulatedService;
  degradedAt: number | undefined;

  constructor(emulator: AwsEmulator, app: string, seed: number) {
    const backend: ServiceBackend = {
      servingTags: (cluster, service) => {
        const tags = emulator.servingTags(cluster, service);
        return this.degradedAt === undefined ? tags : tags.map((t) => ({ ...t, tag: `${t.tag}${DEGRADED}` }));
      },
      appendLog: (group, stream, message, at) => emulator.appendLog(group, stream, message, at),
      now: () => emulator.now(),
    };
    this.service = new SimulatedService(backend, {
      cluster: CLUSTER,
      service: serviceName(app),
      logGroup: logGroupOf(app),
      logStreamPrefix: 'ecs/app',
      profiles: [
        {
          match: `${DEGRADED}$`,
          errorRate: 0.5,
          errorLines: ['ERROR app.api: unhandled exception in GET /api/v1/reports: OperationalError'],
          backgroundErrorLines: ['ERROR app.worker: task refresh failed: KeyError'],
        },
      ],
      // Background tick: one ERROR line a second while degraded.
      tickMs: 1_000,
      random: mulberry32(seed),
    });
  }

  degrade(at: number): void {
    this.degradedAt = at;
  }
}

/** A small seeded PRNG, so every run draws the same 5xx pattern. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
