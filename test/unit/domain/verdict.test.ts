import { strict as assert } from 'node:assert';
import type { Baseline, MinuteFigures, Sample } from '../../../src/domain/monitoring';
import { latencyBucket, type TrafficCounts } from '../../../src/domain/traffic';
import { DEFAULT_THRESHOLDS, judge, type JudgeInput } from '../../../src/domain/verdict';

const T = { ...DEFAULT_THRESHOLDS, cpu: 90 };
const INTERVAL = 5_000;

/** Traffic of n requests, `errors` of them 5xx, all at `latencyMs` except `slow` at `slowMs`. */
function traffic(n: number, errors: number, latencyMs = 30, slow = 0, slowMs = 1_000): TrafficCounts {
  const latency: Record<string, number> = { [latencyBucket(latencyMs)]: n - slow };
  if (slow > 0) latency[latencyBucket(slowMs)] = slow;
  return { requests: n, errors, latency };
}

function samples(count: number, each: (slot: number) => Partial<Sample>): Sample[] {
  return Array.from({ length: count }, (_, slot) => ({
    slot,
    from: slot * INTERVAL,
    to: (slot + 1) * INTERVAL,
    errorLogs: 0,
    errorLogsPerMinute: 0,
    ...each(slot),
  }));
}

const BASELINE: Baseline = {
  requests: 20,
  failures: 0,
  errorRate: 0,
  p99: 40,
  errorLogsPerMinute: 6,
  errorLogs: { count: 90, minutes: 15 },
  at: 0,
  // 15 min at 50 rps, 0.2 % 5xx, 1 % of requests at 80ms (the p99 region).
  traffic: traffic(45_000, 90, 30, 450, 38),
};

function input(over: Partial<JudgeInput>): JudgeInput {
  return { samples: [], baseline: BASELINE, now: 0, thresholds: T, ...over };
}

