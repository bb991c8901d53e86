import assert from 'node:assert/strict';
import {
  checkDefinition,
  evaluateAlarm,
  InvalidAlarmDefinitionError,
  type AlarmDatapoint,
  type ComparisonOperator,
  type MetricAlarmDefinition,
  type TreatMissingData,
} from '../../../src/sandbox/aws/alarm-evaluation';
import { evaluationInstants } from '../../../src/sandbox/aws/alarm-schedule';

/** 2026-11-30 14:05:00 UTC, a minute boundary. */
const T = Date.UTC(2026, 10, 30, 14, 5, 0);
const MINUTE = 60_000;

function alarm(overrides: Partial<MetricAlarmDefinition> = {}): MetricAlarmDefinition {
  return {
    name: 'social-analytics-target-5xx',
    namespace: 'AWS/ApplicationELB',
    metricName: 'HTTPCode_Target_5XX_Count',
    dimensions: { TargetGroup: 'targetgroup/backend-tg/1', LoadBalancer: 'app/alb/2' },
    statistic: 'Sum',
    periodSeconds: 60,
    threshold: 100,
    comparisonOperator: 'GreaterThanThreshold',
    evaluationPeriods: 1,
    ...overrides,
  };
}

/** Values oldest first, one a minute ending at T; `undefined`: a missing period. */
function range(...values: (number | undefined)[]): AlarmDatapoint[] {
  return values.map((value, i) => ({ at: T - (values.length - 1 - i) * MINUTE, value }));
}

