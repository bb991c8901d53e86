import assert from 'node:assert/strict';
import type { MetricAlarmDefinition } from '../../../src/sandbox/aws/alarm-evaluation';
import { AlarmStore } from '../../../src/sandbox/aws/cloudwatch-alarms';
import { JsonInput } from '../../../src/sandbox/aws/json-input';
import type { MetricSource, MetricSpec } from '../../../src/sandbox/aws/metric-sources';

const T0 = Date.UTC(2026, 10, 30, 14, 0, 0);
const MINUTE = 60_000;
const DELAY = MINUTE;

/** One value a minute for the metric `Errors`, published DELAY after the minute ends. */
class ScriptedMetric implements MetricSource {
  readonly minutes = new Map<number, number>();
  value(spec: MetricSpec, from: number, _to: number, now: number): number | undefined {
    if (spec.metricName !== 'Errors' || spec.dimensions.get('Service') !== 'backend') return undefined;
    if (from + MINUTE + DELAY > now) return undefined;
    return this.minutes.get(from);
  }
}

interface Described {
  AlarmName: string;
  StateValue: string;
  StateReason: string;
  StateUpdatedTimestamp: number;
  Threshold?: number;
}

describe('AlarmStore metric alarms (emulator)', () => {
  let now: number;
  let metric: ScriptedMetric;
  let store: AlarmStore;
  const describe_ = (): Described[] =>
    (store.describe(new JsonInput({}, 'CloudWatch', [])) as { MetricAlarms: Described[] }).MetricAlarms;
  const one = (name: string) => describe_().find((a) => a.AlarmName === name);
  const def = (overrides: Partial<MetricAlarmDefinition> = {}): MetricAlarmDefinition => ({
    name: 'errors',
    namespace: 'Custom',
    metricName: 'Errors',
    dimensions: { Service: 'backend' },
    statistic: 'Sum',
    periodSeconds: 60,
    threshold: 100,
    comparisonOperator: 'GreaterThanThreshold',
    evaluationPeriods: 1,
    treatMissingData: 'notBreaching',
    ...overrides,
  });

  beforeEach(() => {
    now = T0;
    metric = new ScriptedMetric();
    store = new AlarmStore('123456789012', 'eu-west-1', () => now, {
      sources: [metric],
      delayMs: () => DELAY,
    });
  });

  it('evaluates at creation, then sees a breach only once its minute is published, dated when it was', () => {
    store.putMetric(def());
    assert.equal(one('errors')?.StateValue, 'OK');
    metric.minutes.set(T0, 240);

    now = T0 + 2 * MINUTE - 1;
    assert.equal(one('errors')?.StateValue, 'OK', 'the minute is not published yet');

    now = T0 + 5 * MINUTE + 30_000;
    metric.minutes.set(T0 + 3 * MINUTE, 5);
    const alarm = one('errors');
    // It fired when 14:00 was published (14:02) and went back to OK when 14:01 (missing) was, at 14:03.
    assert.equal(alarm?.StateValue, 'OK');
    assert.equal(alarm?.StateUpdatedTimestamp, (T0 + 3 * MINUTE) / 1000);
  });

  it('answers ALARM with the reason of the transition, and keeps both while the state holds', () => {
    store.putMetric(def({ evaluationPeriods: 2, datapointsToAlarm: 2 }));
    metric.minutes.set(T0, 150);
    metric.minutes.set(T0 + MINUTE, 180);
    metric.minutes.set(T0 + 2 * MINUTE, 190);
    now = T0 + 3 * MINUTE;
    const fired = one('errors');
    assert.equal(fired?.StateValue, 'ALARM');
    assert.equal(fired?.StateUpdatedTimestamp, (T0 + 3 * MINUTE) / 1000);
    assert.equal(
      fired?.StateReason,
      'Threshold Crossed: 2 out of the last 2 datapoints [180.0 (30/11/26 14:01:00), 150.0 (30/11/26 14:00:00)] were greater than the threshold (100.0) (minimum 2 datapoints for OK -> ALARM transition).',
    );
    now = T0 + 4 * MINUTE;
    assert.deepEqual(one('errors'), fired);
  });

  it('ignore keeps the state through minutes without data', () => {
    store.putMetric(def({ treatMissingData: 'ignore' }));
    assert.equal(one('errors')?.StateValue, 'INSUFFICIENT_DATA');
    metric.minutes.set(T0 + MINUTE, 500);
    now = T0 + 10 * MINUTE;
    assert.equal(one('errors')?.StateValue, 'ALARM');
  });

  it('leaves static alarms as put, and lets SetAlarmState move a metric alarm until its next evaluation', () => {
    store.put({ name: 'static', state: 'ALARM', reason: 'set by a test' });
    store.putMetric(def());
    now = T0 + 30 * MINUTE;
    assert.equal(one('static')?.StateValue, 'ALARM');
    store.setState('errors', 'ALARM', 'testing');
    assert.equal(one('errors')?.StateReason, 'testing');
    now = T0 + 31 * MINUTE;
    assert.equal(one('errors')?.StateValue, 'OK');
    assert.equal(one('errors')?.Threshold, 100);
  });
});
