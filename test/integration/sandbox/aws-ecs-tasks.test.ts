import assert from 'node:assert/strict';
import { ListTasksCommand } from '@aws-sdk/client-ecs';
import { EcsContainerPlatform } from '../../../src/aws/ecs';
import { CloudWatchLogs } from '../../../src/aws/logs';
import { StepFailure } from '../../../src/domain/errors';
import { startAwsHarness, type AwsHarness } from './aws-harness';

const CLUSTER = 'social-analytics-cluster';
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const BACKEND_TD = 'social-analytics-backend:7';
const LOG_GROUP = '/ecs/social-analytics-backend';

describe('AwsEmulator one-off ECS tasks through the unchanged adapters', () => {
  let h: AwsHarness;
  let ecs: EcsContainerPlatform;
  let logs: CloudWatchLogs;

  beforeEach(async () => {
    h = await startAwsHarness({ timings: { taskPendingMs: 1_500, taskRunMs: 3_000 } });
    ecs = new EcsContainerPlatform(h.clients.ecs);
    logs = new CloudWatchLogs(h.clients.logs);
  });

  afterEach(async () => {
    await h.close();
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
    await assert.rejects(
      ecs.describeTask(CLUSTER, arn),
      (e: unknown) => e instanceof StepFailure && e.code === 'task_not_found',
    );
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
    const first = await h.clients.ecs.send(
      new ListTasksCommand({ cluster: CLUSTER, startedBy: 'rel-45', maxResults: 2 }),
    );
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
