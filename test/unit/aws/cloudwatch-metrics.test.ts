import assert from 'node:assert/strict';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  InvalidNextToken,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { CloudWatchServiceMetrics, metricWindow } from '../../../src/aws/cloudwatch-metrics';

const CLUSTER = 'social-analytics-cluster';
/** 2025-11-24T16:00:00Z, on a minute boundary. */
const T0 = 1_764_000_000_000;
const MINUTE = 60_000;

function query(id: string, metric: string, service: string, period: number): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/ECS',
        MetricName: metric,
        Dimensions: [
          { Name: 'ClusterName', Value: CLUSTER },
          { Name: 'ServiceName', Value: service },
        ],
      },
      Period: period,
      Stat: 'Average',
    },
  };
}

describe('CloudWatchServiceMetrics', () => {
  const client = new CloudWatchClient({ region: 'us-east-1' });
  // Mocked only while these tests run, so no other file's CloudWatch calls are answered here.
  let cw: AwsClientStub<CloudWatchClient>;
  let metrics: CloudWatchServiceMetrics;

  before(() => {
    cw = mockClient(client);
    metrics = new CloudWatchServiceMetrics(client);
  });
  beforeEach(() => cw.reset());
  after(() => cw.restore());

  it('asks for CPU and memory of every service in one GetMetricData request over the sample', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });

    await metrics.utilization(CLUSTER, ['backend-service', 'worker-service', 'api.v2'], T0, T0 + 5 * MINUTE);

    assert.equal(cw.commandCalls(GetMetricDataCommand).length, 1);
    assert.deepEqual(cw.commandCall(0, GetMetricDataCommand).args[0].input, {
      MetricDataQueries: [
        query('q0', 'CPUUtilization', 'backend-service', 300),
        query('q1', 'MemoryUtilization', 'backend-service', 300),
        query('q2', 'CPUUtilization', 'worker-service', 300),
        query('q3', 'MemoryUtilization', 'worker-service', 300),
        // Ids go by position: a service name need not fit ^[a-z][a-zA-Z0-9_]*$.
        query('q4', 'CPUUtilization', 'api.v2', 300),
        query('q5', 'MemoryUtilization', 'api.v2', 300),
      ],
      StartTime: new Date(T0),
      EndTime: new Date(T0 + 5 * MINUTE),
      ScanBy: 'TimestampAscending',
    });
  });

  it('averages each figure and keeps the order asked, whatever order CloudWatch answers in', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'q3', StatusCode: 'Complete', Values: [61.5], Timestamps: [new Date(T0)] },
        { Id: 'q0', StatusCode: 'Complete', Values: [20, 30], Timestamps: [new Date(T0), new Date(T0)] },
        { Id: 'q1', StatusCode: 'Complete', Values: [40.25], Timestamps: [new Date(T0)] },
        { Id: 'q2', StatusCode: 'Complete', Values: [], Timestamps: [] },
      ],
    });

    const got = await metrics.utilization(CLUSTER, ['backend-service', 'worker-service'], T0, T0 + MINUTE);

    assert.deepEqual(got, [
      { service: 'backend-service', cpu: 25, memory: 40.25 },
      // No datapoint is "not measured", never 0%.
      { service: 'worker-service', memory: 61.5 },
    ]);
  });

  it('follows NextToken to the last page, joining values a query continues across pages', async () => {
    cw.on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'q0', StatusCode: 'PartialData', Values: [10], Timestamps: [new Date(T0)] },
          { Id: 'q1', StatusCode: 'Complete', Values: [50], Timestamps: [new Date(T0)] },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({ MetricDataResults: [], NextToken: 'page-3' })
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'q0', StatusCode: 'Complete', Values: [30], Timestamps: [new Date(T0)] },
          { Id: 'q2', StatusCode: 'Complete', Values: [70], Timestamps: [new Date(T0)] },
          { Id: 'q3', StatusCode: 'Complete', Values: [80], Timestamps: [new Date(T0)] },
        ],
      });

    const got = await metrics.utilization(CLUSTER, ['backend-service', 'worker-service'], T0, T0 + MINUTE);

    assert.deepEqual(got, [
      { service: 'backend-service', cpu: 20, memory: 50 },
      { service: 'worker-service', cpu: 70, memory: 80 },
    ]);
    const inputs = cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
    assert.deepEqual(
      inputs.map((i) => i.NextToken),
      [undefined, 'page-2', 'page-3'],
    );
    // Every page asks the same question.
    for (const input of inputs) assert.equal(input.MetricDataQueries?.length, 4);
  });

  it('stops when CloudWatch hands back a token it already gave', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [{ Id: 'q0', Values: [42], Timestamps: [new Date(T0)] }],
      NextToken: 'same',
    });

    const got = await metrics.utilization(CLUSTER, ['backend-service'], T0, T0 + MINUTE);

    assert.equal(cw.commandCalls(GetMetricDataCommand).length, 2);
    assert.deepEqual(got, [{ service: 'backend-service', cpu: 42 }]);
  });

  it('passes errors through', async () => {
    cw.on(GetMetricDataCommand).rejects(new InvalidNextToken({ message: 'bad token', $metadata: {} }));

    await assert.rejects(metrics.utilization(CLUSTER, ['backend-service'], T0, T0 + MINUTE), {
      name: 'InvalidNextToken',
    });
  });

  it('answers "not measured" without asking for an empty range', async () => {
    assert.deepEqual(await metrics.utilization(CLUSTER, ['backend-service'], T0, T0), [
      { service: 'backend-service' },
    ]);
    assert.equal(cw.commandCalls(GetMetricDataCommand).length, 0);
  });

  it('splits more than 250 services (500 queries) over requests', async () => {
    // Each request's ids start again at q0: the second request's q0 is svc-250's CPU.
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [{ Id: 'q0', Values: [5], Timestamps: [new Date(T0)] }],
    });
    const services = Array.from({ length: 251 }, (_, i) => `svc-${i}`);

    const got = await metrics.utilization(CLUSTER, services, T0, T0 + MINUTE);

    const sizes = cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.MetricDataQueries?.length);
    assert.deepEqual(sizes, [500, 2]);
    assert.equal(got.length, 251);
    assert.deepEqual(got[250], { service: 'svc-250', cpu: 5 });
  });

  describe('metricWindow: whole minutes, one datapoint per query', () => {
    const cases: [string, number, number, number, number, number][] = [
      // label, from, to → start, end, period (s)
      ['a minute on the minute', T0, T0 + MINUTE, T0, T0 + MINUTE, 60],
      ['five seconds inside a minute', T0 + 10_000, T0 + 15_000, T0, T0 + MINUTE, 60],
      ['five seconds across a minute boundary', T0 + 58_000, T0 + 63_000, T0, T0 + 2 * MINUTE, 120],
      ['a minute off the minute touches two', T0 + 30_000, T0 + 90_000, T0, T0 + 2 * MINUTE, 120],
      ['ten minutes on the minute', T0, T0 + 10 * MINUTE, T0, T0 + 10 * MINUTE, 600],
      ['25 ms (tests)', T0 + 25, T0 + 50, T0, T0 + MINUTE, 60],
    ];
    for (const [label, from, to, start, end, period] of cases) {
      it(`${label} → period ${period}s`, () => {
        const w = metricWindow(from, to);
        assert.deepEqual(w, { start: new Date(start), end: new Date(end), periodSeconds: period });
        assert.equal(w.periodSeconds % 60, 0);
        assert.ok(w.start.getTime() <= from && w.end.getTime() >= to);
      });
    }
  });
});
