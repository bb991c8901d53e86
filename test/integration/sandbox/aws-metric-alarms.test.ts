import assert from 'node:assert/strict';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchAlarms } from '../../../src/aws/alarms';
import { BACKEND_TARGET, sandboxAlarms } from '../../../src/sandbox/sandbox';
import { startAwsHarness, type AwsHarness } from './aws-harness';

const MINUTE = 60_000;
const TARGET_5XX = 'social-analytics-target-5xx';
const DB_CONNECTIONS = 'social-analytics-db-connections';

describe('AwsEmulator metric alarms evaluated from recorded traffic, through the real SDK', () => {
  let h: AwsHarness;
  let alarms: CloudWatchAlarms;
  /** A minute boundary after the harness starts, when the sandbox's alarms are put. */
  let t0: number;

  beforeEach(async () => {
    h = await startAwsHarness();
    alarms = new CloudWatchAlarms(h.clients.cloudwatch);
    h.clock.advance(MINUTE - (h.clock.now() % MINUTE));
    t0 = h.clock.now();
    for (const alarm of sandboxAlarms(BACKEND_TARGET)) h.emulator.putMetricAlarm(alarm);
  });

  afterEach(async () => {
    await h.close();
  });

  /** A minute of the sandbox's users at 50 req/s, `errorRate` of them answered 500. */
  function minuteOfTraffic(minute: number, errorRate: number): void {
    const requests = 3_000;
    const errors = Math.round(requests * errorRate);
    for (let i = 0; i < requests; i += 1) {
      const status = i < errors ? 500 : 200;
      h.emulator.recordRequest({ ...BACKEND_TARGET, at: minute + i * 20, status, latencyMs: 30 });
    }
  }

  const state = async (name: string) =>
    (await alarms.describe({ prefix: 'social-analytics-' })).find((a) => a.name === name);

  it('keeps the 5xx alarm OK under healthy noise and drives it to ALARM a published minute after a bad build serves', async () => {
    minuteOfTraffic(t0, 0.002);
    minuteOfTraffic(t0 + MINUTE, 0.002);
    h.clock.advance(3 * MINUTE);
    const healthy = await state(TARGET_5XX);
    assert.equal(healthy?.state, 'OK');
    // CloudWatch words a reason when the state changes: this one is from the first evaluation.
    assert.equal(
      healthy?.reason,
      'Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].',
    );
    assert.equal(healthy?.updatedAt, t0);

    const bad = h.clock.now();
    minuteOfTraffic(bad, 0.08);
    // The bad minute ends, but CloudWatch publishes it metricsDelayMs (60 s) later.
    h.clock.advance(2 * MINUTE - 1);
    assert.equal((await state(TARGET_5XX))?.state, 'OK');
    h.clock.advance(1);

    const fired = await state(TARGET_5XX);
    assert.equal(fired?.state, 'ALARM');
    const at = new Date(bad);
    const two = (v: number) => String(v).padStart(2, '0');
    const date = `${two(at.getUTCDate())}/${two(at.getUTCMonth() + 1)}/${two(at.getUTCFullYear() % 100)} ${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:00`;
    assert.equal(
      fired?.reason,
      `Threshold Crossed: 1 out of the last 1 datapoints [240.0 (${date})] was greater than the threshold (100.0) (minimum 1 datapoint for OK -> ALARM transition).`,
    );
    assert.equal(fired?.updatedAt, bad + 2 * MINUTE);

    // DescribeAlarms shows the rule too, as CloudWatch does for a metric alarm.
    const raw = await h.clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [TARGET_5XX] }));
    const metric = raw.MetricAlarms?.[0];
    assert.deepEqual(
      {
        namespace: metric?.Namespace,
        metric: metric?.MetricName,
        statistic: metric?.Statistic,
        threshold: metric?.Threshold,
        operator: metric?.ComparisonOperator,
        treat: metric?.TreatMissingData,
        dimensions: metric?.Dimensions?.map((d) => `${d.Name}=${d.Value}`).sort(),
      },
      {
        namespace: 'AWS/ApplicationELB',
        metric: 'HTTPCode_Target_5XX_Count',
        statistic: 'Sum',
        threshold: 100,
        operator: 'GreaterThanThreshold',
        treat: 'notBreaching',
        dimensions: [
          'LoadBalancer=app/social-analytics-alb/50dc6c495c0c9188',
          'TargetGroup=targetgroup/backend-tg/6d0ecf831eec9f09',
        ],
      },
    );

    // Once the bad build is gone, a quiet minute (no 5xx datapoint) brings it back to OK.
    h.clock.advance(MINUTE);
    assert.equal((await state(TARGET_5XX))?.state, 'OK');
  });

  it('keeps the connections alarm OK at the seeded baseline and fires after three minutes above 80', async () => {
    h.clock.advance(5 * MINUTE);
    assert.equal((await state(DB_CONNECTIONS))?.state, 'OK');

    h.emulator.setDatabaseConnections('social-analytics-db', 120);
    const pinned = h.clock.now();
    h.clock.advance(3 * MINUTE);
    // Connections are read as they are now for every published minute, so the range breaches at once.
    const fired = await state(DB_CONNECTIONS);
    assert.equal(fired?.state, 'ALARM');
    assert.match(
      fired?.reason ?? '',
      /^Threshold Crossed: 3 out of the last 3 datapoints \[120\.0 .*\] were greater than the threshold \(80\.0\)/,
    );
    assert.ok((fired?.updatedAt ?? 0) > pinned);
  });
});
