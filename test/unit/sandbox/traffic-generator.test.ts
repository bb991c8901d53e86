import assert from 'node:assert/strict';
import type { LoadBalancedRequest, ServiceBackend } from '../../../src/sandbox/service/service-backend';
import {
  TrafficGenerator,
  type TrafficGeneratorOptions,
} from '../../../src/sandbox/service/traffic-generator';
import { quantile, seededRandom } from './seeded-random';

const T0 = 1_764_000_000_000;
const TICK_MS = 250;
const TARGET = {
  targetGroup: 'targetgroup/backend-tg/6d0ecf831eec9f09',
  loadBalancer: 'app/social-analytics-alb/50dc6c495c0c9188',
};

interface Line {
  group: string;
  stream: string;
  message: string;
  at: number | undefined;
}

interface AccessLine {
  level: string;
  msg: string;
  method: string;
  path: string;
  status: number;
  latency_ms: number;
  version: string;
}

/** The emulator as the generator sees it: a clock we move, the tags we say serve, and what it was sent. */
class FakeBackend implements ServiceBackend {
  time = T0;
  serving: { tag: string; share: number }[] = [{ tag: 'v1.2.0', share: 1 }];
  readonly lines: Line[] = [];
  readonly lbRequests: LoadBalancedRequest[] = [];

  now(): number {
    return this.time;
  }

  servingTags(): { tag: string; share: number }[] {
    return this.serving;
  }

  appendLog(group: string, stream: string, message: string, at?: number): void {
    this.lines.push({ group, stream, message, at });
  }

  recordRequest(request: LoadBalancedRequest): void {
    this.lbRequests.push(request);
  }

  accessLines(): AccessLine[] {
    return this.lines
      .filter((l) => l.message.startsWith('{'))
      .map((l) => JSON.parse(l.message) as AccessLine);
  }

  errorLines(): Line[] {
    return this.lines.filter((l) => l.message.startsWith('ERROR'));
  }
}

function generator(backend: FakeBackend, options: TrafficGeneratorOptions = {}): TrafficGenerator {
  return new TrafficGenerator(backend, {
    random: seededRandom(2026),
    tickMs: 0,
    loadBalancer: TARGET,
    ...options,
    traffic: { drift: 0, ...options.traffic },
  });
}

/** Runs `seconds` of traffic in 250-ms ticks on the injected clock. */
function run(backend: FakeBackend, traffic: TrafficGenerator, seconds: number): void {
  for (let i = 0; i < (seconds * 1000) / TICK_MS; i += 1) {
    backend.time += TICK_MS;
    traffic.tick();
  }
}

function serverErrorShare(lines: readonly AccessLine[]): number {
  return lines.filter((l) => l.status >= 500).length / lines.length;
}

