import assert from 'node:assert/strict';
import { sumTraffic, trafficPercentile } from '../../../src/domain/traffic';
import { bucketTable, normalCdf, p99Of, scaled } from '../../../bench/detection/latency';
import { Random, seedOf } from '../../../bench/detection/random';
import {
  type TrafficProfile,
  TrafficSimulator,
  WINDOW_S,
  drawProfile,
  driftAt,
} from '../../../bench/detection/traffic-model';
import { TICK_S, samplesOf, simulateWindow } from '../../../bench/detection/window';

/** A service with no drift and no task replacements: what every span should look like. */
function steadyProfile(overrides: Partial<TrafficProfile> = {}): TrafficProfile {
  return {
    rps: 100,
    errorShare: 0.005,
    latency: { medianMs: 30, sigma: 0.5 },
    drift: { amplitude: 0, periodS: 600, phase: 0, walk: new Array<number>(40).fill(0) },
    tasks: 2,
    replacements: [],
    logLinesPerMinute: 1,
    ...overrides,
  };
}

function spans(simulator: TrafficSimulator, count: number, seconds: number, fromS = 0) {
  return Array.from({ length: count }, (_, i) =>
    simulator.span(fromS + i * seconds, fromS + (i + 1) * seconds),
  );
}

describe('detection benchmark: the simulator', () => {
  describe('Random', () => {
    it('gives the same sequence for the same seed and another for another seed', () => {
      const draw = (seed: number) => {
        const rng = new Random(seed);
        return Array.from({ length: 5 }, () => rng.uniform());
      };
      assert.deepEqual(draw(seedOf(8, 0, 100, 3)), draw(seedOf(8, 0, 100, 3)));
      assert.notDeepEqual(draw(seedOf(8, 0, 100, 3)), draw(seedOf(8, 0, 100, 4)));
    });

    for (const mean of [0.3, 4, 37, 900]) {
      it(`draws Poisson(${mean}) with its mean and variance (within 5 standard errors)`, () => {
        const rng = new Random(mean * 1000);
        const n = 20_000;
        const draws = Array.from({ length: n }, () => rng.poisson(mean));
        const average = draws.reduce((a, b) => a + b, 0) / n;
        const variance = draws.reduce((a, b) => a + (b - average) ** 2, 0) / (n - 1);
        assert.ok(Math.abs(average - mean) < 5 * Math.sqrt(mean / n), `mean ${average} vs ${mean}`);
        // The variance of a sample variance of a Poisson is about (mean + 2 mean²) / n.
        assert.ok(
          Math.abs(variance - mean) < 5 * Math.sqrt((mean + 2 * mean * mean) / n),
          `variance ${variance}`,
        );
        assert.ok(draws.every((k) => Number.isInteger(k) && k >= 0));
      });
    }
  });

  describe('latency buckets', () => {
    it('puts the whole log-normal in the buckets, with the p99 where the distribution has it', () => {
      const d = { medianMs: 30, sigma: 0.5 };
      const table = bucketTable(d);
      const total = table.probabilities.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(total - 1) < 1e-6, `total ${total}`);
      assert.ok(Math.abs(normalCdf(2.3263478740408408) - 0.99) < 1e-6);
      // Scaling every latency scales the p99 by the same factor.
      assert.ok(Math.abs(p99Of(scaled(d, 3)) / p99Of(d) - 3) < 1e-12);
    });
  });

  describe('a healthy service', () => {
    it("serves the asked rate, 5xx share and p99 over many 5-s slots (p99 within its bucket's 10.5 %)", () => {
      const profile = steadyProfile();
      const served = spans(new TrafficSimulator(new Random(1), profile), 720, TICK_S);
      const total = sumTraffic(served.map((s) => s.traffic));
      const expected = profile.rps * 720 * TICK_S;
      assert.ok(Math.abs(total.requests - expected) < 5 * Math.sqrt(expected), `requests ${total.requests}`);
      const share = total.errors / total.requests;
      const se = Math.sqrt((0.005 * 0.995) / total.requests);
      assert.ok(Math.abs(share - 0.005) < 5 * se, `5xx share ${share}`);
      const p99 = trafficPercentile(total, 99) as number;
      const truth = p99Of(profile.latency);
      // The histogram's p99 is its bucket's upper edge: at or above the truth, by less than a bucket.
      assert.ok(p99 >= truth * 0.99 && p99 <= truth * Math.exp(0.1) * 1.01, `p99 ${p99} vs ${truth}`);
    });

    it('writes one ERROR line per 5xx plus the background lines', () => {
      const profile = steadyProfile({ logLinesPerMinute: 6 });
      const served = spans(new TrafficSimulator(new Random(2), profile), 600, 60);
      const errors = served.reduce((sum, s) => sum + s.traffic.errors, 0);
      const lines = served.reduce((sum, s) => sum + s.errorLogs, 0);
      const extra = lines - errors;
      assert.ok(served.every((s) => s.errorLogs >= s.traffic.errors));
      assert.ok(Math.abs(extra - 3600) < 5 * Math.sqrt(3600), `background lines ${extra}`);
    });

    it("gives a replaced task's share of requests its 502s and 1.5x latency, only while it drains", () => {
      const profile = steadyProfile({
        rps: 500,
        errorShare: 0.001,
        tasks: 2,
        replacements: [{ fromS: 100, toS: 200, errorShare: 0.1 }],
      });
      const simulator = new TrafficSimulator(new Random(3), profile);
      const during = sumTraffic(spans(simulator, 20, TICK_S, 100).map((s) => s.traffic));
      const after = sumTraffic(spans(simulator, 20, TICK_S, 200).map((s) => s.traffic));
      // Half the requests (1 of 2 tasks) see 10 % more 5xx: 0.1 % + 5 %.
      assert.ok(
        Math.abs(during.errors / during.requests - 0.051) < 0.006,
        `during ${during.errors / during.requests}`,
      );
      assert.ok(after.errors / after.requests < 0.003, `after ${after.errors / after.requests}`);
      assert.ok((trafficPercentile(during, 99) as number) > (trafficPercentile(after, 99) as number) * 1.2);
    });

    it('keeps its drift within ±30 % of the average rate', () => {
      for (let i = 0; i < 200; i++) {
        const { drift } = drawProfile(new Random(seedOf(5, i)), 100);
        for (let t = -WINDOW_S; t <= WINDOW_S; t += 15) {
          const m = driftAt(drift, t);
          assert.ok(m >= 0.7 - 1e-9 && m <= 1.3 + 1e-9, `multiplier ${m} at ${t}s`);
        }
      }
    });
  });

  describe('a bad release', () => {
    it('answers its 5xx share and its latency factor from the deploy on, and not before', () => {
      const profile = steadyProfile({ rps: 500, errorShare: 0.002 });
      const simulator = new TrafficSimulator(new Random(4), profile, { errorShare: 0.12, latencyFactor: 3 });
      const before = sumTraffic(spans(simulator, 10, 60, -600).map((s) => s.traffic));
      const after = sumTraffic(spans(simulator, 10, 60, 0).map((s) => s.traffic));
      assert.ok(Math.abs(after.errors / after.requests - 0.12) < 0.005);
      assert.ok(before.errors / before.requests < 0.004);
      const ratio = (trafficPercentile(after, 99) as number) / (trafficPercentile(before, 99) as number);
      // Both are bucket upper edges: the ratio is 3 within one bucket either way.
      assert.ok(ratio > 3 / Math.exp(0.1) && ratio < 3 * Math.exp(0.1), `p99 ratio ${ratio}`);
    });
  });

  describe('windows', () => {
    it('are the same for the same seed, different for another', () => {
      assert.deepEqual(simulateWindow(seedOf(8, 1, 50, 0), 50), simulateWindow(seedOf(8, 1, 50, 0), 50));
      assert.notDeepEqual(
        simulateWindow(seedOf(8, 1, 50, 0), 50).ticks,
        simulateWindow(seedOf(8, 1, 50, 1), 50).ticks,
      );
    });

    it('give 60-s samples that are the sums of twelve 5-s ones, and a 15-minute baseline', () => {
      const window = simulateWindow(seedOf(8, 0, 10, 7), 10);
      const fine = samplesOf(window, 5);
      const coarse = samplesOf(window, 60);
      assert.equal(fine.length, 180);
      assert.equal(coarse.length, 15);
      for (const [k, sample] of coarse.entries()) {
        const parts = fine.slice(12 * k, 12 * k + 12);
        assert.equal(sample.from, parts[0]?.from);
        assert.equal(sample.to, parts[11]?.to);
        assert.deepEqual(
          sample.traffic,
          sumTraffic(parts.map((p) => p.traffic ?? { requests: 0, errors: 0, latency: {} })),
        );
        assert.equal(
          sample.errorLogs,
          parts.reduce((sum, p) => sum + p.errorLogs, 0),
        );
        assert.equal(sample.errorLogsPerMinute, sample.errorLogs);
      }
      assert.equal(window.baseline.errorLogs?.minutes, 15);
      assert.equal(window.baseline.at, window.startMs);
      assert.equal(window.baseline.requests, window.baseline.traffic?.requests);
      assert.ok(Math.abs(window.baseline.requests - 10 * 900) < 0.35 * 10 * 900);
    });
  });
});
