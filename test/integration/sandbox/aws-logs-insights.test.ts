import assert from 'node:assert/strict';
import {
  GetQueryResultsCommand,
  InvalidParameterException,
  LimitExceededException,
  MalformedQueryException,
  ResourceNotFoundException,
  StartQueryCommand,
  StopQueryCommand,
  type GetQueryResultsCommandOutput,
  type StartQueryCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import pino from 'pino';
import { CloudWatchLogInsights } from '../../../src/aws/log-insights';
import { CloudWatchLogs } from '../../../src/aws/logs';
import { isTransientError } from '../../../src/aws/transient';
import { latencyBucket } from '../../../src/domain/traffic';
import { BatchedTraffic } from '../../../src/engine/batched-traffic';
import type { AccessLogFormat } from '../../../src/ports/access-logs';
import { startAwsHarness, type AwsHarness } from './aws-harness';

const ACCOUNT = '123456789012';
const GROUPS = ['/ecs/insights-api', '/ecs/insights-worker', '/ecs/insights-cron'];
const ERRORS_BY_GROUP_AND_SECOND =
  'filter @message like /ERROR|FATAL/ and @message not like "retrying" | stats count(*) as errors by @log, bin(1s)';
const QUERY_MS = 3_000;

describe('AwsEmulator Logs Insights through the real SDK client', () => {
  let h: AwsHarness;
  /** The harness clock's start, a whole minute: 2025-11-24 16:00:00 UTC. */
  let t0: number;
  let sec0: number;

  beforeEach(async () => {
    h = await startAwsHarness({ timings: { queryMs: QUERY_MS } });
    t0 = h.clock.now();
    sec0 = t0 / 1000;
    for (const group of GROUPS) h.emulator.appendLog(group, 'setup', 'INFO created', t0 - 3_600_000);
  });

  afterEach(async () => {
    await h.close();
  });

  const start = (input: Partial<StartQueryCommandInput>) =>
    h.clients.logs.send(
      new StartQueryCommand({
        logGroupNames: GROUPS,
        startTime: sec0 - 60,
        endTime: sec0,
        queryString: ERRORS_BY_GROUP_AND_SECOND,
        ...input,
      }),
    );

  const results = (queryId: string | undefined) =>
    h.clients.logs.send(new GetQueryResultsCommand({ queryId }));

  /** Rows as `field=value` lists, for short assertions. */
  const flat = (out: GetQueryResultsCommandOutput) =>
    (out.results ?? []).map((row) => row.map((f) => `${f.field}=${f.value}`).join(' '));

  async function completed(input: Partial<StartQueryCommandInput>): Promise<GetQueryResultsCommandOutput> {
    const { queryId } = await start(input);
    h.clock.advance(QUERY_MS);
    const out = await results(queryId);
    assert.equal(out.status, 'Complete');
    return out;
  }

  it('counts error lines per group and per second across three groups with one query', async () => {
    const [api, worker, cron] = GROUPS as [string, string, string];
    const at = (s: number, ms = 0) => t0 - s * 1000 + ms;
    h.emulator.appendLog(api, 'ecs/api/1', 'ERROR db timeout', at(10, 100));
    h.emulator.appendLog(api, 'ecs/api/2', 'ERROR db timeout', at(10, 900));
    h.emulator.appendLog(api, 'ecs/api/1', 'FATAL out of memory', at(9, 0));
    h.emulator.appendLog(api, 'ecs/api/1', 'INFO request ok', at(9, 1));
    h.emulator.appendLog(api, 'ecs/api/1', 'ERROR retrying upstream', at(9, 2));
    h.emulator.appendLog(worker, 'ecs/worker/1', 'ERROR job failed', at(5, 500));
    h.emulator.appendLog(cron, 'ecs/cron/1', 'WARN slow', at(5, 500));

    const out = await completed({});

    assert.deepEqual(flat(out), [
      `@log=${ACCOUNT}:${api} bin(1s)=2025-11-24 15:59:50.000 errors=2`,
      `@log=${ACCOUNT}:${api} bin(1s)=2025-11-24 15:59:51.000 errors=1`,
      `@log=${ACCOUNT}:${worker} bin(1s)=2025-11-24 15:59:55.000 errors=1`,
    ]);
    assert.deepEqual(out.results?.[0], [
      { field: '@log', value: `${ACCOUNT}:${api}` },
      { field: 'bin(1s)', value: '2025-11-24 15:59:50.000' },
      { field: 'errors', value: '2' },
    ]);
    assert.deepEqual(
      { matched: out.statistics?.recordsMatched, scanned: out.statistics?.recordsScanned },
      { matched: 4, scanned: 7 },
    );
    assert.ok((out.statistics?.bytesScanned ?? 0) > 0);
    assert.deepEqual(
      h.emulator.calls.map((c) => `${c.service}:${c.action}:${c.status}`),
      ['logs:StartQuery:200', 'logs:GetQueryResults:200'],
    );
  });

  it('includes both whole seconds of [startTime, endTime], to the last millisecond of endTime', async () => {
    const group = GROUPS[0] as string;
    const [from, to] = [sec0 - 20, sec0 - 10];
    h.emulator.appendLog(group, 's', 'ERROR before', from * 1000 - 1);
    h.emulator.appendLog(group, 's', 'ERROR first ms', from * 1000);
    h.emulator.appendLog(group, 's', 'ERROR last second', to * 1000);
    h.emulator.appendLog(group, 's', 'ERROR last ms', to * 1000 + 999);
    h.emulator.appendLog(group, 's', 'ERROR after', (to + 1) * 1000);
    const q = 'filter @message like "ERROR" | stats count(*) as n by @log';

    assert.deepEqual(flat(await completed({ startTime: from, endTime: to, queryString: q })), [
      `@log=${ACCOUNT}:${group} n=3`,
    ]);
    // One second: startTime = endTime covers that whole second.
    assert.deepEqual(flat(await completed({ startTime: to, endTime: to, queryString: q })), [
      `@log=${ACCOUNT}:${group} n=2`,
    ]);
    // A range with nothing in it: Complete, no rows (empty groups and bins never appear).
    const empty = await completed({ startTime: to + 2, endTime: to + 5, queryString: q });
    assert.deepEqual(empty.results, []);
  });

  it('goes Scheduled, Running after a third of queryMs, then Complete; results only when Complete', async () => {
    const group = GROUPS[1] as string;
    h.emulator.appendLog(group, 's', 'ERROR one', t0 - 1_000);
    const { queryId } = await start({});
    assert.match(queryId ?? '', /^[0-9a-f-]{36}$/);

    const seen: string[] = [];
    for (const step of [0, QUERY_MS / 3 - 1, 1, QUERY_MS / 3, QUERY_MS / 3 - 1, 1]) {
      h.clock.advance(step);
      const out = await results(queryId);
      seen.push(`${out.status}:${out.results?.length}:${out.statistics?.recordsMatched}`);
    }
    assert.deepEqual(seen, [
      'Scheduled:0:0',
      'Scheduled:0:0',
      'Running:0:0',
      'Running:0:0',
      'Running:0:0',
      'Complete:1:1',
    ]);

    // The answer was taken at StartQuery: later events in the range do not change it.
    h.emulator.appendLog(group, 's', 'ERROR late arrival', t0 - 2_000);
    h.clock.advance(60_000);
    assert.deepEqual(flat(await results(queryId)), [
      `@log=${ACCOUNT}:${group} bin(1s)=2025-11-24 15:59:59.000 errors=1`,
    ]);
  });

  it('is Complete at once when queryMs is 0', async () => {
    h.emulator.setTimings({ queryMs: 0 });
    const { queryId } = await start({});
    assert.equal((await results(queryId)).status, 'Complete');
  });

  it('stops a query that is still running; it is then Cancelled, and stopping it again is refused', async () => {
    const { queryId } = await start({});
    h.clock.advance(QUERY_MS / 2);
    assert.equal((await results(queryId)).status, 'Running');

    const stopped = await h.clients.logs.send(new StopQueryCommand({ queryId }));
    assert.equal(stopped.success, true);
    h.clock.advance(QUERY_MS);
    const out = await results(queryId);
    assert.equal(out.status, 'Cancelled');
    assert.deepEqual(out.results, []);

    await assert.rejects(
      h.clients.logs.send(new StopQueryCommand({ queryId })),
      (err: unknown) =>
        err instanceof InvalidParameterException && /is not running \(it is Cancelled\)/.test(err.message),
    );
    const done = await start({});
    h.clock.advance(QUERY_MS);
    await assert.rejects(
      h.clients.logs.send(new StopQueryCommand({ queryId: done.queryId })),
      InvalidParameterException,
    );
    await assert.rejects(
      h.clients.logs.send(new StopQueryCommand({ queryId: 'no-such-query' })),
      ResourceNotFoundException,
    );
  });

  it('takes one group by logGroupName, or by ARN in logGroupIdentifiers', async () => {
    const group = GROUPS[2] as string;
    h.emulator.appendLog(group, 's', 'FATAL crash', t0 - 5_000);
    const q = 'filter @message like /FATAL/ | stats count(*) by @log';
    const row = [`@log=${ACCOUNT}:${group} count(*)=1`];
    assert.deepEqual(
      flat(await completed({ logGroupNames: undefined, logGroupName: group, queryString: q })),
      row,
    );
    assert.deepEqual(
      flat(
        await completed({
          logGroupNames: undefined,
          logGroupIdentifiers: [`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${group}`],
          queryString: q,
        }),
      ),
      row,
    );
  });

  it('raises MalformedQueryException for queries outside the subset, naming the problem', async () => {
    for (const [queryString, why] of [
      ['filter @message like /ERROR/', /without stats/],
      ['stats count(*) by @log | sort @log desc', /'sort' after stats/],
      ['filter @message like /(/ | stats count(*) by @log', /Invalid regular expression/],
      ['stats avg(@duration) by bin(1m)', /aggregate 'avg' is not supported/],
    ] as const) {
      await assert.rejects(
        start({ queryString }),
        (err: unknown) => err instanceof MalformedQueryException && why.test(err.message),
        queryString,
      );
    }
    assert.ok(h.emulator.calls.every((c) => c.errorCode === 'MalformedQueryException' && c.status === 400));
  });

  it('raises ResourceNotFoundException naming a missing group, and for an unknown query id', async () => {
    await assert.rejects(
      start({ logGroupNames: [GROUPS[0] as string, '/ecs/misnamed'] }),
      (err: unknown) =>
        err instanceof ResourceNotFoundException &&
        err.message === `Log group '/ecs/misnamed' does not exist for account ID '${ACCOUNT}'`,
    );
    await assert.rejects(results('0b5e9c1a-0000-4000-8000-000000000000'), ResourceNotFoundException);
  });

  it('raises InvalidParameterException for 0 or 51 groups, two group parameters, none, or end before start', async () => {
    const many = Array.from({ length: 51 }, (_, i) => `/ecs/g${i}`);
    for (const [name, input] of [
      ['0 groups', { logGroupNames: [] }],
      ['51 groups', { logGroupNames: many }],
      ['two parameters', { logGroupName: GROUPS[0] }],
      ['none', { logGroupNames: undefined }],
      ['end before start', { startTime: sec0, endTime: sec0 - 1 }],
    ] as [string, Partial<StartQueryCommandInput>][]) {
      await assert.rejects(start(input), InvalidParameterException, name);
    }
    // 50 existing groups are fine: the limit is on the count, not the kind.
    for (const g of many.slice(0, 50)) h.emulator.appendLog(g, 's', 'x', t0 - 1);
    await start({ logGroupNames: many.slice(0, 50) });
  });

  it('raises LimitExceededException for a 31st query while 30 are Scheduled or Running', async () => {
    const ids: (string | undefined)[] = [];
    for (let i = 0; i < 30; i += 1) ids.push((await start({})).queryId);
    await assert.rejects(start({}), (err: unknown) => {
      assert.ok(err instanceof LimitExceededException);
      assert.match(err.message, /concurrency limit of \[30\]/);
      // The SDK classifies LimitExceededException as throttling, so it retries it (and so do we).
      assert.equal(err.$metadata.attempts, 3);
      assert.equal(isTransientError(err), true);
      return true;
    });
    assert.equal(h.emulator.calls.filter((c) => c.errorCode === 'LimitExceededException').length, 3);
    // A stopped query frees its slot; so does one that completes.
    await h.clients.logs.send(new StopQueryCommand({ queryId: ids[0] }));
    await start({});
    await assert.rejects(start({}), LimitExceededException);
    h.clock.advance(QUERY_MS);
    await start({});
  });

  it('is throttled like the other Logs calls, and the SDK retries', async () => {
    h.emulator.setThrottling('logs', { next: 1 });
    const started = await start({});
    assert.equal(started.$metadata.attempts, 2);
    assert.deepEqual(
      h.emulator.calls.map((c) => `${c.action}:${c.errorCode ?? c.status}`),
      ['StartQuery:ThrottlingException', 'StartQuery:200'],
    );

    h.emulator.setThrottling('logs', { everyNth: 1 });
    try {
      await assert.rejects(results(started.queryId), (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.equal(err.name, 'ThrottlingException');
        assert.equal((err as { $metadata?: { attempts?: number } }).$metadata?.attempts, 3);
        assert.equal(isTransientError(err), true);
        return true;
      });
    } finally {
      h.emulator.setThrottling('logs', undefined);
    }
    h.clock.advance(QUERY_MS);
    assert.equal((await results(started.queryId)).status, 'Complete');
  });

  describe("deploybot's access-log traffic through the real adapters", () => {
    const JSON_LINES: AccessLogFormat = {
      kind: 'json',
      status: 'http.status',
      latency: 'http.latency',
      latencyUnit: 's',
    };
    const PLAIN: AccessLogFormat = {
      kind: 'parse',
      parse: '@message "* * * *ms" as method, path, status, latency',
      latencyUnit: 'ms',
    };

    function traffic(withInsights: boolean): BatchedTraffic {
      return new BatchedTraffic(
        new CloudWatchLogs(h.clients.logs),
        () => (withInsights ? new CloudWatchLogInsights(h.clients.logs) : undefined),
        { take: async () => undefined },
        h.clock,
        pino({ level: 'silent' }),
        { windowMs: 5, pollMs: 1 },
      );
    }

    it('answers JSON and plain access logs of several groups with one query per format, as FilterLogEvents would', async () => {
      h.emulator.setTimings({ queryMs: 0 });
      const [api, worker, cron] = GROUPS as [string, string, string];
      const slot = t0 - 10_000;
      const json = (status: number, latency: number) => JSON.stringify({ http: { status, latency } });
      h.emulator.appendLog(api, 'ecs/api/1', json(200, 0.03), slot);
      h.emulator.appendLog(api, 'ecs/api/2', json(503, 1.2), slot + 4_999);
      h.emulator.appendLog(api, 'ecs/api/1', 'INFO cache warmed', slot + 1_000);
      h.emulator.appendLog(api, 'ecs/api/1', json(500, 0.01), slot + 5_000); // the next slot
      h.emulator.appendLog(worker, 'ecs/worker/1', json(200, 0.004), slot + 2_000);
      h.emulator.appendLog(cron, 'ecs/cron/1', 'GET /jobs 200 12ms', slot + 1_000);
      h.emulator.appendLog(cron, 'ecs/cron/1', 'GET /jobs 502 3000ms', slot + 3_000);
      h.emulator.appendLog(cron, 'ecs/cron/1', 'cron tick', slot + 3_500);

      const read = (batched: BatchedTraffic) =>
        Promise.all([
          batched.traffic({ group: api, format: JSON_LINES }, slot, slot + 5_000),
          batched.traffic({ group: worker, format: JSON_LINES }, slot, slot + 5_000),
          batched.traffic({ group: cron, format: PLAIN }, slot, slot + 5_000),
        ]);
      const viaInsights = await read(traffic(true));

      const b = (ms: number) => String(latencyBucket(ms));
      assert.deepEqual(viaInsights, [
        { requests: 2, errors: 1, latency: { [b(30)]: 1, [b(1200)]: 1 } },
        { requests: 1, errors: 0, latency: { [b(4)]: 1 } },
        { requests: 2, errors: 1, latency: { [b(12)]: 1, [b(3000)]: 1 } },
      ]);
      const started = h.emulator.calls.filter((c) => c.action === 'StartQuery');
      assert.deepEqual(
        started.map((c) => c.status),
        [200, 200],
        'one query for the JSON format, one for the plain one',
      );
      assert.equal(h.emulator.calls.filter((c) => c.action === 'FilterLogEvents').length, 0);

      assert.deepEqual(await read(traffic(false)), viaInsights, 'FilterLogEvents, read locally, agrees');
    });

    it('reads a missing group directly (and fails it alone) while the others keep their query', async () => {
      h.emulator.setTimings({ queryMs: 0 });
      const [api] = GROUPS as [string];
      const slot = t0 - 10_000;
      h.emulator.appendLog(api, 's', JSON.stringify({ http: { status: 200, latency: 0.02 } }), slot);
      const batched = traffic(true);
      const [ok, missing] = await Promise.allSettled([
        batched.traffic({ group: api, format: JSON_LINES }, slot, slot + 5_000),
        batched.traffic({ group: '/ecs/misnamed', format: JSON_LINES }, slot, slot + 5_000),
      ]);
      assert.deepEqual(ok, {
        status: 'fulfilled',
        value: { requests: 1, errors: 0, latency: { [String(latencyBucket(20))]: 1 } },
      });
      assert.ok(missing.status === 'rejected' && missing.reason instanceof ResourceNotFoundException);
      // The missing group's FilterLogEvents and the retried query run side by side: order aside.
      assert.deepEqual(h.emulator.calls.map((c) => `${c.action}:${c.errorCode ?? c.status}`).sort(), [
        'FilterLogEvents:ResourceNotFoundException',
        'GetQueryResults:200',
        'StartQuery:200',
        'StartQuery:ResourceNotFoundException',
      ]);
      assert.equal(h.emulator.calls[0]?.errorCode, 'ResourceNotFoundException', 'the first query named it');
    });
  });
});
