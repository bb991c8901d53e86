import assert from 'node:assert/strict';
import type { MetricData, MetricPoint, MetricQuery } from '../../../src/ports/metric-data';
import {
  completeMinutes,
  dbConnectionsBaseline,
  loadBalancerBaseline,
  minuteQueries,
  readMinuteFigures,
} from '../../../src/steps/minute-signals';

const T0 = 1_764_000_000_000; // on a minute boundary
const MINUTE = 60_000;
const TG1 = {
  targetGroup: 'targetgroup/backend/0123456789abcdef',
  loadBalancer: 'app/social/aaaaaaaaaaaaaaaa',
};
const TG2 = { targetGroup: 'targetgroup/api/fedcba9876543210', loadBalancer: 'app/social/aaaaaaaaaaaaaaaa' };

const shape = (q: MetricQuery) =>
  `${q.namespace} ${q.metricName} ${q.stat} ${q.periodSeconds} ${q.dimensions.map((d) => `${d.name}=${d.value}`).join(',')}`;

/** Answers each query from a table keyed by `metricName stat [TargetGroup]`, recording what was asked. */
class TableMetricData implements MetricData {
  readonly asked: { queries: readonly MetricQuery[]; from: number; to: number }[] = [];
  constructor(private readonly table: Record<string, MetricPoint[]>) {}
  read(queries: readonly MetricQuery[], from: number, to: number): Promise<MetricPoint[][]> {
    this.asked.push({ queries, from, to });
    return Promise.resolve(
      queries.map((q) => {
        const tg = q.dimensions.find((d) => d.name === 'TargetGroup')?.value;
        return this.table[`${q.metricName} ${q.stat}${tg ? ` ${tg}` : ''}`] ?? [];
      }),
    );
  }
}

