import assert from 'node:assert/strict';
import type { Baseline, Sample } from '../../../src/domain/monitoring';
import { type TrafficCounts, latencyBucket } from '../../../src/domain/traffic';
import { evaluateWindow } from '../../../bench/detection/evaluate';
import { legacyWatcher } from '../../../bench/detection/legacy-rule';
import { minuteWatcher } from '../../../bench/detection/minute-rule';
import { noiseAwareWatcher } from '../../../bench/detection/noise-aware-rule';
import { runJob } from '../../../bench/detection/job';
import { seedOf } from '../../../bench/detection/random';
import { type Tallies, mergeTallies } from '../../../bench/detection/tally';
import { simulateWindow } from '../../../bench/detection/window';

const DEPLOY = Date.UTC(2026, 0, 5, 10);

/** Requests all at one latency, `errors` of them 5xx. */
function traffic(requests: number, errors: number, latencyMs = 30): TrafficCounts {
  return { requests, errors, latency: requests > 0 ? { [String(latencyBucket(latencyMs))]: requests } : {} };
}

function sample(slot: number, intervalS: number, errorLogs: number, t?: TrafficCounts): Sample {
  const from = DEPLOY + slot * intervalS * 1000;
  const to = from + intervalS * 1000;
  return {
    slot,
    from,
    to,
    errorLogs,
    errorLogsPerMinute: (errorLogs * 60) / intervalS,
    ...(t && { traffic: t }),
  };
}

function baseline(overrides: Partial<Baseline> = {}): Baseline {
  return {
    requests: 45_000,
    failures: 90,
    errorRate: 0.002,
    p99: 40,
    errorLogsPerMinute: 0,
    errorLogs: { count: 0, minutes: 15 },
    at: DEPLOY,
    traffic: traffic(45_000, 90),
    ...overrides,
  };
}

describe("detection benchmark: today's rule (739cf70), applied to real traffic", () => {
  it('reproduces the issue: one error line in a 5-second slot counts as 12 a minute, two in a row propose', () => {
    const rule = legacyWatcher(baseline());
    assert.deepEqual(rule.observe(sample(0, 5, 1, traffic(250, 0))), {});
    assert.deepEqual(rule.observe(sample(1, 5, 1, traffic(250, 0))), {
      proposal: 'error-logs: 12.0 error logs/min > 5.0/min in 2 consecutive samples',
    });
  });

  it('does not propose on the same line once a minute at a 60-s interval', () => {
    const rule = legacyWatcher(baseline());
    for (let slot = 0; slot < 15; slot++)
      assert.deepEqual(rule.observe(sample(slot, 60, 1, traffic(3000, 6))), {});
  });

  it("judges a slot's 5xx share alone: 1 of 10 requests in two slots is a proposal", () => {
    const rule = legacyWatcher(baseline());
    rule.observe(sample(0, 5, 0, traffic(10, 1)));
    assert.equal(
      rule.observe(sample(1, 5, 0, traffic(10, 1))).proposal,
      'error-rate: 5xx rate 10.0% > 5.0% in 2 consecutive samples',
    );
  });

  it('lets a slot without traffic neither confirm nor break a latency streak', () => {
    const rule = legacyWatcher(baseline());
    assert.deepEqual(rule.observe(sample(0, 5, 0, traffic(20, 0, 100))), {});
    assert.deepEqual(rule.observe(sample(1, 5, 0)), {});
    assert.match(
      rule.observe(sample(2, 5, 0, traffic(20, 0, 100))).proposal ?? '',
      /^latency: p99 \d+ms > 2x baseline 40ms/,
    );
  });
});

describe('detection benchmark: the once-a-minute threshold rule', () => {
  it('judges each whole minute once, at its end, on the minute alone', () => {
    const rule = minuteWatcher(baseline());
    // 11 slots of 12 % 5xx: no minute has ended yet.
    for (let slot = 0; slot < 11; slot++)
      assert.deepEqual(rule.observe(sample(slot, 5, 0, traffic(100, 12))), {});
    assert.equal(
      rule.observe(sample(11, 5, 0, traffic(100, 12))).proposal,
      'error-rate: 5xx 12.0% of 1200 requests in the last minute',
    );
  });

  it('does not carry a bad minute into the next one', () => {
    const rule = minuteWatcher(baseline());
    rule.observe(sample(0, 60, 0, traffic(1000, 100)));
    assert.deepEqual(rule.observe(sample(1, 60, 0, traffic(1000, 10))), {});
    assert.match(
      rule.observe(sample(2, 60, 0, traffic(1000, 0, 120))).proposal ?? '',
      /^latency: p99 1\d\dms > 2x baseline 40ms/,
    );
  });
});

describe('detection benchmark: the new judge as the monitor runs it', () => {
  it('is inconclusive on a handful of requests, where the old rule proposes', () => {
    const judge = noiseAwareWatcher(baseline());
    const legacy = legacyWatcher(baseline());
    for (let slot = 0; slot < 2; slot++) {
      const s = sample(slot, 5, 1, traffic(10, 1));
      assert.deepEqual(judge.observe(s), { inconclusive: true });
      legacy.observe(s);
    }
    assert.ok(legacy.observe(sample(2, 5, 1, traffic(10, 1))).proposal);
  });
});

describe('detection benchmark: evaluation', () => {
  it("times every rule's proposal of a 12 % release from the deploy, on its own sample boundaries", () => {
    const window = simulateWindow(seedOf(8, 3, 500, 0), 500, { errorShare: 0.12 });
    for (const intervalS of [5, 60]) {
      const outcome = evaluateWindow(window, intervalS, true);
      for (const rule of ['new', 'today', 'minute'] as const) {
        const after = outcome.proposalAfterMs[rule];
        assert.ok(after !== undefined && after > 0 && after % (intervalS * 1000) === 0, `${rule}: ${after}`);
      }
      assert.equal(outcome.proposalAfterMs.minute, 60_000);
    }
  });

  it('gives the same tallies however the windows are split between jobs', () => {
    const whole = runJob({ seed: 3, scenario: 0, level: 2, from: 0, to: 2 });
    const parts: Tallies = {};
    mergeTallies(parts, runJob({ seed: 3, scenario: 0, level: 2, from: 1, to: 2 }));
    mergeTallies(parts, runJob({ seed: 3, scenario: 0, level: 2, from: 0, to: 1 }));
    for (const tally of Object.values(parts))
      for (const times of Object.values(tally.proposalAfterMs)) times.sort((a, b) => a - b);
    for (const tally of Object.values(whole))
      for (const times of Object.values(tally.proposalAfterMs)) times.sort((a, b) => a - b);
    assert.deepEqual(parts, whole);
    assert.equal(whole['5s|healthy|2']?.windows, 2);
    assert.equal(whole['5s|healthy|2']?.judged, 2 * 180);
    assert.equal(whole['60s|healthy|2']?.judged, 2 * 15);
  });
});
