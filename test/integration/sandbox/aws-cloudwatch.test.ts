import assert from 'node:assert/strict';
import {
  GetMetricDataCommand,
  InvalidNextToken,
  InvalidParameterValueException,
  ValidationException,
  type GetMetricDataCommandInput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { CloudWatchServiceMetrics } from '../../../src/aws/cloudwatch-metrics';
import { EcsContainerPlatform } from '../../../src/aws/ecs';
import { isTransientError } from '../../../src/aws/transient';
import { startAwsHarness, type AwsHarness } from './aws-harness';

const CLUSTER = 'social-analytics-cluster';
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const MINUTE = 60_000;
const SERVICES = ['backend-service', 'worker-service'];

function query(id: string, metric: string, service: string, period = 60): MetricDataQuery {
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

describe('AwsEmulator CloudWatch GetMetricData through the real SDK client and adapter', () => {
  let h: AwsHarness;
  let metrics: CloudWatchServiceMetrics;
  /** The harness clock starts on a minute boundary. */
  let now: number;

  beforeEach(async () => {
    h = await startAwsHarness({ timings: { rolloutMs: 8_000 } });
    metrics = new CloudWatchServiceMetrics(h.clients.cloudwatch);
    h.clock.advance(10 * MINUTE);
    now = h.clock.now();
  });

  afterEach(async () => {
    await h.close();
  });

  const send = (input: Partial<GetMetricDataCommandInput>) =>
    h.clients.cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: [query('cpu0', 'CPUUtilization', 'backend-service')],
        StartTime: new Date(now - 5 * MINUTE),
        EndTime: new Date(now),
        ...input,
      }),
    );

  it('is reached through AWS_ENDPOINT_URL_CLOUDWATCH and answers every service in one request', async () => {
    assert.equal(process.env.AWS_ENDPOINT_URL_CLOUDWATCH, h.emulator.endpoint);

    const got = await metrics.utilization(CLUSTER, SERVICES, now - MINUTE, now);

    assert.deepEqual(
      h.emulator.calls.map((c) => `${c.service}:${c.action}:${c.status}`),
      ['cloudwatch:GetMetricData:200'],
    );
    assert.deepEqual(
      got.map((u) => u.service),
      SERVICES,
    );
    for (const u of got) {
      // A healthy task: about 25 % CPU and 40 % memory, with a little noise.
      assert.ok(u.cpu !== undefined && u.cpu >= 22 && u.cpu <= 28, `cpu ${u.cpu}`);
      assert.ok(u.memory !== undefined && u.memory >= 38.5 && u.memory <= 41.5, `memory ${u.memory}`);
    }
    assert.deepEqual(await metrics.utilization(CLUSTER, SERVICES, now - MINUTE, now), got, 'stable');
  });

  it('doubles the CPU of a service once a -slow build (profiles.json cpuFactor 2) has rolled out', async () => {
    const ecs = new EcsContainerPlatform(h.clients.ecs);
    const next = await ecs.registerImageRevision({
      from: 'social-analytics-backend:7',
      images: { backend: `${REGISTRY}/social-analytics-backend:v1.3.0-slow` },
      releaseId: 'rel-slow',
    });
    await ecs.updateService(CLUSTER, 'backend-service', next.arn);
    h.clock.advance(MINUTE);
    now = h.clock.now();

    const [backend, worker] = await metrics.utilization(CLUSTER, SERVICES, now - MINUTE, now);

    assert.ok(backend?.cpu !== undefined && backend.cpu >= 47 && backend.cpu <= 53, `cpu ${backend?.cpu}`);
    assert.ok(backend.memory !== undefined && backend.memory <= 41.5, 'memory unchanged');
    assert.ok(worker?.cpu !== undefined && worker.cpu <= 28, 'the other service is not affected');
  });

  it('has no datapoints, so "not measured", for a service that does not exist or a metric it does not publish', async () => {
    const [missing] = await metrics.utilization(CLUSTER, ['no-such-service'], now - MINUTE, now);
    assert.deepEqual(missing, { service: 'no-such-service' });

    const out = await send({
      MetricDataQueries: [{ ...query('disk', 'DiskUtilization', 'backend-service') }],
    });
    assert.deepEqual(
      out.MetricDataResults?.map((r) => [r.Id, r.Values, r.StatusCode]),
      [['disk', [], 'Complete']],
    );
  });

  it('answers one Average per period, newest first, starting at StartTime rounded down to the minute', async () => {
    const out = await send({ StartTime: new Date(now - 5 * MINUTE + 20_000) });

    const [result] = out.MetricDataResults ?? [];
    assert.equal(result?.Label, 'CPUUtilization');
    assert.deepEqual(
      result?.Timestamps?.map((t) => (now - t.getTime()) / MINUTE),
      [1, 2, 3, 4, 5],
    );
    assert.equal(result?.Values?.length, 5);
  });

  it('pages by MaxDatapoints with PartialData and a NextToken the SDK passes back', async () => {
    const queries = [
      query('cpu0', 'CPUUtilization', 'backend-service'),
      query('memory0', 'MemoryUtilization', 'backend-service'),
    ];
    const whole = await send({ MetricDataQueries: queries });
    const pages = [];
    let token: string | undefined;
    do {
      const out = await send({
        MetricDataQueries: queries,
        MaxDatapoints: 3,
        ...(token && { NextToken: token }),
      });
      pages.push(out.MetricDataResults?.map((r) => [r.Id, r.StatusCode, r.Values?.length]));
      token = out.NextToken;
    } while (token);

    assert.deepEqual(pages, [
      [['cpu0', 'PartialData', 3]],
      [
        ['cpu0', 'Complete', 2],
        ['memory0', 'PartialData', 1],
      ],
      [['memory0', 'PartialData', 3]],
      [['memory0', 'Complete', 1]],
    ]);
    assert.equal(whole.NextToken, undefined);
    assert.deepEqual(
      whole.MetricDataResults?.map((r) => [r.Id, r.StatusCode, r.Values?.length]),
      [
        ['cpu0', 'Complete', 5],
        ['memory0', 'Complete', 5],
      ],
    );
  });

  it('raises the typed ValidationException (query code ValidationError) for bad input, listing every problem', async () => {
    await assert.rejects(
      send({
        MetricDataQueries: [query('CPU-0', 'CPUUtilization', 'backend-service', 90)],
        StartTime: new Date(now),
        EndTime: new Date(now),
      }),
      (err: unknown) => {
        assert.ok(err instanceof ValidationException, String(err));
        assert.equal(err.name, 'ValidationException');
        assert.equal(err.$metadata.httpStatusCode, 400);
        assert.equal((err as unknown as { Code?: string }).Code, 'ValidationError');
        assert.deepEqual(err.message.split('\n'), [
          'The value CPU-0 for parameter MetricDataQueries.member.1.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.',
          'The value 90 for parameter MetricDataQueries.member.1.MetricStat.Period is not valid: it must be 1, 5, 10, 20, 30 or a multiple of 60.',
          'The parameter StartTime must not equal parameter EndTime.',
        ]);
        assert.equal(isTransientError(err), false);
        return true;
      },
    );
    await assert.rejects(
      send({
        MetricDataQueries: [
          query('cpu0', 'CPUUtilization', 'backend-service'),
          query('cpu0', 'CPUUtilization', 'worker-service'),
        ],
      }),
      {
        name: 'ValidationException',
        message: 'The values for parameter id in MetricDataQueries are not unique.',
      },
    );
  });

  it('raises InvalidParameterValueException for what it does not model, and InvalidNextToken for a foreign token', async () => {
    await assert.rejects(
      send({ MetricDataQueries: [{ Id: 'm1', Expression: 'SEARCH(...)' }] }),
      (err: unknown) => {
        assert.ok(err instanceof InvalidParameterValueException, String(err));
        assert.match(err.message, /Expression.*not modelled/);
        return true;
      },
    );
    const first = await send({ MaxDatapoints: 1 });
    assert.ok(first.NextToken);
    await assert.rejects(
      send({ MaxDatapoints: 1, StartTime: new Date(now - 4 * MINUTE), NextToken: first.NextToken }),
      InvalidNextToken,
    );
  });

  it('answers on the awsJson1_0 wire with the query-compatible error header', async () => {
    const res = await fetch(`${h.emulator.endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'GraniteServiceVersion20100801.GetMetricData',
        'x-amzn-query-mode': 'true',
      },
      body: JSON.stringify({ MetricDataQueries: [], StartTime: 1, EndTime: 2 }),
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'application/x-amz-json-1.0');
    assert.equal(res.headers.get('x-amzn-query-error'), 'ValidationError;Sender');
    const body = (await res.json()) as { __type: string };
    assert.equal(body.__type, 'com.amazonaws.cloudwatch#ValidationException');
  });

  it('throttles with the query code Throttling, which the SDK retries before giving up', async () => {
    h.emulator.setThrottling('cloudwatch', { everyNth: 1 });
    await assert.rejects(metrics.utilization(CLUSTER, SERVICES, now - MINUTE, now), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.equal(err.name, 'Throttling');
      assert.equal((err as { $metadata?: { attempts?: number } }).$metadata?.attempts, 3);
      assert.equal(isTransientError(err), true);
      return true;
    });
    h.emulator.setThrottling('cloudwatch', undefined);
  });
});