describe('judge: the rollback verdict on evidence', () => {
  it('a noisy healthy service is healthy: 1 error line a slot and 0.4 % 5xx never fire', () => {
    const j = judge(
      input({
        samples: samples(12, () => ({ traffic: traffic(250, 1), errorLogs: 1, errorLogsPerMinute: 12 })),
      }),
    );
    assert.equal(j.verdict, 'healthy', JSON.stringify(j.results));
    assert.equal(j.source, 'access-logs');
  });

  const cases: { name: string; samples: Sample[]; rule: string; quote: RegExp }[] = [
    {
      name: '12 % 5xx over two slots of 250 requests',
      samples: samples(2, () => ({ traffic: traffic(250, 30) })),
      rule: 'error-rate',
      quote: /5xx 12\.0% of 500 requests in the last 10s vs 0\.2% of 45,000 at baseline \(limit 5%\)/,
    },
    {
      name: 'p99 at 3x: 5 % of requests slower than twice the baseline p99',
      samples: samples(12, () => ({ traffic: traffic(250, 0, 30, 13, 130) })),
      rule: 'latency',
      quote:
        /p99 134ms in the last 1m 00s vs 33ms at baseline \(limit 2x = 66ms\): 5\.2% of 3,000 requests slower than 66ms/,
    },
    {
      name: 'error logs at ten times the baseline for a minute',
      samples: samples(12, () => ({ errorLogs: 5, errorLogsPerMinute: 60, traffic: traffic(250, 0) })),
      rule: 'error-logs',
      // The baseline's 90 lines were its 90 failed requests: nothing besides them.
      quote:
        /60 error logs besides 5xx responses in the last 1m 00s \(60\.0\/min\) vs 0\.0\/min at baseline \(0 in 15m 00s\); limit 5\.0\/min, in most of its 12 samples/,
    },
  ];
  for (const c of cases) {
    it(`breach: ${c.name}`, () => {
      const j = judge(input({ samples: c.samples }));
      assert.equal(j.verdict, 'breach', JSON.stringify(j.results));
      assert.equal(j.breach?.rule, c.rule);
      assert.match(j.breach?.why ?? '', c.quote);
    });
  }

  it('6 % of only 100 requests is inconclusive, not a breach', () => {
    const j = judge(input({ samples: samples(2, () => ({ traffic: traffic(50, 3) })) }));
    assert.equal(j.verdict, 'inconclusive');
    const r = j.results.find((x) => x.rule === 'error-rate');
    assert.equal(r?.status, 'inconclusive');
    assert.match(r?.why ?? '', /only 100 requests in the last 10s; 300 needed/);
  });

  it('the window grows back (up to 5 min) to find enough requests at low traffic', () => {
    const j = judge(input({ samples: samples(36, () => ({ traffic: traffic(10, 2) })) }));
    const r = j.results.find((x) => x.rule === 'error-rate');
    assert.equal(r?.status, 'breach');
    assert.match(r?.why ?? '', /of 300 requests in the last 2m 30s/);
  });

  it('above the threshold but not significant against a noisy baseline: no breach', () => {
    const noisy: Baseline = { ...BASELINE, traffic: traffic(45_000, 2_500) };
    const j = judge(input({ baseline: noisy, samples: samples(12, () => ({ traffic: traffic(250, 15) })) }));
    assert.equal(j.results.find((x) => x.rule === 'error-rate')?.status, 'ok');
  });

  it('falls back to the health probes and says so', () => {
    const j = judge(
      input({
        samples: samples(24, () => ({
          probes: { requests: 15, failures: 3, errorRate: 0.2 },
          probeTraffic: traffic(15, 3),
        })),
      }),
    );
    assert.equal(j.source, 'probes');
    assert.equal(j.breach?.rule, 'error-rate');
    assert.match(j.breach?.why ?? '', /health probes/);
  });

  it('health: every probe failing in two samples is a breach; one failing probe is not', () => {
    const down = judge(
      input({ samples: samples(2, () => ({ probes: { requests: 5, failures: 5, errorRate: 1 } })) }),
    );
    assert.equal(down.breach?.rule, 'health');
    const blip = judge(
      input({ samples: samples(2, (s) => ({ probes: { requests: 5, failures: s, errorRate: s / 5 } })) }),
    );
    assert.notEqual(blip.breach?.rule, 'health');
  });

  it('crashes: two crashed tasks of the new revision are a breach quoting the cause', () => {
    const crash = {
      arn: 'a',
      service: 'backend-service',
      stoppedAt: 1,
      reason: 'Essential container in task exited (exit 1)',
    };
    assert.equal(judge(input({ crashes: [crash] })).breach, undefined);
    const j = judge(input({ crashes: [crash, { ...crash, arn: 'b' }] }));
    assert.equal(j.breach?.rule, 'crashes');
    assert.match(j.breach?.why ?? '', /2 tasks of the new revision crashed.*exit 1/);
  });

  it('alarms: OK at baseline and ALARM now is a breach; ALARM already at baseline is not', () => {
    const baseline = { ...BASELINE, alarms: { 'api-5xx': 'OK', 'disk-full': 'ALARM' } };
    const alarms = [
      { name: 'disk-full', state: 'ALARM' as const, reason: 'old', updatedAt: 0 },
      { name: 'api-5xx', state: 'OK' as const, reason: 'fine', updatedAt: 0 },
    ];
    assert.equal(judge(input({ baseline, alarms })).breach, undefined);
    const j = judge(
      input({
        baseline,
        alarms: [{ ...alarms[1]!, state: 'ALARM', reason: 'Threshold Crossed: 1 datapoint [12.0] > 5.0' }],
      }),
    );
    assert.equal(j.breach?.rule, 'alarms');
    assert.match(j.breach?.why ?? '', /alarm api-5xx is ALARM \(OK at baseline\): Threshold Crossed/);
  });

  describe('complete minutes of the load balancer and the database', () => {
    const lbBaseline = {
      ...BASELINE,
      loadBalancer: { requests: 45_000, errors: 45, p99: 120, minutes: 15 },
      dbConnections: 40,
    };
    const minute = (at: number, m: Partial<MinuteFigures>): MinuteFigures => ({ at: at * 60_000, ...m });

    it('load balancer 5xx over complete minutes', () => {
      const j = judge(
        input({
          baseline: lbBaseline,
          minutes: [minute(0, { loadBalancer: { requests: 3_000, errors: 300 } })],
        }),
      );
      assert.equal(j.breach?.rule, 'lb-error-rate');
      assert.match(
        j.breach?.why ?? '',
        /load balancer 5xx 10\.0% of 3,000 requests in the last complete minute/,
      );
      assert.equal(j.source, 'load-balancer');
    });

    it('load balancer p99 above 2x in two complete minutes; one minute is not enough', () => {
      const slow = { requests: 3_000, errors: 0, p99: 400 };
      const one = judge(input({ baseline: lbBaseline, minutes: [minute(0, { loadBalancer: slow })] }));
      assert.equal(one.results.find((r) => r.rule === 'lb-latency')?.status, 'inconclusive');
      const two = judge(
        input({
          baseline: lbBaseline,
          minutes: [minute(0, { loadBalancer: slow }), minute(1, { loadBalancer: slow })],
        }),
      );
      assert.equal(two.breach?.rule, 'lb-latency');
      assert.match(two.breach?.why ?? '', /400ms, 400ms in the last 2 complete minutes vs 120ms/);
    });

    it('database connections far above the baseline in two minutes', () => {
      const j = judge(
        input({
          baseline: lbBaseline,
          minutes: [minute(0, { dbConnections: 95 }), minute(1, { dbConnections: 130 })],
        }),
      );
      assert.equal(j.breach?.rule, 'connections');
      const calm = judge(
        input({
          baseline: lbBaseline,
          minutes: [minute(0, { dbConnections: 55 }), minute(1, { dbConnections: 58 })],
        }),
      );
      assert.equal(calm.breach, undefined);
    });
  });

  it('saturation keeps its consecutive-samples rule', () => {
    const cpu = (percent: number) => ({ cpu: { percent, service: 'backend-service' } });
    assert.equal(judge(input({ samples: samples(2, () => cpu(95)) })).breach?.rule, 'saturation');
    assert.equal(judge(input({ samples: samples(2, (s) => cpu(s === 0 ? 95 : 50)) })).breach, undefined);
  });

  it('a burst of error lines (a task being replaced) is not a spike: most slots must be above the limit', () => {
    const burst = judge(
      input({
        // 90 lines at baseline besides its 90 failed requests: 6 a minute.
        baseline: { ...BASELINE, errorLogs: { count: 180, minutes: 15 } },
        samples: samples(12, (slot) => ({
          traffic: traffic(2_500, 0),
          errorLogs: slot >= 4 && slot < 7 ? 60 : 1,
          errorLogsPerMinute: slot >= 4 && slot < 7 ? 720 : 12,
        })),
      }),
    );
    assert.equal(burst.verdict, 'healthy', JSON.stringify(burst.results));
    const logs = burst.results.find((r) => r.rule === 'error-logs');
    assert.match(
      logs?.why ?? '',
      /^189 error logs besides 5xx responses in the last 1m 00s \(189\.0\/min\) vs 6\.0\/min at baseline/,
    );
  });

  it('error lines of failed requests are the error-rate rule’s: a burst of 5xx with their lines is no log spike', () => {
    const j = judge(
      input({
        samples: samples(12, (slot) => ({
          traffic: traffic(2_500, slot < 4 ? 60 : 2),
          errorLogs: slot < 4 ? 60 : 2,
          errorLogsPerMinute: slot < 4 ? 720 : 24,
        })),
      }),
    );
    assert.equal(j.results.find((r) => r.rule === 'error-logs')?.status, 'ok');
  });

  it('without access logs every error line counts', () => {
    const j = judge(
      input({
        samples: samples(12, () => ({ errorLogs: 5, errorLogsPerMinute: 60 })),
      }),
    );
    assert.equal(j.breach?.rule, 'error-logs');
    assert.match(
      j.breach?.why ?? '',
      /^60 error logs in the last 1m 00s \(60\.0\/min\) vs 6\.0\/min at baseline/,
    );
  });

  it('error logs are judged only once a whole window of them is in', () => {
    const early = judge(
      input({
        samples: samples(3, () => ({ errorLogs: 20, errorLogsPerMinute: 240, traffic: traffic(250, 0) })),
      }),
    );
    const r = early.results.find((x) => x.rule === 'error-logs');
    assert.equal(r?.status, 'inconclusive');
    assert.match(r?.why ?? '', /judged once 1m 00s of logs are in$/);
  });

  it('6 % in the first 5 s at 500 req/s (a replacement burst) is not confidently above 5 %', () => {
    const j = judge(input({ samples: samples(1, () => ({ traffic: traffic(2_500, 150) })) }));
    assert.equal(j.results.find((x) => x.rule === 'error-rate')?.status, 'ok');
    const bad = judge(input({ samples: samples(1, () => ({ traffic: traffic(2_500, 300) })) }));
    assert.equal(bad.breach?.rule, 'error-rate');
  });

  it('no source of traffic at all is inconclusive', () => {
    const j = judge(input({ samples: samples(3, () => ({})) }));
    assert.equal(j.verdict, 'inconclusive');
    assert.equal(j.source, 'none');
  });
});
