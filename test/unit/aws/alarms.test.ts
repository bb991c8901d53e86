import assert from 'node:assert/strict';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { AlarmTagLookupUnavailableError, CloudWatchAlarms } from '../../../src/aws/alarms';

const T0 = 1_764_000_000_000;

describe('CloudWatchAlarms', () => {
  const client = new CloudWatchClient({ region: 'us-east-1' });
  // Mocked only while these tests run, so no other file's CloudWatch calls are answered here.
  let cw: AwsClientStub<CloudWatchClient>;

  before(() => {
    cw = mockClient(client);
  });
  beforeEach(() => cw.reset());
  after(() => cw.restore());

  it('describes named alarms, metric and composite, in one request', async () => {
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        {
          AlarmName: 'backend-5xx',
          StateValue: 'ALARM',
          StateReason: 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).',
          StateUpdatedTimestamp: new Date(T0),
        },
      ],
      CompositeAlarms: [
        {
          AlarmName: 'backend-health',
          StateValue: 'OK',
          StateReason: 'all OK',
          StateUpdatedTimestamp: new Date(T0 - 1000),
        },
      ],
    });

    const got = await new CloudWatchAlarms(client).describe({
      names: ['backend-5xx', 'backend-health', 'gone'],
    });

    assert.deepEqual(cw.commandCall(0, DescribeAlarmsCommand).args[0].input, {
      AlarmNames: ['backend-5xx', 'backend-health', 'gone'],
      AlarmTypes: ['CompositeAlarm', 'MetricAlarm'],
      MaxRecords: 100,
    });
    assert.deepEqual(got, [
      {
        name: 'backend-5xx',
        state: 'ALARM',
        reason: 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).',
        updatedAt: T0,
      },
      // A named alarm that does not exist is simply absent.
      { name: 'backend-health', state: 'OK', reason: 'all OK', updatedAt: T0 - 1000 },
    ]);
  });

  it('asks at most 100 names a request', async () => {
    cw.on(DescribeAlarmsCommand).resolves({});
    const names = Array.from({ length: 201 }, (_, i) => `alarm-${i}`);

    await new CloudWatchAlarms(client).describe({ names });

    assert.deepEqual(
      cw.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input.AlarmNames?.length),
      [100, 100, 1],
    );
  });

  it('follows NextToken by prefix and answers an alarm also named once', async () => {
    cw.on(DescribeAlarmsCommand, { AlarmNames: ['backend-5xx'] }).resolves({
      MetricAlarms: [{ AlarmName: 'backend-5xx', StateValue: 'OK', StateReason: 'fine' }],
    });
    cw.on(DescribeAlarmsCommand, { AlarmNamePrefix: 'backend-' })
      .resolvesOnce({
        MetricAlarms: [{ AlarmName: 'backend-5xx', StateValue: 'OK', StateReason: 'fine' }],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        MetricAlarms: [
          { AlarmName: 'backend-latency', StateValue: 'INSUFFICIENT_DATA', StateReason: 'no data' },
        ],
      });

    const got = await new CloudWatchAlarms(client).describe({ names: ['backend-5xx'], prefix: 'backend-' });

    assert.deepEqual(
      got.map((a) => `${a.name}:${a.state}`),
      ['backend-5xx:OK', 'backend-latency:INSUFFICIENT_DATA'],
    );
    const byPrefix = cw
      .commandCalls(DescribeAlarmsCommand)
      .map((c) => c.args[0].input)
      .filter((i) => i.AlarmNamePrefix !== undefined);
    assert.deepEqual(
      byPrefix.map((i) => i.NextToken),
      [undefined, 'page-2'],
    );
  });

  it('finds tagged alarms through the finder, then describes them by name', async () => {
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{ AlarmName: 'db-connections', StateValue: 'ALARM', StateReason: 'too many' }],
    });
    const asked: unknown[] = [];
    const alarms = new CloudWatchAlarms(client, {
      alarmNames: (tag) => {
        asked.push(tag);
        return Promise.resolve(['db-connections']);
      },
    });

    const got = await alarms.describe({ tag: { key: 'app', value: 'social' } });

    assert.deepEqual(asked, [{ key: 'app', value: 'social' }]);
    assert.deepEqual(cw.commandCall(0, DescribeAlarmsCommand).args[0].input.AlarmNames, ['db-connections']);
    assert.deepEqual(
      got.map((a) => a.name),
      ['db-connections'],
    );
  });

  it('refuses a tag without a tagging API, and asks nothing for an empty selector', async () => {
    await assert.rejects(
      new CloudWatchAlarms(client).describe({ tag: { key: 'a', value: 'b' } }),
      (error) =>
        error instanceof AlarmTagLookupUnavailableError && error.code === 'ALARM_TAG_LOOKUP_UNAVAILABLE',
    );
    assert.deepEqual(await new CloudWatchAlarms(client).describe({}), []);
    assert.equal(cw.commandCalls(DescribeAlarmsCommand).length, 0);
  });
});
