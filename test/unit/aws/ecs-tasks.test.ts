import assert from 'node:assert/strict';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RunTaskCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { EcsContainerPlatform } from '../../../src/aws/ecs';
import type { RunTaskInput } from '../../../src/ports/container-platform';

const CLUSTER = 'prod';
const TASK_ARN = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/0123456789abcdef';
const NETWORK = {
  awsvpcConfiguration: {
    subnets: ['subnet-a', 'subnet-b'],
    securityGroups: ['sg-1'],
    assignPublicIp: 'DISABLED' as const,
  },
};

const INPUT: RunTaskInput = {
  cluster: CLUSTER,
  taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:8',
  likeService: 'web',
  container: 'web',
  command: ['npm', 'run', 'migrate'],
  startedBy: 'r-8',
  clientToken: 'r-8-migrate',
};

function webService(extra: Partial<Service>): Service {
  return {
    serviceName: 'web',
    serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web',
    status: 'ACTIVE',
    ...extra,
  };
}

describe('EcsContainerPlatform tasks', () => {
  const client = new ECSClient({ region: 'eu-west-1' });
  const ecs = mockClient(client);
  const platform = new EcsContainerPlatform(client);

  beforeEach(() => ecs.reset());
  after(() => ecs.restore());

  describe('runTask', () => {
    it('runs one task like the service: its network, launch type and platform version', async () => {
      ecs.on(DescribeServicesCommand).resolves({
        services: [
          webService({ networkConfiguration: NETWORK, launchType: 'FARGATE', platformVersion: '1.4.0' }),
        ],
      });
      ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });

      const arn = await platform.runTask(INPUT);

      assert.equal(arn, TASK_ARN);
      assert.deepEqual(ecs.commandCall(0, DescribeServicesCommand).args[0].input, {
        cluster: CLUSTER,
        services: ['web'],
      });
      assert.deepEqual(ecs.commandCall(0, RunTaskCommand).args[0].input, {
        cluster: CLUSTER,
        taskDefinition: INPUT.taskDefinition,
        count: 1,
        startedBy: 'r-8',
        clientToken: 'r-8-migrate',
        overrides: { containerOverrides: [{ name: 'web', command: ['npm', 'run', 'migrate'] }] },
        networkConfiguration: NETWORK,
        launchType: 'FARGATE',
        platformVersion: '1.4.0',
      });
    });

    it('uses the service capacity provider strategy instead of a launch type', async () => {
      const strategy = [
        { capacityProvider: 'FARGATE_SPOT', weight: 3 },
        { capacityProvider: 'FARGATE', weight: 1, base: 1 },
      ];
      ecs.on(DescribeServicesCommand).resolves({
        services: [
          webService({
            networkConfiguration: NETWORK,
            capacityProviderStrategy: strategy,
            launchType: 'FARGATE',
          }),
        ],
      });
      ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });

      await platform.runTask(INPUT);

      const input = ecs.commandCall(0, RunTaskCommand).args[0].input;
      assert.deepEqual(input.capacityProviderStrategy, strategy);
      assert.equal('launchType' in input, false);
    });

    it('fails the step with the ECS reason when no task was started', async () => {
      ecs.on(DescribeServicesCommand).resolves({ services: [webService({ launchType: 'FARGATE' })] });
      ecs
        .on(RunTaskCommand)
        .resolves({ tasks: [], failures: [{ reason: 'RESOURCE:ENI', detail: 'no ENIs left' }] });

      await assert.rejects(platform.runTask(INPUT), {
        name: 'StepFailure',
        code: 'run_task_failed',
        message: /RESOURCE:ENI: no ENIs left/,
      });
    });

    it('fails the step without running anything when the model service is missing', async () => {
      ecs
        .on(DescribeServicesCommand)
        .resolves({ services: [], failures: [{ arn: 'web', reason: 'MISSING' }] });

      await assert.rejects(platform.runTask(INPUT), { name: 'StepFailure', code: 'service_not_found' });
      assert.equal(ecs.commandCalls(RunTaskCommand).length, 0);
    });
  });

  describe('findTasksStartedBy', () => {
    it('lists running and stopped tasks through every page, each task once', async () => {
      ecs
        .on(ListTasksCommand, { desiredStatus: 'RUNNING' })
        .resolvesOnce({ taskArns: ['t1', 't2'], nextToken: 'run-2' })
        .resolvesOnce({ taskArns: ['t3'] });
      ecs
        .on(ListTasksCommand, { desiredStatus: 'STOPPED' })
        .resolvesOnce({ taskArns: ['t0'], nextToken: 'stop-2' })
        .resolvesOnce({ taskArns: ['t3'] });

      const arns = await platform.findTasksStartedBy(CLUSTER, 'r-8');

      assert.deepEqual(arns, ['t1', 't2', 't3', 't0']);
      assert.deepEqual(
        ecs.commandCalls(ListTasksCommand).map((c) => c.args[0].input),
        [
          { cluster: CLUSTER, startedBy: 'r-8', desiredStatus: 'RUNNING' },
          { cluster: CLUSTER, startedBy: 'r-8', desiredStatus: 'RUNNING', nextToken: 'run-2' },
          { cluster: CLUSTER, startedBy: 'r-8', desiredStatus: 'STOPPED' },
          { cluster: CLUSTER, startedBy: 'r-8', desiredStatus: 'STOPPED', nextToken: 'stop-2' },
        ],
      );
    });

    it('answers [] when nothing was started', async () => {
      ecs.on(ListTasksCommand).resolves({ taskArns: [] });

      assert.deepEqual(await platform.findTasksStartedBy(CLUSTER, 'r-8'), []);
    });
  });

  describe('describeTask', () => {
    it('maps the stop reason, stop code and each container exit code', async () => {
      ecs.on(DescribeTasksCommand).resolves({
        tasks: [
          {
            taskArn: TASK_ARN,
            lastStatus: 'STOPPED',
            stopCode: 'EssentialContainerExited',
            stoppedReason: 'Essential container in task exited',
            containers: [
              { name: 'web', exitCode: 1, reason: 'migration failed' },
              { name: 'datadog', lastStatus: 'STOPPED' },
            ],
          },
        ],
      });

      const task = await platform.describeTask(CLUSTER, TASK_ARN);

      assert.deepEqual(ecs.commandCall(0, DescribeTasksCommand).args[0].input, {
        cluster: CLUSTER,
        tasks: [TASK_ARN],
      });
      assert.deepEqual(task, {
        arn: TASK_ARN,
        lastStatus: 'STOPPED',
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [{ name: 'web', exitCode: 1, reason: 'migration failed' }, { name: 'datadog' }],
      });
    });

    it('fails the step when ECS no longer knows the task', async () => {
      ecs.on(DescribeTasksCommand).resolves({ tasks: [], failures: [{ arn: TASK_ARN, reason: 'MISSING' }] });

      await assert.rejects(platform.describeTask(CLUSTER, TASK_ARN), {
        name: 'StepFailure',
        code: 'task_not_found',
        message: /MISSING/,
      });
    });
  });
});