describe('TrafficGenerator: the simulated users of the sandbox service', () => {
  it('serves the profile: ~50 requests/s, 0.2 % background 5xx, 1 % 4xx, median latency ~30 ms', () => {
    const backend = new FakeBackend();
    const traffic = generator(backend);
    run(backend, traffic, 1_000);
    const lines = backend.accessLines();
    // 50,000 expected; the Poisson standard deviation is ~224.
    assert.ok(Math.abs(lines.length - 50_000) < 1_000, `${lines.length} requests in 1,000 s`);
    const share = serverErrorShare(lines);
    // 100 expected 5xx, standard deviation ~10.
    assert.ok(share > 0.0014 && share < 0.0026, `5xx share ${share}`);
    const clientShare = lines.filter((l) => l.status >= 400 && l.status < 500).length / lines.length;
    assert.ok(clientShare > 0.008 && clientShare < 0.012, `4xx share ${clientShare}`);
    const latencies = lines.map((l) => l.latency_ms);
    assert.ok(Math.abs(quantile(latencies, 0.5) - 30) < 0.6, `median ${quantile(latencies, 0.5)}`);
    // "Jitter 20-40 ms typical": the middle half of requests.
    assert.ok(quantile(latencies, 0.25) > 20 && quantile(latencies, 0.75) < 40);
    assert.deepEqual(traffic.stats().requests, lines.length);
    assert.equal(traffic.stats().serverErrors, lines.filter((l) => l.status >= 500).length);
  });

  it('writes one valid JSON access line a request, and one ERROR line for each 5xx', () => {
    const backend = new FakeBackend();
    const traffic = generator(backend, { traffic: { backgroundErrorRate: 0.05 } });
    run(backend, traffic, 60);
    const access = backend.lines.filter((l) => !l.message.startsWith('ERROR'));
    assert.ok(access.length > 2_500);
    for (const line of access) {
      const parsed = JSON.parse(line.message) as AccessLine;
      assert.equal(typeof parsed.status, 'number');
      assert.equal(typeof parsed.latency_ms, 'number');
      assert.ok(parsed.latency_ms > 0);
      assert.equal(parsed.level, 'INFO');
      assert.equal(line.group, '/ecs/social-analytics-backend');
      assert.match(line.stream, /^ecs\/backend\/[0-9a-f]{32}$/);
      // An `ERROR` filter pattern must count failures once, not their access lines too.
      assert.doesNotMatch(line.message, /ERROR/);
    }
    const failures = backend.accessLines().filter((l) => l.status >= 500).length;
    assert.ok(failures > 100);
    assert.equal(backend.errorLines().length, failures);
  });

  it('stamps lines with the injected clock, spread over each tick and never before the last one', () => {
    const backend = new FakeBackend();
    const traffic = generator(backend);
    run(backend, traffic, 1);
    const stamps = backend.lines.map((l) => l.at ?? -1);
    assert.ok(stamps.every((at) => at > T0 && at <= T0 + 1_000));
    assert.ok(
      new Set(stamps.map((at) => Math.floor((at - T0 - 1) / TICK_MS))).size === 4,
      'every tick has requests',
    );
    assert.ok(stamps.every((at, i) => i === 0 || at >= (stamps[i - 1] ?? 0)));
  });

  it("raises the 5xx share of a -bad tag's traffic with its share of running tasks", () => {
    const shares: number[] = [];
    for (const badShare of [0, 0.25, 0.5, 1]) {
      const backend = new FakeBackend();
      backend.serving = [
        { tag: 'v1.3.0-bad', share: badShare },
        { tag: 'v1.2.0', share: 1 - badShare },
      ].filter((s) => s.share > 0);
      const traffic = generator(backend);
      run(backend, traffic, 300);
      const share = serverErrorShare(backend.accessLines());
      // 8 % of the bad tag's requests plus the background 0.2 % of all, on ~15,000 requests.
      const expected = 0.002 + badShare * 0.08 * (1 - 0.002);
      assert.ok(
        Math.abs(share - expected) < 0.008,
        `bad share ${badShare}: 5xx ${share}, expected ${expected}`,
      );
      shares.push(share);
    }
    assert.ok(
      shares.every((s, i) => i === 0 || s > (shares[i - 1] ?? 1)),
      `rising: ${shares.join(', ')}`,
    );
  });

  it('logs a -bad build its own exceptions, and a healthy one its background errors', () => {
    const backend = new FakeBackend();
    backend.serving = [
      { tag: 'v1.3.0-bad', share: 0.5 },
      { tag: 'v1.2.0', share: 0.5 },
    ];
    run(backend, generator(backend), 120);
    const messages = backend.errorLines().map((l) => l.message);
    assert.ok(
      messages.some((m) => m.includes('sqlalchemy.exc.OperationalError')),
      'the bad build fails its way',
    );
    assert.ok(
      messages.some((m) => m.includes('upstream timeout')),
      'the background noise is there too',
    );
  });

  it('triples the latency of a -slow tag', () => {
    const backend = new FakeBackend();
    backend.serving = [{ tag: 'v1.3.0-slow', share: 1 }];
    run(backend, generator(backend), 100);
    const median = quantile(
      backend.accessLines().map((l) => l.latency_ms),
      0.5,
    );
    assert.ok(Math.abs(median - 90) < 2.5, `median ${median}`);
  });

  it('reports every request to the load balancer of its target group, and runs without that API', () => {
    const backend = new FakeBackend();
    run(backend, generator(backend), 20);
    const access = backend.accessLines();
    assert.equal(backend.lbRequests.length, access.length);
    assert.deepEqual(
      backend.lbRequests.slice(0, 3).map((r) => ({ tg: r.targetGroup, lb: r.loadBalancer })),
      Array.from({ length: 3 }, () => ({ tg: TARGET.targetGroup, lb: TARGET.loadBalancer })),
    );
    assert.deepEqual(
      backend.lbRequests.map((r) => r.status),
      access.map((l) => l.status),
    );

    const older = new FakeBackend();
    const withoutLb: ServiceBackend = {
      now: () => older.now(),
      servingTags: () => older.servingTags(),
      appendLog: (g, s, m, at) => older.appendLog(g, s, m, at),
    };
    const traffic = new TrafficGenerator(withoutLb, {
      random: seededRandom(1),
      tickMs: 0,
      loadBalancer: TARGET,
    });
    older.time += 1_000;
    assert.ok(traffic.tick().length > 0);
  });

  it('logs nothing while no task runs, and the load balancer answers the users itself', () => {
    const backend = new FakeBackend();
    backend.serving = [];
    const traffic = generator(backend);
    run(backend, traffic, 10);
    assert.equal(backend.lines.length, 0);
    assert.ok(backend.lbRequests.length > 400, `${backend.lbRequests.length} requests in 10 s at 50/s`);
    // Status 0: no target answered (HTTPCode_ELB_5XX_Count, not the target's 5xx).
    assert.ok(backend.lbRequests.every((r) => r.status === 0));
    assert.equal(traffic.stats().unanswered, backend.lbRequests.length);
    assert.equal(traffic.stats().requests, 0);
  });

  it('bounds a tick after a jumped clock to maxSpanMs and maxRequestsPerTick', () => {
    const backend = new FakeBackend();
    const traffic = generator(backend, { maxSpanMs: 2_000 });
    backend.time += 3_600_000;
    const requests = traffic.tick();
    assert.ok(requests.length > 50 && requests.length < 150, `${requests.length} for 2 s at 50/s`);
    assert.ok(requests.every((r) => r.at > backend.time - 2_000));

    const capped = generator(backend, { maxRequestsPerTick: 10 });
    backend.time += 1_000;
    assert.equal(capped.tick().length, 10);
  });

  it('drifts the rate by up to ±30 % over minutes', () => {
    const backend = new FakeBackend();
    const traffic = generator(backend, { traffic: { drift: 0.3, driftPeriodMs: 600_000 } });
    const perMinute: number[] = [];
    for (let minute = 0; minute < 20; minute += 1) {
      const before = backend.lines.length;
      run(backend, traffic, 60);
      perMinute.push(backend.lines.length - before);
    }
    // 3,000 a minute on average; each minute's count has a Poisson deviation of ~55.
    assert.ok(
      perMinute.every((n) => n > 0.7 * 3_000 * 0.95 && n < 1.3 * 3_000 * 1.05),
      perMinute.join(','),
    );
    assert.ok(Math.max(...perMinute) / Math.min(...perMinute) > 1.25, perMinute.join(','));
  });

  it('ticks on its own timer once started, and stop() ends it', async () => {
    const backend = new FakeBackend();
    const clock = { now: () => backend.time };
    const first = new TrafficGenerator(backend, { random: seededRandom(3), tickMs: 1, now: clock.now });
    first.start();
    assert.throws(() => first.start(), /already started/);
    await until(() => {
      backend.time += 100;
      return backend.lines.length > 0;
    });
    first.stop();
    assert.equal(first.running, false);
    const stoppedAt = backend.lines.length;
    // A second generator ticking several times proves timers ran after stop(); the first wrote nothing more.
    const second = new TrafficGenerator(new FakeBackend(), { random: seededRandom(4), tickMs: 1 });
    let ticks = 0;
    const realTick = second.tick.bind(second);
    second.tick = () => {
      ticks += 1;
      return realTick();
    };
    second.start();
    await until(() => ticks >= 5);
    second.stop();
    assert.equal(backend.lines.length, stoppedAt);
  });
});

/** Waits, turn by turn of the event loop's timers, until `condition` holds (mocha's timeout bounds it). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
