import assert from 'node:assert/strict';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { CloudWatchMetricData } from '../../../src/aws/metric-data';
import type { MetricQuery } from '../../../src/ports/metric-data';

/** 2025-11-24T16:00:00Z, on a minute boundary. */
const T0 = 1_764_000_000_000;
const MINUTE = 60_000;
const TG = 'targetgroup/backend/0123456789abcdef';
const LB = 'app/social/fedcba9876543210';

const requests = (stat = 'Sum'): MetricQuery => ({
  namespace: 'AWS/ApplicationELB',
  metricName: 'RequestCount',
  dimensions: [
    { name: 'TargetGroup', value: TG },
    { name: 'LoadBalancer', value: LB },
  ],
  stat,
  periodSeconds: 60,
});

describe('CloudWatchMetricData', () => {
  const client = new CloudWatchClient({ region: 'us-east-1' });
  // Mocked only while these tests run, so no other file's CloudWatch calls are answered here.
  let cw: AwsClientStub<CloudWatchClient>;
  let data: CloudWatchMetricData;

  before(() => {
    cw = mockClient(client);
    data = new CloudWatchMetricData(client);
  });
  beforeEach(() => cw.reset());
  after(() => cw.restore());

  it('asks every query in one request, ids by position, ascending, over the range as given', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });

    await data.read([requests(), requests('p99')], T0, T0 + 5 * MINUTE);

    assert.equal(cw.commandCalls(GetMetricDataCommand).length, 1);
    assert.deepEqual(cw.commandCall(0, GetMetricDataCommand).args[0].input, {
      MetricDataQueries: [
        {
          Id: 'q0',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/ApplicationELB',
              MetricName: 'RequestCount',
              Dimensions: [
                { Name: 'TargetGroup', Value: TG },
                { Name: 'LoadBalancer', Value: LB },
              ],
            },
            Period: 60,
            Stat: 'Sum',
          },
        },
        {
          Id: 'q1',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/ApplicationELB',
              MetricName: 'RequestCount',
              Dimensions: [
                { Name: 'TargetGroup', Value: TG },
                { Name: 'LoadBalancer', Value: LB },
              ],
            },
            Period: 60,
            Stat: 'p99',
          },
        },
      ],
      StartTime: new Date(T0),
      EndTime: new Date(T0 + 5 * MINUTE),
      ScanBy: 'TimestampAscending',
    });
  });

  it('answers per query in the order asked, datapoints ascending, joined across pages', async () => {
    cw.on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'q1', StatusCode: 'Complete', Values: [7], Timestamps: [new Date(T0)] },
          {
            Id: 'q0',
            StatusCode: 'PartialData',
            // Out of order on purpose: the port promises ascending whatever CloudWatch did.
            Values: [20, 10],
            Timestamps: [new Date(T0 + MINUTE), new Date(T0)],
          },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'q0', StatusCode: 'Complete', Values: [30], Timestamps: [new Date(T0 + 2 * MINUTE)] },
        ],
      });

    const got = await data.read([requests(), requests('Average'), requests('p50')], T0, T0 + 3 * MINUTE);

    assert.deepEqual(got, [
      [
        { at: T0, value: 10 },
        { at: T0 + MINUTE, value: 20 },
        { at: T0 + 2 * MINUTE, value: 30 },
      ],
      [{ at: T0, value: 7 }],
      // No datapoint is no datapoint, never a 0.
      [],
    ]);
    const tokens = cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.NextToken);
    assert.deepEqual(tokens, [undefined, 'page-2']);
  });

  it('stops when CloudWatch hands back a token it already gave', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [{ Id: 'q0', Values: [1], Timestamps: [new Date(T0)] }],
      NextToken: 'same',
    });

    await data.read([requests()], T0, T0 + MINUTE);

    assert.equal(cw.commandCalls(GetMetricDataCommand).length, 2);
  });

  it('splits more than 500 queries over requests, each numbering its ids from q0', async () => {
    cw.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: { Id: string }[] }) => ({
      MetricDataResults: input.MetricDataQueries.map((q, i) => ({
        Id: q.Id,
        Values: [i],
        Timestamps: [new Date(T0)],
      })),
    }));
    const queries = Array.from({ length: 501 }, (_, i) => ({ ...requests(), periodSeconds: 60 * (i + 1) }));

    const got = await data.read(queries, T0, T0 + MINUTE);

    const sent = cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.MetricDataQueries);
    assert.deepEqual(
      sent.map((q) => q?.length),
      [500, 1],
    );
    assert.equal(sent[1]?.[0]?.Id, 'q0');
    assert.equal(sent[1]?.[0]?.MetricStat?.Period, 501 * 60);
    assert.equal(got.length, 501);
    assert.deepEqual(got[499], [{ at: T0, value: 499 }]);
    assert.deepEqual(got[500], [{ at: T0, value: 0 }]);
  });

  it('asks nothing for no queries or an empty range', async () => {
    assert.deepEqual(await data.read([], T0, T0 + MINUTE), []);
    assert.deepEqual(await data.read([requests()], T0, T0), [[]]);
    assert.equal(cw.commandCalls(GetMetricDataCommand).length, 0);
  });
});