describe('metric alarm evaluation (emulator)', () => {
  it('words a crossing as CloudWatch does, datapoint, date and threshold', () => {
    assert.deepEqual(evaluateAlarm(alarm(), range(240)), {
      state: 'ALARM',
      reason:
        'Threshold Crossed: 1 out of the last 1 datapoints [240.0 (30/11/26 14:05:00)] was greater than the threshold (100.0) (minimum 1 datapoint for OK -> ALARM transition).',
    });
    assert.deepEqual(evaluateAlarm(alarm({ threshold: 0.06 }), range(0.048)), {
      state: 'OK',
      reason:
        'Threshold Crossed: 1 out of the last 1 datapoints [0.048 (30/11/26 14:05:00)] was not greater than the threshold (0.06) (minimum 1 datapoint for ALARM -> OK transition).',
    });
  });

  const cases: [ComparisonOperator, number, 'OK' | 'ALARM', string][] = [
    ['GreaterThanThreshold', 100, 'OK', 'not greater than'],
    ['GreaterThanThreshold', 101, 'ALARM', 'greater than'],
    ['GreaterThanOrEqualToThreshold', 100, 'ALARM', 'greater than or equal to'],
    ['GreaterThanOrEqualToThreshold', 99, 'OK', 'not greater than or equal to'],
    ['LessThanThreshold', 100, 'OK', 'not less than'],
    ['LessThanThreshold', 99, 'ALARM', 'less than'],
    ['LessThanOrEqualToThreshold', 100, 'ALARM', 'less than or equal to'],
    ['LessThanOrEqualToThreshold', 101, 'OK', 'not less than or equal to'],
  ];
  for (const [operator, value, state, words] of cases) {
    it(`${operator}: ${value} against 100 is ${state}`, () => {
      const verdict = evaluateAlarm(alarm({ comparisonOperator: operator }), range(value));
      assert.equal(verdict?.state, state);
      assert.match(verdict?.reason ?? '', new RegExp(`\\] was ${words} the threshold \\(100\\.0\\)`));
    });
  }

  it('M out of N: ALARM once DatapointsToAlarm of the EvaluationPeriods breach, listing them newest first', () => {
    const twoOfThree = alarm({ evaluationPeriods: 3, datapointsToAlarm: 2 });
    assert.equal(evaluateAlarm(twoOfThree, range(150, 10, 20))?.state, 'OK');
    const fired = evaluateAlarm(twoOfThree, range(150, 10, 120));
    assert.deepEqual(fired, {
      state: 'ALARM',
      reason:
        'Threshold Crossed: 2 out of the last 3 datapoints [120.0 (30/11/26 14:05:00), 150.0 (30/11/26 14:03:00)] were greater than the threshold (100.0) (minimum 2 datapoints for OK -> ALARM transition).',
    });
    // Without DatapointsToAlarm every period must breach.
    assert.equal(evaluateAlarm(alarm({ evaluationPeriods: 3 }), range(150, 10, 120))?.state, 'OK');
    assert.match(
      evaluateAlarm(alarm({ evaluationPeriods: 3 }), range(150, 10, 120))?.reason ?? '',
      /^Threshold Crossed: 1 out of the last 3 datapoints \[10\.0 \(30\/11\/26 14:04:00\)\] was not greater than .* \(minimum 1 datapoint for ALARM -> OK transition\)\.$/,
    );
  });

  describe('TreatMissingData', () => {
    const treated = (treat: TreatMissingData, ...values: (number | undefined)[]) =>
      evaluateAlarm(
        alarm({ evaluationPeriods: values.length, datapointsToAlarm: 2, treatMissingData: treat }),
        range(...values),
      );

    it('notBreaching: a missing period is within the threshold', () => {
      assert.deepEqual(evaluateAlarm(alarm({ treatMissingData: 'notBreaching' }), range(undefined)), {
        state: 'OK',
        reason:
          'Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].',
      });
      assert.equal(treated('notBreaching', 150, undefined, undefined)?.state, 'OK');
      assert.equal(treated('notBreaching', 150, undefined, 120)?.state, 'ALARM');
    });

    it('breaching: a missing period breaches', () => {
      assert.deepEqual(evaluateAlarm(alarm({ treatMissingData: 'breaching' }), range(undefined)), {
        state: 'ALARM',
        reason:
          'Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].',
      });
      assert.deepEqual(treated('breaching', 10, undefined, 120), {
        state: 'ALARM',
        reason:
          'Threshold Crossed: 1 datapoint [120.0 (30/11/26 14:05:00)] was greater than the threshold (100.0) and 1 missing datapoint was treated as [Breaching].',
      });
      assert.equal(treated('breaching', 10, undefined, 20)?.state, 'OK');
    });

    it('missing: no datapoint at all is INSUFFICIENT_DATA; otherwise only datapoints count', () => {
      assert.deepEqual(treated('missing', undefined, undefined, undefined), {
        state: 'INSUFFICIENT_DATA',
        reason: 'Insufficient Data: 3 datapoints were unknown.',
      });
      assert.deepEqual(evaluateAlarm(alarm(), range(undefined)), {
        state: 'INSUFFICIENT_DATA',
        reason: 'Insufficient Data: 1 datapoint was unknown.',
      });
      assert.equal(treated('missing', 10, undefined, undefined)?.state, 'OK');
      assert.equal(treated('missing', 150, 10, 120)?.state, 'ALARM');
    });

    it('missing: a breach at least DatapointsToAlarm old with only missing periods after it alarms (the premature rule)', () => {
      assert.equal(treated('missing', 150, undefined, undefined)?.state, 'ALARM');
      assert.equal(treated('missing', undefined, 150, undefined)?.state, 'ALARM');
      // The newest period alone is too recent to count.
      assert.equal(treated('missing', undefined, undefined, 150)?.state, 'OK');
      // A newer datapoint within the threshold breaks the rule.
      assert.equal(treated('missing', 150, 10, undefined)?.state, 'OK');
    });

    it('ignore: no datapoint at all keeps the current state; datapoints count as with missing', () => {
      assert.equal(treated('ignore', undefined, undefined, undefined), undefined);
      assert.equal(treated('ignore', 150, undefined, 120)?.state, 'ALARM');
      assert.equal(treated('ignore', 10, undefined, undefined)?.state, 'OK');
    });
  });

  it('refuses a definition CloudWatch would refuse, with a stable code', () => {
    for (const bad of [
      alarm({ periodSeconds: 90 }),
      alarm({ evaluationPeriods: 0 }),
      alarm({ evaluationPeriods: 2, datapointsToAlarm: 3 }),
      alarm({ statistic: 'Median' }),
      alarm({ evaluationPeriods: 1441 }),
      alarm({ threshold: Number.NaN }),
    ]) {
      assert.throws(
        () => checkDefinition(bad),
        (e: unknown) => e instanceof InvalidAlarmDefinitionError && e.code === 'INVALID_ALARM_DEFINITION',
      );
    }
    assert.doesNotThrow(() =>
      checkDefinition(alarm({ statistic: 'p99', evaluationPeriods: 5, datapointsToAlarm: 3 })),
    );
  });

  it('is evaluated each time a period is published, metricsDelayMs after it ends', () => {
    // Periods of a minute, published 60 s after they end: 14:05 is published at 14:07.
    assert.deepEqual(evaluationInstants(MINUTE, T + MINUTE, T + 3 * MINUTE, MINUTE), [
      T + 2 * MINUTE,
      T + 3 * MINUTE,
    ]);
    assert.deepEqual(evaluationInstants(MINUTE, T + 2 * MINUTE, T + 3 * MINUTE - 1, MINUTE), []);
    // Five-minute periods without delay: at each five-minute boundary.
    assert.deepEqual(evaluationInstants(5 * MINUTE, T, T + 10 * MINUTE, 0), [
      T + 5 * MINUTE,
      T + 10 * MINUTE,
    ]);
  });
});
