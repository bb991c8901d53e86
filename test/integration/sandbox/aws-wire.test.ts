import assert from 'node:assert/strict';
import { GetLogEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeImagesCommand,
  ImageNotFoundException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, ServiceNotFoundException, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  CreateDBSnapshotCommand,
  DBInstanceNotFoundFault,
  DBSnapshotAlreadyExistsFault,
  DBSnapshotNotFoundFault,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
} from '@aws-sdk/client-rds';
import { isTransientError } from '../../../src/aws/transient';
import { AwsEmulator } from '../../../src/sandbox/aws';
import { startAwsHarness, type AwsHarness } from './aws-harness';

const CLUSTER = 'social-analytics-cluster';

describe('AwsEmulator wire protocols with the real SDK clients', () => {
  let h: AwsHarness;

  before(async () => {
    h = await startAwsHarness();
  });

  after(async () => {
    await h.close();
  });

  beforeEach(() => {
    h.emulator.calls.length = 0;
  });

  it('is reached through AWS_ENDPOINT_URL_<SERVICE>, never a hand-built endpoint', async () => {
    assert.equal(process.env.AWS_ENDPOINT_URL_ECS, h.emulator.endpoint);
    assert.match(h.emulator.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    const out = await h.clients.ecs.send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: ['backend-service'] }),
    );
    assert.equal(out.services?.[0]?.serviceName, 'backend-service');
    await h.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'social-analytics-db' }));
    await h.clients
      .ecrForRegion('us-east-1')
      .send(new DescribeImagesCommand({ repositoryName: 'social-analytics-backend' }));
    await assert.rejects(
      h.clients.logs.send(
        new GetLogEventsCommand({ logGroupName: '/ecs/social-analytics-backend', logStreamName: 'none' }),
      ),
      ResourceNotFoundException,
    );
    assert.deepEqual(
      h.emulator.calls.map((c) => `${c.service}:${c.action}`),
      ['ecs:DescribeServices', 'rds:DescribeDBInstances', 'ecr:DescribeImages', 'logs:GetLogEvents'],
    );
  });

  it('answers JSON services with timestamps the SDK turns into Dates', async () => {
    const out = await h.clients.ecs.send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: ['backend-service'] }),
    );
    const service = out.services?.[0];
    assert.ok(service?.createdAt instanceof Date);
    assert.equal(service.createdAt.getTime(), h.clock.now() - 24 * 3600_000);
    assert.equal(service.deployments?.[0]?.rolloutState, 'COMPLETED');
  });

  it('reports a missing service as a MISSING failure, like DescribeServices does', async () => {
    const out = await h.clients.ecs.send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: ['nope'] }),
    );
    assert.deepEqual(out.services, []);
    assert.equal(out.failures?.[0]?.reason, 'MISSING');
    assert.match(out.failures?.[0]?.arn ?? '', /:service\/social-analytics-cluster\/nope$/);
  });

  it('raises ServiceNotFoundException for UpdateService of a missing service', async () => {
    await assert.rejects(
      h.clients.ecs.send(
        new UpdateServiceCommand({ cluster: CLUSTER, service: 'nope', taskDefinition: 'x:1' }),
      ),
      (err: unknown) => {
        assert.ok(err instanceof ServiceNotFoundException);
        assert.equal(err.$metadata.httpStatusCode, 400);
        return true;
      },
    );
  });

  it('raises the typed RDS faults from XML error answers, with RDS status codes', async () => {
    const create = () =>
      h.clients.rds.send(
        new CreateDBSnapshotCommand({
          DBSnapshotIdentifier: 'wire-snap',
          DBInstanceIdentifier: 'social-analytics-db',
        }),
      );
    const first = await create();
    assert.equal(first.DBSnapshot?.Status, 'creating');
    await assert.rejects(create(), (err: unknown) => {
      assert.ok(err instanceof DBSnapshotAlreadyExistsFault);
      assert.equal((err as { Code?: string }).Code, 'DBSnapshotAlreadyExists');
      assert.equal(err.$metadata.httpStatusCode, 400);
      return true;
    });
    await assert.rejects(
      h.clients.rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: 'missing-snap' })),
      (err: unknown) => err instanceof DBSnapshotNotFoundFault && err.$metadata.httpStatusCode === 404,
    );
    await assert.rejects(
      h.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'other-db' })),
      DBInstanceNotFoundFault,
    );
  });

  it('raises ECR ImageNotFoundException and RepositoryNotFoundException', async () => {
    const ecr = h.clients.ecrForRegion('us-east-1');
    await assert.rejects(
      ecr.send(
        new DescribeImagesCommand({
          repositoryName: 'social-analytics-backend',
          imageIds: [{ imageTag: 'v9.9.9' }],
        }),
      ),
      ImageNotFoundException,
    );
    await assert.rejects(
      ecr.send(
        new DescribeImagesCommand({ repositoryName: 'no-such-repo', imageIds: [{ imageTag: 'v1.2.0' }] }),
      ),
      RepositoryNotFoundException,
    );
  });

  it('throttles every call when asked, and the SDK retries before giving up with ThrottlingException', async () => {
    h.emulator.setThrottling('ecs', { everyNth: 1 });
    try {
      await assert.rejects(
        h.clients.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['backend-service'] })),
        (err: unknown) => {
          assert.ok(err instanceof Error);
          assert.equal(err.name, 'ThrottlingException');
          assert.equal((err as { $metadata?: { attempts?: number } }).$metadata?.attempts, 3);
          assert.equal(isTransientError(err), true);
          return true;
        },
      );
      assert.equal(h.emulator.calls.filter((c) => c.errorCode === 'ThrottlingException').length, 3);
    } finally {
      h.emulator.setThrottling('ecs', undefined);
    }
  });

  it("throttles RDS with the query protocol's Throttling code, also retried by the SDK", async () => {
    h.emulator.setThrottling('rds', { everyNth: 1 });
    try {
      await assert.rejects(
        h.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'social-analytics-db' })),
        (err: unknown) => {
          assert.ok(err instanceof Error);
          assert.equal(err.name, 'Throttling');
          assert.equal((err as { $metadata?: { attempts?: number } }).$metadata?.attempts, 3);
          assert.equal(isTransientError(err), true);
          return true;
        },
      );
    } finally {
      h.emulator.setThrottling('rds', undefined);
    }
  });

  it('lets a retried call through when only the next call is throttled', async () => {
    h.emulator.setThrottling('logs', { next: 1 });
    const logs = h.clients.logs;
    h.emulator.appendLog('/ecs/social-analytics-backend', 'ecs/backend/retry', 'hello');
    const out = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/ecs/social-analytics-backend',
        logStreamName: 'ecs/backend/retry',
      }),
    );
    assert.deepEqual(
      out.events?.map((e) => e.message),
      ['hello'],
    );
    assert.equal(out.$metadata.attempts, 2);
    h.emulator.setThrottling('logs', undefined);
  });

  it('refuses unknown operations and unknown RDS actions the way AWS does', async () => {
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${h.emulator.endpoint}/`, { method: 'POST', headers, body });
    const json = await post(
      {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonEC2ContainerServiceV20141113.DeleteCluster',
      },
      '{}',
    );
    assert.equal(json.status, 400);
    assert.equal(json.headers.get('x-amzn-errortype'), 'UnknownOperationException');
    assert.equal(((await json.json()) as { __type: string }).__type, 'UnknownOperationException');

    const query = await post(
      { 'content-type': 'application/x-www-form-urlencoded' },
      'Action=DeleteDBInstance&Version=2014-10-31',
    );
    assert.equal(query.status, 400);
    const xml = await query.text();
    assert.match(xml, /<Code>InvalidAction<\/Code>/);
    assert.match(
      xml,
      /^<ErrorResponse xmlns="http:\/\/rds\.amazonaws\.com\/doc\/2014-10-31\/"><Error><Type>Sender<\/Type>/,
    );
  });

  it('refuses request members it does not model instead of ignoring them', async () => {
    const res = await fetch(`${h.emulator.endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonEC2ContainerServiceV20141113.UpdateService',
      },
      body: JSON.stringify({ cluster: CLUSTER, service: 'backend-service', placementStrategy: [] }),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { __type: string; message: string };
    assert.equal(body.__type, 'InvalidParameterException');
    assert.match(body.message, /placementStrategy.*not modelled/);
  });

  it('shows its state as JSON for a UI, and listens on loopback only', async () => {
    const state = h.emulator.state();
    assert.deepEqual(
      state.clusters.map((c) => [c.name, c.services.map((s) => s.name)]),
      [
        ['social-analytics-cluster', ['backend-service', 'worker-service']],
        ['social-analytics-staging', ['backend-service']],
      ],
    );
    assert.deepEqual(state.clusters[0]?.services[0]?.servingTags, [{ tag: 'v1.1.0', share: 1 }]);
    const res = await fetch(`${h.emulator.endpoint}/_emulator/state`);
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as typeof state).databases, state.databases);
    await assert.rejects(new AwsEmulator().start(0, '0.0.0.0'), /loopback only/);
  });
});