describe('minute signals', () => {
  describe('minuteQueries', () => {
    it('asks per target group the ALB figures by TargetGroup+LoadBalancer, the ELB 5xx once per load balancer', () => {
      assert.deepEqual(minuteQueries([TG1, TG2], undefined).map(shape), [
        `AWS/ApplicationELB RequestCount Sum 60 TargetGroup=${TG1.targetGroup},LoadBalancer=${TG1.loadBalancer}`,
        `AWS/ApplicationELB HTTPCode_Target_5XX_Count Sum 60 TargetGroup=${TG1.targetGroup},LoadBalancer=${TG1.loadBalancer}`,
        `AWS/ApplicationELB TargetResponseTime p50 60 TargetGroup=${TG1.targetGroup},LoadBalancer=${TG1.loadBalancer}`,
        `AWS/ApplicationELB TargetResponseTime p99 60 TargetGroup=${TG1.targetGroup},LoadBalancer=${TG1.loadBalancer}`,
        `AWS/ApplicationELB RequestCount Sum 60 TargetGroup=${TG2.targetGroup},LoadBalancer=${TG2.loadBalancer}`,
        `AWS/ApplicationELB HTTPCode_Target_5XX_Count Sum 60 TargetGroup=${TG2.targetGroup},LoadBalancer=${TG2.loadBalancer}`,
        `AWS/ApplicationELB TargetResponseTime p50 60 TargetGroup=${TG2.targetGroup},LoadBalancer=${TG2.loadBalancer}`,
        `AWS/ApplicationELB TargetResponseTime p99 60 TargetGroup=${TG2.targetGroup},LoadBalancer=${TG2.loadBalancer}`,
        `AWS/ApplicationELB HTTPCode_ELB_5XX_Count Sum 60 LoadBalancer=${TG1.loadBalancer}`,
      ]);
    });

    const databases: [string, { kind: 'instance' | 'cluster'; id: string }, string][] = [
      [
        'an RDS instance by DBInstanceIdentifier',
        { kind: 'instance', id: 'social-db' },
        'DBInstanceIdentifier=social-db',
      ],
      [
        'an Aurora cluster by DBClusterIdentifier',
        { kind: 'cluster', id: 'social-aurora' },
        'DBClusterIdentifier=social-aurora',
      ],
    ];
    for (const [label, database, dimension] of databases) {
      it(`asks DatabaseConnections Average of ${label}`, () => {
        assert.deepEqual(minuteQueries([], database).map(shape), [
          `AWS/RDS DatabaseConnections Average 60 ${dimension}`,
        ]);
      });
    }
  });

  describe('completeMinutes: a minute counts once its end plus the publication delay has passed', () => {
    const cases: [string, number, number, number, number, number, number][] = [
      // label, from, to, now, delay → start, end
      ['none yet right after the range', T0, T0 + 5 * MINUTE, T0 + 5 * MINUTE, 120_000, T0, T0 + 3 * MINUTE],
      ['all once the delay passed', T0, T0 + 5 * MINUTE, T0 + 7 * MINUTE, 120_000, T0, T0 + 5 * MINUTE],
      [
        'a minute is not complete a millisecond early',
        T0,
        T0 + 5 * MINUTE,
        T0 + 7 * MINUTE - 1,
        120_000,
        T0,
        T0 + 4 * MINUTE,
      ],
      [
        'partial minutes at both ends are left out',
        T0 + 10_000,
        T0 + 190_000,
        T0 + 60 * MINUTE,
        120_000,
        T0 + MINUTE,
        T0 + 3 * MINUTE,
      ],
      ['delay 0: every ended minute', T0, T0 + 5 * MINUTE, T0 + 150_000, 0, T0, T0 + 2 * MINUTE],
    ];
    for (const [label, from, to, now, delay, start, end] of cases) {
      it(label, () => assert.deepEqual(completeMinutes(from, to, now, delay), { start, end }));
    }
  });

  describe('readMinuteFigures', () => {
    it('reads only complete minutes and asks nothing when none is', async () => {
      const data = new TableMetricData({});
      assert.deepEqual(
        await readMinuteFigures(data, { targets: [TG1] }, T0, T0 + 2 * MINUTE, T0 + 3 * MINUTE - 1),
        [],
      );
      assert.equal(data.asked.length, 0);

      await readMinuteFigures(data, { targets: [TG1] }, T0, T0 + 10 * MINUTE, T0 + 6 * MINUTE);
      assert.deepEqual(
        data.asked.map((a) => [a.from, a.to]),
        [[T0, T0 + 4 * MINUTE]],
      );
    });

    it('sums target groups, adds ELB 5xx to the errors, takes the slowest percentiles in ms', async () => {
      const data = new TableMetricData({
        [`RequestCount Sum ${TG1.targetGroup}`]: [
          { at: T0, value: 1000 },
          { at: T0 + MINUTE, value: 900 },
        ],
        [`RequestCount Sum ${TG2.targetGroup}`]: [{ at: T0, value: 200 }],
        [`HTTPCode_Target_5XX_Count Sum ${TG1.targetGroup}`]: [{ at: T0, value: 3 }],
        [`HTTPCode_Target_5XX_Count Sum ${TG2.targetGroup}`]: [{ at: T0, value: 2 }],
        'HTTPCode_ELB_5XX_Count Sum': [{ at: T0 + MINUTE, value: 4 }],
        [`TargetResponseTime p50 ${TG1.targetGroup}`]: [{ at: T0, value: 0.025 }],
        [`TargetResponseTime p50 ${TG2.targetGroup}`]: [{ at: T0, value: 0.03 }],
        [`TargetResponseTime p99 ${TG1.targetGroup}`]: [{ at: T0, value: 0.25 }],
        [`TargetResponseTime p99 ${TG2.targetGroup}`]: [{ at: T0, value: 0.12 }],
        'DatabaseConnections Average': [
          { at: T0, value: 12 },
          { at: T0 + 2 * MINUTE, value: 14.5 },
        ],
      });

      const got = await readMinuteFigures(
        data,
        { targets: [TG1, TG2], database: { kind: 'instance', id: 'db' } },
        T0,
        T0 + 3 * MINUTE,
        T0 + 3 * MINUTE,
        0,
      );

      assert.deepEqual(got, [
        { at: T0, loadBalancer: { requests: 1200, errors: 5, p50: 30, p99: 250 }, dbConnections: 12 },
        { at: T0 + MINUTE, loadBalancer: { requests: 900, errors: 4 } },
        // No load balancer datapoint is not a minute of zero traffic.
        { at: T0 + 2 * MINUTE, dbConnections: 14.5 },
      ]);
    });
  });

  describe('baselines', () => {
    const minutes = [
      { at: T0, loadBalancer: { requests: 1000, errors: 2, p99: 200 }, dbConnections: 10 },
      { at: T0 + MINUTE, loadBalancer: { requests: 1100, errors: 1, p99: 400 } },
      { at: T0 + 2 * MINUTE, loadBalancer: { requests: 900, errors: 0, p99: 250 }, dbConnections: 14 },
      { at: T0 + 3 * MINUTE, dbConnections: 12 },
    ];

    it('load balancer: totals over the minutes it reported, the median p99', () => {
      assert.deepEqual(loadBalancerBaseline(minutes), { requests: 3000, errors: 3, p99: 250, minutes: 3 });
      assert.deepEqual(loadBalancerBaseline(minutes.slice(0, 2))?.p99, 300);
      assert.equal(loadBalancerBaseline([{ at: T0, dbConnections: 3 }]), undefined);
    });

    it('database: the average connections of the minutes that have them', () => {
      assert.equal(dbConnectionsBaseline(minutes), 12);
      assert.equal(dbConnectionsBaseline(minutes.slice(1, 2)), undefined);
    });
  });
});
