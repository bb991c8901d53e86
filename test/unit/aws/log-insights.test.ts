import assert from 'node:assert/strict';
import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchLogInsights, countQuery, countsOf, MAX_RESULT_ROWS } from '../../../src/aws/log-insights';

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

  describe('stats queries', () => {
    const QUERY = 'filter ispresent(status) | stats count(*) as requests by @log, bin(5s)';

    it('starts the query as given over all the groups, asking for the most rows one answer holds', async () => {
      cw.on(StartQueryCommand).resolves({ queryId: 'q-2' });
      assert.equal(
        await insights.startQuery(['/ecs/a', '/ecs/b'], QUERY, 1_795_000_000, 1_795_000_004),
        'q-2',
      );
      assert.deepEqual(cw.commandCall(0, StartQueryCommand).args[0].input, {
        logGroupNames: ['/ecs/a', '/ecs/b'],
        startTime: 1_795_000_000,
        endTime: 1_795_000_004,
        queryString: QUERY,
        limit: 10_000,
      });
    });

    it('refuses a StartQuery answer without a query id', async () => {
      cw.on(StartQueryCommand).resolves({});
      await assert.rejects(insights.startQuery(['/ecs/a'], QUERY, 1, 2), /without a queryId/);
    });

    it('hands back complete rows as field -> value, leaving out fields without a value', async () => {
      cw.on(GetQueryResultsCommand).resolves({
        status: 'Complete',
        results: [
          [
            { field: '@log', value: '123456789012:/ecs/a' },
            { field: 'bin(5s)', value: '2026-11-18 07:06:40.000' },
            { field: 'status_class', value: '2' },
            { field: 'latency_bucket' },
            { field: 'requests', value: '7' },
          ],
        ],
      });
      assert.deepEqual(await insights.queryResults('q-2'), {
        status: 'complete',
        rows: [
          {
            '@log': '123456789012:/ecs/a',
            'bin(5s)': '2026-11-18 07:06:40.000',
            status_class: '2',
            requests: '7',
          },
        ],
      });
      assert.deepEqual(cw.commandCall(0, GetQueryResultsCommand).args[0].input, { queryId: 'q-2' });
    });

    it('reports running and failed queries as the counts do', async () => {
      cw.on(GetQueryResultsCommand).resolvesOnce({ status: 'Running' }).resolvesOnce({ status: 'Timeout' });
      assert.deepEqual(await insights.queryResults('q-2'), { status: 'running' });
      assert.deepEqual(await insights.queryResults('q-2'), {
        status: 'failed',
        reason: 'query q-2 is Timeout',
      });
    });

    it('fails an answer at the row limit, which may have been cut, for stats and counts alike', async () => {
      const row = [
        { field: '@log', value: '1:/ecs/a' },
        { field: 'bin(1s)', value: '2026-11-18 07:06:40.000' },
        { field: 'n', value: '1' },
      ];
      cw.on(GetQueryResultsCommand).resolves({
        status: 'Complete',
        results: Array.from({ length: MAX_RESULT_ROWS }, () => row),
      });
      const reason = `query q-3 answered ${MAX_RESULT_ROWS} rows, the most it returns`;
      assert.deepEqual(await insights.queryResults('q-3'), { status: 'failed', reason });
      assert.deepEqual(await insights.countResults('q-3'), { status: 'failed', reason });
    });
  });
});
