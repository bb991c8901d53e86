import assert from 'node:assert/strict';
import { CloudWatchAlarms } from '../../../src/aws/alarms';
import { CloudWatchServiceMetrics } from '../../../src/aws/cloudwatch-metrics';
import { CloudWatchMetricData } from '../../../src/aws/metric-data';
import { BatchedMetricData } from '../../../src/engine/batched-metric-data';
import { CONNECTIONS_PER_TASK } from '../../../src/sandbox/aws/rds-metrics';
import { minuteQueries, readMinuteFigures } from '../../../src/steps/minute-signals';
import { startAwsHarness, type AwsHarness } from './aws-harness';

const MINUTE = 60_000;
const CLUSTER = 'social-analytics-cluster';
const BACKEND = {
  targetGroup: 'targetgroup/backend/0123456789abcdef',
  loadBalancer: 'app/social/aaaaaaaaaaaaaaaa',
};
const API = { targetGroup: 'targetgroup/api/fedcba9876543210', loadBalancer: 'app/social/aaaaaaaaaaaaaaaa' };

describe('AwsEmulator ALB and RDS metrics and alarms through the real SDK adapters', () => {
  let h: AwsHarness;
  let data: CloudWatchMetricData;
  /** A minute boundary, ten minutes after the harness starts. */
  let t0: number;

  beforeEach(async () => {
    h = await startAwsHarness();
    data = new CloudWatchMetricData(h.clients.cloudwatch);
    h.clock.advance(10 * MINUTE);
    t0 = h.clock.now();
  });

  afterEach(async () => {
    await h.close();
  });

  /** 100 requests in the minute at `minute`: latencies 1..100 ms, `errors` of them 500, `unanswered` with no answer. */
  function traffic(target: typeof BACKEND, minute: number, errors: number, unanswered = 0): void {
    for (let i = 0; i < 100; i += 1) {
      const status = i < unanswered ? 0 : i < unanswered + errors ? 500 : 200;
      h.emulator.recordRequest({ ...target, at: minute + i * 500, status, latencyMs: i + 1 });
    }
  }

  it('answers the load balancer figures of recorded requests, complete minutes only, latency in seconds', async () => {
    traffic(BACKEND, t0, 5, 2);
    traffic(API, t0, 1);
    traffic(BACKEND, t0 + MINUTE, 0);
    h.clock.advance(2 * MINUTE + 60_000 + 120_000);

    const got = await readMinuteFigures(
      data,
      { targets: [BACKEND, API] },
      t0,
      t0 + 2 * MINUTE,
      h.clock.now(),
    );

    assert.equal(got.length, 2);
    const [first, second] = got;
    assert.equal(first?.at, t0);
    // 200 requests; errors: 5 + 1 from the targets, 2 the load balancer answered itself.
    assert.equal(first?.loadBalancer?.requests, 200);
    assert.equal(first?.loadBalancer?.errors, 8);
    // The slower target group's p99 (answered latencies 3..100 ms and 1..100 ms): 99 or 100 ms, within the histogram's 1 %.
    const p99 = first?.loadBalancer?.p99 ?? 0;
    assert.ok(p99 >= 98 && p99 <= 101, `p99 ${p99} ms`);
    const p50 = first?.loadBalancer?.p50 ?? 0;
    assert.ok(p50 >= 49 && p50 <= 53, `p50 ${p50} ms`);
    assert.deepEqual(
      second?.loadBalancer && { requests: second.loadBalancer.requests, errors: second.loadBalancer.errors },
      {
        requests: 100,
        errors: 0,
      },
    );
  });

  it('publishes a minute only metricsDelayMs after it ends', async () => {
    traffic(BACKEND, t0, 0);
    const queries = minuteQueries([BACKEND], undefined).slice(0, 1);

    h.clock.advance(MINUTE + 60_000 - 1);
    assert.deepEqual(await data.read(queries, t0, t0 + MINUTE), [[]]);

    h.clock.advance(1);
    assert.deepEqual(await data.read(queries, t0, t0 + MINUTE), [[{ at: t0, value: 100 }]]);

    h.emulator.setTimings({ metricsDelayMs: 0 });
    traffic(BACKEND, t0 + 2 * MINUTE, 0);
    h.clock.advance(2 * MINUTE);
    assert.deepEqual(await data.read(queries, t0 + 2 * MINUTE, t0 + 3 * MINUTE), [
      [{ at: t0 + 2 * MINUTE, value: 100 }],
    ]);
  });

  it('answers DatabaseConnections from the running tasks, or as a test pins it', async () => {
    const running = h.emulator
      .state()
      .clusters.flatMap((c) => c.services)
      .reduce((n, s) => n + s.runningCount, 0);
    assert.ok(running > 0);
    const database = { kind: 'instance' as const, id: 'social-analytics-db' };
    const read = () =>
      readMinuteFigures(data, { targets: [], database }, t0 - 3 * MINUTE, t0, h.clock.now(), 60_000);

    assert.deepEqual(
      (await read()).map((m) => m.dbConnections),
      [running * CONNECTIONS_PER_TASK, running * CONNECTIONS_PER_TASK],
    );

    h.emulator.setDatabaseConnections('social-analytics-db', 42);
    assert.deepEqual(
      (await read()).map((m) => m.dbConnections),
      [42, 42],
    );
    // An unknown database has no datapoints, as in CloudWatch.
    assert.deepEqual(
      await readMinuteFigures(
        data,
        { targets: [], database: { kind: 'cluster', id: 'nope' } },
        t0 - 3 * MINUTE,
        t0,
        h.clock.now(),
        60_000,
      ),
      [],
    );
  });

  it('describes alarms by name and by prefix, metric and composite, with their reasons', async () => {
    h.emulator.putAlarm({
      name: 'backend-5xx',
      state: 'OK',
      reason: 'Threshold Crossed: no datapoints above 5.0',
    });
    h.emulator.putAlarm({ name: 'backend-health', state: 'OK', reason: 'all children OK', composite: true });
    h.emulator.putAlarm({ name: 'worker-queue', state: 'OK', reason: 'fine' });
    const alarms = new CloudWatchAlarms(h.clients.cloudwatch);

    h.clock.advance(MINUTE);
    h.emulator.setAlarmState(
      'backend-5xx',
      'ALARM',
      'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).',
    );

    const byPrefix = await alarms.describe({ prefix: 'backend-' });
    assert.deepEqual(byPrefix.map((a) => `${a.name}:${a.state}`).sort(), [
      'backend-5xx:ALARM',
      'backend-health:OK',
    ]);
    const fired = byPrefix.find((a) => a.name === 'backend-5xx');
    assert.equal(
      fired?.reason,
      'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).',
    );
    assert.equal(fired?.updatedAt, h.clock.now());

    const byName = await alarms.describe({ names: ['worker-queue', 'missing'] });
    assert.deepEqual(
      byName.map((a) => a.name),
      ['worker-queue'],
    );
    assert.deepEqual(
      h.emulator.calls.map((c) => `${c.service}:${c.action}:${c.status}`),
      ['cloudwatch:DescribeAlarms:200', 'cloudwatch:DescribeAlarms:200'],
    );
  });

  it('answers two apps sampling at one moment, CPU/memory and minute figures, with one GetMetricData', async () => {
    const batched = new BatchedMetricData(data, { windowMs: 20 });
    const utilization = new CloudWatchServiceMetrics(batched);
    traffic(BACKEND, t0 - 5 * MINUTE, 1);
    traffic(API, t0 - 5 * MINUTE, 0);
    const callsBefore = h.emulator.calls.length;

    const [backendCpu, workerCpu, backendMinutes, apiMinutes] = await Promise.all([
      utilization.utilization(CLUSTER, ['backend-service'], t0 - MINUTE, t0),
      utilization.utilization(CLUSTER, ['worker-service'], t0 - MINUTE, t0),
      readMinuteFigures(batched, { targets: [BACKEND] }, t0 - 10 * MINUTE, t0, t0),
      readMinuteFigures(
        batched,
        { targets: [API], database: { kind: 'instance', id: 'social-analytics-db' } },
        t0 - 10 * MINUTE,
        t0,
        t0,
      ),
    ]);

    assert.deepEqual(
      h.emulator.calls.slice(callsBefore).map((c) => `${c.service}:${c.action}`),
      ['cloudwatch:GetMetricData'],
    );
    assert.ok(backendCpu[0]?.cpu !== undefined && workerCpu[0]?.memory !== undefined);
    assert.deepEqual(
      backendMinutes.map((m) => [m.at, m.loadBalancer?.requests, m.loadBalancer?.errors]),
      [[t0 - 5 * MINUTE, 100, 1]],
    );
    assert.equal(apiMinutes.find((m) => m.at === t0 - 5 * MINUTE)?.loadBalancer?.requests, 100);
    assert.ok(apiMinutes.every((m) => m.dbConnections !== undefined && m.at < t0 - 2 * MINUTE));
  });
});
