import assert from 'node:assert/strict';
import {
  DescribeTaskDefinitionCommand,
  UpdateServiceCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { EcsContainerPlatform } from '../../../src/aws/ecs';
import { StepFailure } from '../../../src/domain/errors';
import { READ_ONLY } from '../../../src/aws/task-definition';
import { startAwsHarness, type AwsHarness } from './aws-harness';

const CLUSTER = 'social-analytics-cluster';
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const BACKEND_TD = 'social-analytics-backend:7';
const timings = { rolloutMs: 8_000 };

describe('AwsEmulator ECS services and rollouts through the unchanged EcsContainerPlatform adapter', () => {
  let h: AwsHarness;
  let ecs: EcsContainerPlatform;

  beforeEach(async () => {
    h = await startAwsHarness({ timings });
    ecs = new EcsContainerPlatform(h.clients.ecs);
  });

  afterEach(async () => {
    await h.close();
  });

  async function release(tag: string, releaseId = `rel-${tag}`): Promise<string> {
    const next = await ecs.registerImageRevision({
      from: BACKEND_TD,
      images: { backend: `${REGISTRY}/social-analytics-backend:${tag}` },
      releaseId,
    });
    await ecs.updateService(CLUSTER, 'backend-service', next.arn);
    return next.arn;
  }

  async function backend() {
    const [service] = await ecs.describeServices(CLUSTER, ['backend-service']);
    assert.ok(service);
    return service;
  }

  it('seeds the runbook system: two steady services on their task definitions', async () => {
    const services = await ecs.describeServices(CLUSTER, ['backend-service', 'worker-service']);
    assert.deepEqual(
      services.map((s) => [
        s.name,
        s.runningCount,
        s.desiredCount,
        s.deployments.length,
        s.deployments[0]?.rolloutState,
      ]),
      [
        ['backend-service', 2, 2, 1, 'COMPLETED'],
        ['worker-service', 2, 2, 1, 'COMPLETED'],
      ],
    );
    const td = await ecs.describeTaskDefinition(BACKEND_TD);
    assert.deepEqual(td.containers, [
      {
        name: 'backend',
        image: `${REGISTRY}/social-analytics-backend:v1.1.0`,
        log: { group: '/ecs/social-analytics-backend', streamPrefix: 'ecs', region: 'us-east-1' },
      },
    ]);
    await assert.rejects(
      ecs.describeServices(CLUSTER, ['nope']),
      (e: unknown) => e instanceof StepFailure && e.code === 'service_not_found',
    );
  });

  it('registers a new revision that keeps every field and tag, only the image swapped', async () => {
    const next = await ecs.registerImageRevision({
      from: BACKEND_TD,
      images: { backend: `${REGISTRY}/social-analytics-backend:v1.2.0` },
      releaseId: 'rel-1',
    });
    assert.equal(next.revision, 8);
    assert.equal(next.releaseTag, 'rel-1');
    const describe = (ref: string) =>
      h.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref, include: ['TAGS'] }));
    const [before, after] = await Promise.all([describe(BACKEND_TD), describe(next.arn)]);
    const strip = (td: TaskDefinition | undefined) => {
      const copy: Record<string, unknown> = { ...td };
      for (const key of Object.keys(READ_ONLY)) delete copy[key];
      copy.containerDefinitions = td?.containerDefinitions?.map((c) => ({ ...c, image: '(image)' }));
      return copy;
    };
    assert.deepEqual(strip(after.taskDefinition), strip(before.taskDefinition));
    assert.equal(
      after.taskDefinition?.containerDefinitions?.[0]?.image,
      `${REGISTRY}/social-analytics-backend:v1.2.0`,
    );
    assert.deepEqual(after.tags, [
      { key: 'app', value: 'social-analytics' },
      { key: 'deploybot-release', value: 'rel-1' },
    ]);
    // The family alone resolves to its latest revision.
    assert.equal((await ecs.describeTaskDefinition('social-analytics-backend')).revision, 8);
    await assert.rejects(
      ecs.describeTaskDefinition('social-analytics-backend:99'),
      (e: unknown) => e instanceof StepFailure && e.code === 'task_definition_not_found',
    );
  });

  it('rolls out IN_PROGRESS → COMPLETED over rolloutMs, the traffic moving to the new tag', async () => {
    const target = await release('v1.2.0');
    let service = await backend();
    assert.equal(service.taskDefinition, target);
    assert.deepEqual(
      service.deployments.map((d) => [d.status, d.rolloutState, d.runningCount]),
      [
        ['PRIMARY', 'IN_PROGRESS', 0],
        ['ACTIVE', 'COMPLETED', 2],
      ],
    );
    assert.deepEqual(h.emulator.servingTags(CLUSTER, 'backend-service'), [{ tag: 'v1.1.0', share: 1 }]);

    h.clock.advance(4_000);
    service = await backend();
    assert.deepEqual(
      service.deployments.map((d) => d.runningCount),
      [1, 1],
    );
    assert.deepEqual(
      h.emulator
        .servingTags(CLUSTER, 'backend-service')
        .map((s) => s.tag)
        .sort(),
      ['v1.1.0', 'v1.2.0'],
    );

    h.clock.advance(4_000);
    service = await backend();
    assert.equal(service.deployments.length, 1);
    assert.equal(service.deployments[0]?.rolloutState, 'COMPLETED');
    assert.equal(service.deployments[0]?.taskDefinition, target);
    assert.equal(service.runningCount, 2);
    assert.equal(service.events[0]?.message, '(service backend-service) has reached a steady state.');
    assert.equal(
      h.emulator.runningImage(CLUSTER, 'backend-service'),
      `${REGISTRY}/social-analytics-backend:v1.2.0`,
    );
  });

  it('fails a broken image with the circuit breaker and rolls back to the last completed revision', async () => {
    const target = await release('v1.3.0-broken');
    h.clock.advance(7_999);
    assert.equal((await backend()).deployments[0]?.rolloutState, 'IN_PROGRESS');
    assert.equal(
      h.emulator.runningImage(CLUSTER, 'backend-service'),
      `${REGISTRY}/social-analytics-backend:v1.1.0`,
    );

    h.clock.advance(1);
    let service = await backend();
    const [primary, failed] = service.deployments;
    assert.equal(primary?.status, 'PRIMARY');
    assert.equal(primary?.rolloutState, 'IN_PROGRESS');
    assert.match(primary?.taskDefinition ?? '', /social-analytics-backend:7$/);
    assert.match(
      primary?.rolloutStateReason ?? '',
      /^ECS deployment circuit breaker: rolling back to deploymentId ecs-svc\/\d{19}\.$/,
    );
    assert.equal(failed?.taskDefinition, target);
    assert.equal(failed?.status, 'ACTIVE');
    assert.equal(failed?.rolloutState, 'FAILED');
    assert.equal(failed?.rolloutStateReason, 'ECS deployment circuit breaker: tasks failed to start.');
    assert.equal(failed?.failedTasks, 3);
    assert.match(service.events[1]?.message ?? '', /deployment failed: tasks failed to start\.$/);

    h.clock.advance(8_000);
    service = await backend();
    assert.equal(service.deployments.length, 1);
    assert.equal(service.deployments[0]?.rolloutState, 'COMPLETED');
    assert.match(service.deployments[0]?.rolloutStateReason ?? '', /rolling back/);
    assert.match(service.taskDefinition, /social-analytics-backend:7$/);
    assert.equal(
      h.emulator.runningImage(CLUSTER, 'backend-service'),
      `${REGISTRY}/social-analytics-backend:v1.1.0`,
    );
  });

  it('leaves a broken rollout FAILED as PRIMARY when rollback is off, old tasks still serving', async () => {
    await h.clients.ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: 'backend-service',
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } },
      }),
    );
    assert.equal(
      (await backend()).deployments.length,
      1,
      'a configuration change alone starts no deployment',
    );
    const target = await release('v1.3.0-broken');
    h.clock.advance(60_000);
    const service = await backend();
    assert.deepEqual(
      service.deployments.map((d) => [d.status, d.rolloutState, d.runningCount]),
      [
        ['PRIMARY', 'FAILED', 0],
        ['ACTIVE', 'COMPLETED', 2],
      ],
    );
    assert.equal(service.deployments[0]?.taskDefinition, target);
    assert.equal(
      h.emulator.runningImage(CLUSTER, 'backend-service'),
      `${REGISTRY}/social-analytics-backend:v1.1.0`,
    );
  });
});
