import assert from 'node:assert/strict';
import { DescribeTasksCommand, ECSClient, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { EcsContainerPlatform } from '../../../src/aws/ecs';

const CLUSTER = 'prod';
const PREFIX = 'arn:aws:ecs:eu-west-1:123456789012';
const REV = `${PREFIX}:task-definition/web:8`;

function arn(i: number): string {
  return `${PREFIX}:task/prod/${String(i).padStart(32, '0')}`;
}

function stopped(taskArn: string, extra: Partial<Task> = {}): Task {
  return {
    taskArn,
    taskDefinitionArn: REV,
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    createdAt: new Date('2025-03-01T10:00:00Z'),
    stoppingAt: new Date('2025-03-01T10:04:00Z'),
    stoppedAt: new Date('2025-03-01T10:05:00Z'),
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    containers: [{ name: 'web', exitCode: 1 }],
    ...extra,
  };
}

describe('EcsContainerPlatform stoppedTasks', () => {
  const client = new ECSClient({ region: 'eu-west-1' });
  const ecs = mockClient(client);
  const platform = new EcsContainerPlatform(client);

  beforeEach(() => ecs.reset());
  after(() => ecs.restore());

  it("lists the service's STOPPED tasks and maps what DescribeTasks says about each", async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [arn(1)] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        stopped(arn(1), {
          containers: [
            { name: 'web', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' },
            { name: 'sidecar' },
          ],
        }),
      ],
    });

    const tasks = await platform.stoppedTasks(CLUSTER, 'web');

    assert.deepEqual(ecs.commandCall(0, ListTasksCommand).args[0].input, {
      cluster: CLUSTER,
      serviceName: 'web',
      desiredStatus: 'STOPPED',
    });
    assert.deepEqual(ecs.commandCall(0, DescribeTasksCommand).args[0].input, {
      cluster: CLUSTER,
      tasks: [arn(1)],
    });
    assert.deepEqual(tasks, [
      {
        arn: arn(1),
        taskDefinition: REV,
        stoppedAt: Date.parse('2025-03-01T10:05:00Z'),
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [
          { name: 'web', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' },
          { name: 'sidecar' },
        ],
      },
    ]);
  });

  it('follows every page of ListTasks with the same filters', async () => {
    ecs
      .on(ListTasksCommand)
      .resolvesOnce({ taskArns: [arn(1)], nextToken: 'p2' })
      .resolvesOnce({ taskArns: [arn(2)] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [stopped(arn(1)), stopped(arn(2))] });

    const tasks = await platform.stoppedTasks(CLUSTER, 'web');

    assert.deepEqual(ecs.commandCall(1, ListTasksCommand).args[0].input, {
      cluster: CLUSTER,
      serviceName: 'web',
      desiredStatus: 'STOPPED',
      nextToken: 'p2',
    });
    assert.deepEqual(ecs.commandCall(0, DescribeTasksCommand).args[0].input.tasks, [arn(1), arn(2)]);
    assert.deepEqual(
      tasks.map((t) => t.arn),
      [arn(1), arn(2)],
    );
  });

  it('describes at most 100 tasks a call', async () => {
    const arns = Array.from({ length: 230 }, (_, i) => arn(i));
    ecs.on(ListTasksCommand).resolves({ taskArns: arns });
    ecs
      .on(DescribeTasksCommand)
      .callsFake((input: { tasks: string[] }) => ({ tasks: input.tasks.map((t) => stopped(t)) }));

    const tasks = await platform.stoppedTasks(CLUSTER, 'web');

    const batches = ecs.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks ?? []);
    assert.deepEqual(
      batches.map((b) => b.length),
      [100, 100, 30],
    );
    assert.deepEqual(batches.flat(), arns);
    assert.equal(tasks.length, 230);
  });

  it('makes no DescribeTasks call when nothing stopped', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });

    assert.deepEqual(await platform.stoppedTasks(CLUSTER, 'web'), []);
    assert.equal(ecs.commandCalls(DescribeTasksCommand).length, 0);
  });

  it('dates a task that never started by when it began stopping, else when it was created', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [arn(1), arn(2)] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        stopped(arn(1), { stoppedAt: undefined, stopCode: 'TaskFailedToStart', containers: [] }),
        stopped(arn(2), { stoppedAt: undefined, stoppingAt: undefined, stopCode: 'TaskFailedToStart' }),
      ],
    });

    const tasks = await platform.stoppedTasks(CLUSTER, 'web');

    assert.deepEqual(
      tasks.map((t) => t.stoppedAt),
      [Date.parse('2025-03-01T10:04:00Z'), Date.parse('2025-03-01T10:00:00Z')],
    );
  });

  it('leaves out tasks still stopping (no exit code yet) and tasks ECS has forgotten', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [arn(1), arn(2), arn(3)] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        stopped(arn(1)),
        stopped(arn(2), { lastStatus: 'DEPROVISIONING', containers: [{ name: 'web' }] }),
      ],
      failures: [{ arn: arn(3), reason: 'MISSING' }],
    });

    const tasks = await platform.stoppedTasks(CLUSTER, 'web');

    assert.deepEqual(
      tasks.map((t) => t.arn),
      [arn(1)],
    );
  });
});
