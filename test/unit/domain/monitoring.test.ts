import assert from 'node:assert/strict';
import { change, peakUtilization, perMinute, percentile, probeStats } from '../../../src/domain/monitoring';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('monitoring', () => {
  describe('percentile (nearest rank)', () => {
    const cases: [string, number[], number, number | undefined][] = [
      ['empty', [], 50, undefined],
      ['empty', [], 99, undefined],
      ['single value', [42], 0, 42],
      ['single value', [42], 50, 42],
      ['single value', [42], 99, 42],
      ['single value', [42], 100, 42],
      ['1..100', range(100), 50, 50],
      ['1..100', range(100), 95, 95],
      ['1..100', range(100), 99, 99],
      ['1..100', range(100), 100, 100],
      ['1..100', range(100), 1, 1],
      ['1..100', range(100), 0, 1],
      ['1..10', range(10), 50, 5],
      ['1..10', range(10), 90, 9],
      ['1..10', range(10), 91, 10],
      ['1..10', range(10), 95, 10],
      ['1..10', range(10), 99, 10],
      ['1..10', range(10), 10, 1],
      ['1..10', range(10), 11, 2],
      ['1..20', range(20), 95, 19],
      ['1..20', range(20), 99, 20],
      ['two values', [10, 20], 50, 10],
      ['two values', [10, 20], 51, 20],
      ['values, not ranks', [100, 200, 300, 400], 75, 300],
    ];
    for (const [label, sorted, p, expected] of cases) {
      it(`p${p} of ${label} is ${expected}`, () => {
        assert.equal(percentile(sorted, p), expected);
      });
    }

    // Nearest rank is ceil(p/100 × n). (p / 100) * n in floating point gives 55.00000000000001 for
    // p=55, n=100 (and 7.000000000000001 for p=7), so the rank comes out one too high.
    const exactRanks: [number, number, number][] = [
      [55, 100, 55],
      [7, 100, 7],
      [55, 200, 110],
    ];
    for (const [p, n, expected] of exactRanks) {
      it(`p${p} of 1..${n} is ${expected} (no floating-point rank overshoot)`, () => {
        assert.equal(percentile(range(n), p), expected);
      });
    }
  });

  describe('probeStats', () => {
    const ok = (latencyMs: number) => ({ status: 200, latencyMs });

    it('of no probes: nothing requested, nothing failed, no percentiles', () => {
      assert.deepEqual(probeStats([]), { requests: 0, failures: 0, errorRate: 0 });
    });

    it('of answered probes: percentiles of the latencies in any order', () => {
      const results = [5, 3, 1, 4, 2].map(ok);
      assert.deepEqual(probeStats(results), {
        requests: 5,
        failures: 0,
        errorRate: 0,
        p50: 3,
        p95: 5,
        p99: 5,
      });
    });

    const failureCases: [number, boolean][] = [
      [0, true],
      [200, false],
      [204, false],
      [301, false],
      [400, false],
      [404, false],
      [429, false],
      [499, false],
      [500, true],
      [502, true],
      [503, true],
      [504, true],
    ];
    for (const [status, failed] of failureCases) {
      it(`status ${status} ${failed ? 'is' : 'is not'} a failure`, () => {
        const stats = probeStats([{ status, latencyMs: 10 }, ok(10), ok(10), ok(10)]);
        assert.equal(stats.failures, failed ? 1 : 0);
        assert.equal(stats.errorRate, failed ? 0.25 : 0);
        assert.equal(stats.requests, 4);
      });
    }

    it('leaves the latencies of unanswered probes (status 0) out of the percentiles', () => {
      const stats = probeStats([
        ok(100),
        { status: 0, latencyMs: 30_000 },
        ok(200),
        { status: 0, latencyMs: 30_000 },
      ]);
      assert.deepEqual(stats, { requests: 4, failures: 2, errorRate: 0.5, p50: 100, p95: 200, p99: 200 });
    });

    it('keeps the latencies of 5xx answers in the percentiles', () => {
      const stats = probeStats([ok(100), { status: 503, latencyMs: 900 }]);
      assert.deepEqual(stats, { requests: 2, failures: 1, errorRate: 0.5, p50: 100, p95: 900, p99: 900 });
    });

    it('when no probe was answered: every probe failed and there are no percentiles', () => {
      const stats = probeStats([
        { status: 0, latencyMs: 5_000 },
        { status: 0, latencyMs: 5_000 },
      ]);
      assert.deepEqual(stats, { requests: 2, failures: 2, errorRate: 1 });
      assert.equal('p99' in stats, false);
    });

    it('p50/p95/p99 of 100 probes answering in 1..100 ms', () => {
      const stats = probeStats(range(100).reverse().map(ok));
      assert.deepEqual(stats, { requests: 100, failures: 0, errorRate: 0, p50: 50, p95: 95, p99: 99 });
    });
  });

  describe('perMinute', () => {
    const cases: [string, number, number, number, number][] = [
      ['30 over 10 minutes', 30, 0, 600_000, 3],
      ['30 over one minute', 30, 60_000, 120_000, 30],
      ['30 over 30 seconds', 30, 0, 30_000, 60],
      ['none over 10 minutes', 0, 0, 600_000, 0],
      ['7 over 2 minutes', 7, 1_000, 121_000, 3.5],
      ['30 over a zero span', 30, 60_000, 60_000, 0],
      ['30 over a negative span', 30, 120_000, 60_000, 0],
    ];
    for (const [label, count, from, to, expected] of cases) {
      it(`${label} is ${expected}/min`, () => {
        assert.equal(perMinute(count, from, to), expected);
      });
    }
  });

  describe('change', () => {
    const cases: [number | undefined, number | undefined, string][] = [
      [100, 112, '+12%'],
      [100, 95, '-5%'],
      [200, 400, '+100%'],
      [200, 100, '-50%'],
      [100, 0, '-100%'],
      [100, 100, '±0%'],
      [300, 301, '±0%'],
      [100, 99.6, '±0%'],
      [100, 100.4, '±0%'],
      [100, 100.5, '+1%'],
      [100, 99.4, '-1%'],
      [0, 0, '±0%'],
      [0, 50, 'new'],
      [undefined, 100, 'n/a'],
      [100, undefined, 'n/a'],
      [undefined, undefined, 'n/a'],
      [0, undefined, 'n/a'],
    ];
    for (const [before, after, expected] of cases) {
      it(`${String(before)} → ${String(after)} is "${expected}"`, () => {
        assert.equal(change(before, after), expected);
      });
    }
  });

  describe('peakUtilization', () => {
    it('takes the busiest service for each figure, which may differ', () => {
      assert.deepEqual(
        peakUtilization([
          { service: 'backend-service', cpu: 35, memory: 40 },
          { service: 'worker-service', cpu: 70, memory: 22 },
        ]),
        {
          cpu: { percent: 70, service: 'worker-service' },
          memory: { percent: 40, service: 'backend-service' },
        },
      );
    });

    it('skips services without a figure; none measured is not 0%', () => {
      assert.deepEqual(
        peakUtilization([{ service: 'backend-service' }, { service: 'worker-service', memory: 12 }]),
        { memory: { percent: 12, service: 'worker-service' } },
      );
      assert.deepEqual(peakUtilization([{ service: 'backend-service' }]), {});
      assert.deepEqual(peakUtilization([]), {});
    });

    it('keeps the first service on a tie, so the answer does not depend on CloudWatch', () => {
      assert.deepEqual(
        peakUtilization([
          { service: 'a', cpu: 50 },
          { service: 'b', cpu: 50 },
        ]),
        { cpu: { percent: 50, service: 'a' } },
      );
    });
  });
});
