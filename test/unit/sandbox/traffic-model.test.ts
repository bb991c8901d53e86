import assert from 'node:assert/strict';
import { loadProfiles, resolveTraffic, type ResolvedProfile } from '../../../src/sandbox/service/profiles';
import {
  drawDriftPhases,
  driftFactor,
  logNormal,
  pickServingTag,
  poisson,
  requestsInSpan,
  serverErrorRate,
  type SpanInput,
} from '../../../src/sandbox/service/traffic-model';
import { quantile, seededRandom } from './seeded-random';

const file = loadProfiles();
const HEALTHY: ResolvedProfile = {
  match: '.*',
  latencyFactor: 1,
  cpuFactor: 1,
  memoryFactor: 1,
  errorRate: 0,
  errorLines: [],
  backgroundErrorLines: [],
};

function mean(values: readonly number[]): number {
  return values.reduce((n, v) => n + v, 0) / values.length;
}

describe('Traffic model (pure parts of the simulated users)', () => {
  for (const lambda of [0.5, 12.5, 250]) {
    it(`draws Poisson counts of mean and variance ${lambda}, slicing large means`, () => {
      const random = seededRandom(7);
      const draws = Array.from({ length: 20_000 }, () => poisson(lambda, random));
      const m = mean(draws);
      const variance = mean(draws.map((d) => (d - m) ** 2));
      assert.ok(Math.abs(m - lambda) < 0.03 * lambda + 0.02, `mean ${m}`);
      assert.ok(Math.abs(variance - lambda) < 0.06 * lambda + 0.03, `variance ${variance}`);
    });
  }

  it('draws no requests for a zero or negative mean', () => {
    assert.equal(poisson(0, seededRandom(1)), 0);
    assert.equal(poisson(-3, seededRandom(1)), 0);
  });

  it('draws log-normal latency with the median asked for and the spread sigma gives', () => {
    const random = seededRandom(11);
    const draws = Array.from({ length: 40_000 }, () => logNormal(30, 0.3, random));
    assert.ok(Math.abs(quantile(draws, 0.5) - 30) < 0.6, `median ${quantile(draws, 0.5)}`);
    // 10th and 90th percentiles of a log-normal: median · e^(∓1.2816 σ) = 20.4 and 44.1 ms.
    assert.ok(Math.abs(quantile(draws, 0.1) - 20.4) < 0.7, `p10 ${quantile(draws, 0.1)}`);
    assert.ok(Math.abs(quantile(draws, 0.9) - 44.1) < 1, `p90 ${quantile(draws, 0.9)}`);
  });

  it('drifts the rate within ±drift, moving by most of it over a period and averaging 1', () => {
    const traffic = resolveTraffic(file.traffic, { drift: 0.3, driftPeriodMs: 600_000 });
    const phases = drawDriftPhases(seededRandom(3));
    const factors = Array.from({ length: 6_000 }, (_, i) => driftFactor(i * 1_000, traffic, phases));
    assert.ok(factors.every((f) => f >= 0.7 - 1e-9 && f <= 1.3 + 1e-9));
    assert.ok(Math.max(...factors) - Math.min(...factors) > 0.3, 'the rate actually drifts');
    assert.ok(Math.abs(mean(factors) - 1) < 0.03, `mean factor ${mean(factors)}`);
    const still = resolveTraffic(file.traffic, { drift: 0 });
    assert.equal(driftFactor(123_456, still, phases), 1);
  });

  it('picks the serving tag by share of running tasks', () => {
    const serving = [
      { tag: 'v1.2.0', share: 0.75 },
      { tag: 'v1.3.0', share: 0.25 },
    ];
    assert.equal(pickServingTag(serving, 0), 'v1.2.0');
    assert.equal(pickServingTag(serving, 0.7499), 'v1.2.0');
    assert.equal(pickServingTag(serving, 0.75), 'v1.3.0');
    assert.equal(pickServingTag(serving, 0.9999), 'v1.3.0');
    assert.equal(pickServingTag([], 0.5), undefined);
  });

  it("combines a build's own failures with the background every build has", () => {
    const traffic = resolveTraffic(file.traffic, { backgroundErrorRate: 0.002 });
    assert.ok(Math.abs(serverErrorRate(HEALTHY, traffic) - 0.002) < 1e-12);
    assert.ok(Math.abs(serverErrorRate({ ...HEALTHY, errorRate: 0.08 }, traffic) - 0.08184) < 1e-9);
  });

  describe('requestsInSpan', () => {
    const base: Omit<SpanInput, 'random'> = {
      fromMs: 1_000_000,
      toMs: 1_010_000,
      serving: [{ tag: 'v1.2.0', share: 1 }],
      traffic: resolveTraffic(file.traffic, { rps: 50, drift: 0 }),
      profileFor: () => HEALTHY,
      phases: { slow: 0, fast: 0 },
      maxRequests: 10_000,
    };

    it('stamps every request inside (from, to], oldest first', () => {
      const requests = requestsInSpan({ ...base, random: seededRandom(5) });
      assert.ok(
        requests.length > 400 && requests.length < 600,
        `${requests.length} requests in 10 s at 50/s`,
      );
      assert.ok(requests.every((r) => r.at > base.fromMs && r.at <= base.toMs));
      assert.ok(requests.every((r, i) => i === 0 || (requests[i - 1]?.at ?? 0) <= r.at));
    });

    it('sends nothing when no task runs, or over an empty span', () => {
      assert.deepEqual(requestsInSpan({ ...base, serving: [], random: seededRandom(5) }), []);
      assert.deepEqual(requestsInSpan({ ...base, toMs: base.fromMs, random: seededRandom(5) }), []);
    });

    it('never exceeds maxRequests, whatever the draw', () => {
      const requests = requestsInSpan({ ...base, maxRequests: 25, random: seededRandom(5) });
      assert.equal(requests.length, 25);
    });
  });
});
