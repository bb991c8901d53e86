import assert from 'node:assert/strict';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { EcsContainerPlatform } from '../../../src/aws/ecs';
import { CloudWatchLogs } from '../../../src/aws/logs';
import { HttpProbe } from '../../../src/probes/http-probe';
import { SimulatedService } from '../../../src/sandbox/service';
import { startAwsHarness, type AwsHarness } from './aws-harness';

const CLUSTER = 'social-analytics-cluster';
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const GROUP = '/ecs/social-analytics-backend';
const ROLLOUT_MS = 8_000;

/** A seeded PRNG (mulberry32), so error counts are the same on every run. */
function seededRandom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('SimulatedService follows the image tag the emulator says is running', () => {
  let h: AwsHarness;
  let service: SimulatedService;
  let ecs: EcsContainerPlatform;
  let logs: CloudWatchLogs;
  const probe = new HttpProbe();

  beforeEach(async () => {
    h = await startAwsHarness({ timings: { rolloutMs: ROLLOUT_MS } });
    ecs = new EcsContainerPlatform(h.clients.ecs);
    logs = new CloudWatchLogs(h.clients.logs);
    service = new SimulatedService(h.emulator, { random: seededRandom(42), latencyScale: 0.1, tickMs: 0 });
    await service.start();
  });

  afterEach(async () => {
    await service.stop();
    await h.close();
  });

  async function deploy(tag: string, wait = ROLLOUT_MS): Promise<void> {
    const next = await ecs.registerImageRevision({
      from: 'social-analytics-backend:7',
      images: { backend: `${REGISTRY}/social-analytics-backend:${tag}` },
      releaseId: `rel-${tag}`,
    });
    await ecs.updateService(CLUSTER, 'backend-service', next.arn);
    h.clock.advance(wait);
  }

  async function hit(n: number, concurrency = 20): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < n; i += concurrency) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(concurrency, n - i) }, () => probe.get(`${service.url}/health`, 5_000)),
      );
      statuses.push(...batch.map((r) => r.status));
    }
    return statuses;
  }

  const errorLines = () => logs.countMatches(GROUP, 'ERROR', 0, h.clock.now() + 1);

  it('serves a healthy tag (v1.2.0) without errors on every health endpoint', async () => {
    await deploy('v1.2.0');
    for (const path of ['/health', '/health/ready', '/metrics']) {
      const res = await fetch(`${service.url}${path}`);
      assert.equal(res.status, 200, path);
      if (path !== '/metrics') assert.equal(((await res.json()) as { version: string }).version, 'v1.2.0');
      else assert.match(await res.text(), /app_serving_share\{version="v1\.2\.0"\} 1/);
    }
    const statuses = await hit(200);
    assert.ok(statuses.every((s) => s === 200));
    assert.equal(await errorLines(), 0);
  });

  it('answers about 1 % of its health probes 5xx on v1.3.0-bad and writes an ERROR line for each', async () => {
    // -bad's bug is on its API paths (8 % of the users' requests, traffic-model.ts); its
    // /health mostly passes, as a real one's does, so verify lets it through to monitoring.
    await deploy('v1.3.0-bad');
    const failures = (await hit(600)).filter((s) => s >= 500).length;
    assert.ok(failures >= 1 && failures <= 18, `about 1 % of 600 fail, got ${failures}`);
    assert.equal(await errorLines(), failures);
    assert.equal(service.stats().errors, failures);

    // The background tick adds worker errors while the bad tag serves.
    service.tick();
    assert.equal(await errorLines(), failures + 1);
  });

  it('fails probes at the build’s errorRate when its profile names no probeErrorRate', async () => {
    const broken = new SimulatedService(h.emulator, {
      random: seededRandom(7),
      latencyScale: 0.1,
      tickMs: 0,
      profiles: [{ match: '-bad$', errorRate: 0.5 }],
    });
    await broken.start();
    try {
      await deploy('v1.3.0-bad');
      const statuses = await Promise.all(
        Array.from({ length: 100 }, () => probe.get(`${broken.url}/health`, 5_000)),
      );
      const failures = statuses.filter((r) => r.status >= 500).length;
      assert.ok(failures >= 30 && failures <= 70, `about half of 100 fail, got ${failures}`);
    } finally {
      await broken.stop();
    }
  });

  it('is slower on a -slow tag', async () => {
    // One request at a time, so that event-loop contention does not blur the latencies.
    await deploy('v1.2.0');
    await hit(20, 1);
    const healthy = service.stats().meanLatencyMs;
    await deploy('v1.3.0-slow');
    const before = service.stats();
    await hit(20, 1);
    const after = service.stats();
    const slow = (after.meanLatencyMs * after.requests - before.meanLatencyMs * before.requests) / 20;
    assert.ok(slow > healthy * 2, `slow ${slow.toFixed(1)} ms vs healthy ${healthy.toFixed(1)} ms`);
  });

  it('mixes the old and the new tag while a rollout is half done', async () => {
    await deploy('v1.3.0-bad', ROLLOUT_MS / 2);
    await hit(100);
    const byTag = service.stats().byTag;
    assert.ok((byTag['v1.1.0'] ?? 0) > 20, JSON.stringify(byTag));
    assert.ok((byTag['v1.3.0-bad'] ?? 0) > 20, JSON.stringify(byTag));
  });

  it('answers 503 when no task runs', async () => {
    await h.clients.ecs.send(
      new UpdateServiceCommand({ cluster: CLUSTER, service: 'backend-service', desiredCount: 0 }),
    );
    assert.equal((await fetch(`${service.url}/health/ready`)).status, 503);
    assert.equal((await fetch(`${service.url}/nope`)).status, 404);
  });
});
