import assert from 'node:assert/strict';
import {
  DescribeTaskDefinitionCommand,
  ListTasksCommand,
  UpdateServiceCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { EcsContainerPlatform } from '../../../src/aws/ecs';
import { CloudWatchLogs } from '../../../src/aws/logs';
import { StepFailure } from '../../../src/domain/errors';
import { READ_ONLY } from '../../../src/aws/task-definition';
import { startAwsHarness, type AwsHarness } from './aws-harness';

const CLUSTER = 'social-analytics-cluster';
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const BACKEND_TD = 'social-analytics-backend:7';
const LOG_GROUP = '/ecs/social-analytics-backend';
const timings = { rolloutMs: 8_000, snapshotMs: 5_000, taskPendingMs: 1_500, taskRunMs: 3_000 };

describe('AwsEmulator ECS through the unchanged EcsContainerPlatform adapter', () => {
  let h: AwsHarness;
  let ecs: EcsContainerPlatform;
  let logs: CloudWatchLogs;

  beforeEach(async () => {
    h = await startAwsHarness({ timings });
    ecs = new EcsContainerPlatform(h.clients.ecs);
    logs = new CloudWatchLogs(h.clients.logs);
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
      services.map((s) => [s.name, s.runningCount, s.desiredCount, s.deployments.length, s.deployments[0]?.rolloutState]),
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
        log: { group: LOG_GROUP, streamPrefix: 'ecs', region: 'us-east-1' },
      },
    ]);
    await assert.rejects(ecs.describeServices(CLUSTER, ['nope']), (e: unknown) => e instanceof StepFailure && e.code === 'service_not_found');
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
    assert.equal(after.taskDefinition?.containerDefinitions?.[0]?.image, `${REGISTRY}/social-analytics-backend:v1.2.0`);
    assert.deepEqual(after.tags, [
      { key: 'app', value: 'social-analytics' },
      { key: 'deploybot-release', value: 'rel-1' },
    ]);
    // The family alone resolves to its latest revision.
    assert.equal((await ecs.describeTaskDefinition('social-analytics-backend')).revision, 8);
    await assert.rejects(ecs.describeTaskDefinition('social-analytics-backend:99'), (e: unknown) => e instanceof StepFailure && e.code === 'task_definition_not_found');
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
    assert.deepEqual(service.deployments.map((d) => d.runningCount), [1, 1]);
    assert.deepEqual(
      h.emulator.servingTags(CLUSTER, 'backend-service').map((s) => s.tag).sort(),
      ['v1.1.0', 'v1.2.0'],
    );

    h.clock.advance(4_000);
    service = await backend();
    assert.equal(service.deployments.length, 1);
    assert.equal(service.deployments[0]?.rolloutState, 'COMPLETED');
    assert.equal(service.deployments[0]?.taskDefinition, target);
    assert.equal(service.runningCount, 2);
    assert.equal(service.events[0]?.message, '(service backend-service) has reached a steady state.');
    assert.equal(h.emulator.runningImage(CLUSTER, 'backend-service'), `${REGISTRY}/social-analytics-backend:v1.2.0`);
  });

  it('fails a broken image with the circuit breaker and rolls back to the last completed revision', async () => {
    const target = await release('v1.3.0-broken');
    h.clock.advance(7_999);
    assert.equal((await backend()).deployments[0]?.rolloutState, 'IN_PROGRESS');
    assert.equal(h.emulator.runningImage(CLUSTER, 'backend-service'), `${REGISTRY}/social-analytics-backend:v1.1.0`);

    h.clock.advance(1);
    let service = await backend();
    const [primary, failed] = service.deployments;
    assert.equal(primary?.status, 'PRIMARY');
    assert.equal(primary?.rolloutState, 'IN_PROGRESS');
    assert.match(primary?.taskDefinition ?? '', /social-analytics-backend:7$/);
    assert.match(primary?.rolloutStateReason ?? '', /^ECS deployment circuit breaker: rolling back to deploymentId ecs-svc\/\d{19}\.$/);
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
    assert.equal(h.emulator.runningImage(CLUSTER, 'backend-service'), `${REGISTRY}/social-analytics-backend:v1.1.0`);
  });

  it('leaves a broken rollout FAILED as PRIMARY when rollback is off, old tasks still serving', async () => {
    await h.clients.ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: 'backend-service',
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } },
      }),
    );
    assert.equal((await backend()).deployments.length, 1, 'a configuration change alone starts no deployment');
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
    assert.equal(h.emulator.runningImage(CLUSTER, 'backend-service'), `${REGISTRY}/social-analytics-backend:v1.1.0`);
  });

  it('runs a one-off task PENDING → RUNNING → STOPPED with its log lines in prefix/container/taskId', async () => {
    const arn = await ecs.runTask({
      cluster: CLUSTER,
      taskDefinition: BACKEND_TD,
      likeService: 'backend-service',
      container: 'backend',
      command: ['alembic', 'upgrade', 'head'],
      startedBy: 'rel-42',
      clientToken: 'rel-42-migrate',
    });
    const taskId = arn.split('/').pop() as string;
    const stream = `ecs/backend/${taskId}`;
    assert.equal((await ecs.describeTask(CLUSTER, arn)).lastStatus, 'PENDING');
    assert.deepEqual(await logs.tail(LOG_GROUP, stream, 10), []);

    h.clock.advance(1_500);
    assert.equal((await ecs.describeTask(CLUSTER, arn)).lastStatus, 'RUNNING');
    h.clock.advance(1_500);
    const partial = await logs.tail(LOG_GROUP, stream, 10);
    assert.ok(partial.length > 0 && partial.length < 4, `some lines while running, got ${partial.length}`);

    h.clock.advance(1_500);
    const stopped = await ecs.describeTask(CLUSTER, arn);
    assert.equal(stopped.lastStatus, 'STOPPED');
    assert.equal(stopped.stopCode, 'EssentialContainerExited');
    assert.deepEqual(stopped.containers, [{ name: 'backend', exitCode: 0 }]);
    const tail = await logs.tail(LOG_GROUP, stream, 10);
    assert.equal(tail.length, 4);
    assert.match(tail[0] ?? '', /alembic\.runtime\.migration/);
    assert.deepEqual(await logs.tail(LOG_GROUP, stream, 2), tail.slice(2));
  });

  it('exits with the scripted code and lines, and a retried RunTask returns the same task', async () => {
    h.emulator.scriptTask('alembic upgrade head', {
      exitCode: 1,
      lines: ['INFO  [alembic] Running upgrade', 'ERROR [alembic] relation "posts" does not exist'],
      runMs: 500,
    });
    const input = {
      cluster: CLUSTER,
      taskDefinition: BACKEND_TD,
      likeService: 'backend-service',
      container: 'backend',
      command: ['alembic', 'upgrade', 'head'],
      startedBy: 'rel-43',
      clientToken: 'rel-43-migrate',
    };
    const arn = await ecs.runTask(input);
    assert.equal(await ecs.runTask(input), arn);
    assert.deepEqual(await ecs.findTasksStartedBy(CLUSTER, 'rel-43'), [arn]);
    h.clock.advance(2_000);
    const task = await ecs.describeTask(CLUSTER, arn);
    assert.deepEqual(task.containers, [{ name: 'backend', exitCode: 1 }]);
    assert.deepEqual(await logs.tail(LOG_GROUP, `ecs/backend/${arn.split('/').pop()}`, 30), [
      'INFO  [alembic] Running upgrade',
      'ERROR [alembic] relation "posts" does not exist',
    ]);
    // Still found once STOPPED (ListTasks desiredStatus STOPPED), then forgotten after an hour.
    assert.deepEqual(await ecs.findTasksStartedBy(CLUSTER, 'rel-43'), [arn]);
    h.clock.advance(3_600_001);
    assert.deepEqual(await ecs.findTasksStartedBy(CLUSTER, 'rel-43'), []);
    await assert.rejects(ecs.describeTask(CLUSTER, arn), (e: unknown) => e instanceof StepFailure && e.code === 'task_not_found');
  });

  it('never starts a task on a broken image: STOPPED without exit code, TaskFailedToStart', async () => {
    const next = await ecs.registerImageRevision({
      from: BACKEND_TD,
      images: { backend: `${REGISTRY}/social-analytics-backend:v1.3.0-broken` },
      releaseId: 'rel-44',
    });
    const arn = await ecs.runTask({
      cluster: CLUSTER,
      taskDefinition: next.arn,
      likeService: 'backend-service',
      container: 'backend',
      command: ['alembic', 'upgrade', 'head'],
      startedBy: 'rel-44',
      clientToken: 'rel-44-migrate',
    });
    h.clock.advance(1_500);
    const task = await ecs.describeTask(CLUSTER, arn);
    assert.equal(task.lastStatus, 'STOPPED');
    assert.equal(task.stopCode, 'TaskFailedToStart');
    assert.equal(task.containers[0]?.exitCode, undefined);
    assert.match(task.containers[0]?.reason ?? '', /^CannotStartContainerError/);
  });

  it('pages ListTasks and filters on the desired status', async () => {
    for (let i = 0; i < 5; i += 1) {
      await ecs.runTask({
        cluster: CLUSTER,
        taskDefinition: BACKEND_TD,
        likeService: 'backend-service',
        container: 'backend',
        command: ['pytest', 'tests/smoke/'],
        startedBy: 'rel-45',
        clientToken: `rel-45-smoke-${i}`,
      });
    }
    const first = await h.clients.ecs.send(new ListTasksCommand({ cluster: CLUSTER, startedBy: 'rel-45', maxResults: 2 }));
    assert.equal(first.taskArns?.length, 2);
    assert.ok(first.nextToken);
    const arns = await ecs.findTasksStartedBy(CLUSTER, 'rel-45');
    assert.equal(arns.length, 5);
    const stopped = await h.clients.ecs.send(
      new ListTasksCommand({ cluster: CLUSTER, startedBy: 'rel-45', desiredStatus: 'STOPPED' }),
    );
    assert.deepEqual(stopped.taskArns, []);
  });
});
