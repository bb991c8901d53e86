import assert from 'node:assert/strict';
import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchLogInsights, countQuery, countsOf } from '../../../src/aws/log-insights';

describe('CloudWatchLogInsights', () => {
  const client = new CloudWatchLogsClient({ region: 'eu-west-1' });
  const cw = mockClient(client);
  const insights = new CloudWatchLogInsights(client);

  beforeEach(() => cw.reset());
  after(() => cw.restore());

  it('starts one query over all the groups, counting per group and second', async () => {
    cw.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    const id = await insights.startCount(
      ['/ecs/a', '/ecs/b'],
      '@message like /ERROR/',
      1_795_000_000,
      1_795_000_004,
    );
    assert.equal(id, 'q-1');
    assert.deepEqual(cw.commandCall(0, StartQueryCommand).args[0].input, {
      logGroupNames: ['/ecs/a', '/ecs/b'],
      startTime: 1_795_000_000,
      endTime: 1_795_000_004,
      queryString: 'filter @message like /ERROR/ | stats count(*) as n by @log, bin(1s)',
      limit: 10_000,
    });
  });

  it('counts every event when the filter is empty', () => {
    assert.equal(countQuery(''), 'stats count(*) as n by @log, bin(1s)');
  });

  it('reads a complete answer into group → second → count', async () => {
    cw.on(GetQueryResultsCommand).resolves({
      status: 'Complete',
      results: [
        [
          { field: '@log', value: '123456789012:/ecs/a' },
          { field: 'bin(1s)', value: '2026-11-18 07:06:40.000' },
          { field: 'n', value: '3' },
        ],
        [
          { field: '@log', value: '123456789012:/ecs/a' },
          { field: 'bin(1s)', value: '2026-11-18 07:06:41.000' },
          { field: 'n', value: '1' },
        ],
        [
          { field: '@log', value: '123456789012:/ecs/b' },
          { field: 'bin(1s)', value: '2026-11-18 07:06:40.000' },
          { field: 'n', value: '2' },
        ],
      ],
    });
    const state = await insights.countResults('q-1');
    const second = Date.UTC(2026, 10, 18, 7, 6, 40) / 1000;
    assert.deepEqual(state, {
      status: 'complete',
      counts: new Map([
        [
          '/ecs/a',
          new Map([
            [second, 3],
            [second + 1, 1],
          ]),
        ],
        ['/ecs/b', new Map([[second, 2]])],
      ]),
    });
    assert.deepEqual(cw.commandCall(0, GetQueryResultsCommand).args[0].input, { queryId: 'q-1' });
  });

  for (const status of ['Scheduled', 'Running'] as const) {
    it(`reports ${status} as still running`, async () => {
      cw.on(GetQueryResultsCommand).resolves({ status, results: [] });
      assert.deepEqual(await insights.countResults('q-1'), { status: 'running' });
    });
  }

  for (const status of ['Failed', 'Cancelled', 'Timeout', 'Unknown'] as const) {
    it(`reports ${status} as failed, naming it`, async () => {
      cw.on(GetQueryResultsCommand).resolves({ status });
      assert.deepEqual(await insights.countResults('q-1'), {
        status: 'failed',
        reason: `query q-1 is ${status}`,
      });
    });
  }

  it('stops a query', async () => {
    cw.on(StopQueryCommand).resolves({ success: true });
    await insights.stop('q-1');
    assert.deepEqual(cw.commandCall(0, StopQueryCommand).args[0].input, { queryId: 'q-1' });
  });

  it('skips rows it cannot read instead of counting them wrong', () => {
    assert.deepEqual(
      countsOf([
        [{ field: '@log', value: '1:/ecs/a' }],
        [
          { field: '@log', value: '1:/ecs/a' },
          { field: 'bin(1s)', value: 'not a time' },
          { field: 'n', value: '2' },
        ],
        [
          { field: '@log', value: '1:/ecs/a' },
          { field: 'bin(1s)', value: '2026-11-18 07:06:40.000' },
          { field: 'n', value: 'many' },
        ],
      ]),
      new Map(),
    );
  });
});
