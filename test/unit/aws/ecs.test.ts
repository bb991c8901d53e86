import assert from 'node:assert/strict';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { EcsContainerPlatform } from '../../../src/aws/ecs';

const CLUSTER = 'prod';
const ARN_PREFIX = 'arn:aws:ecs:eu-west-1:123456789012';

function service(name: string, extra: Partial<Service> = {}): Service {
  return {
    serviceName: name,
    serviceArn: `${ARN_PREFIX}:service/${CLUSTER}/${name}`,
    status: 'ACTIVE',
    taskDefinition: `${ARN_PREFIX}:task-definition/${name}:7`,
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    deployments: [],
    events: [],
    ...extra,
  };
}

describe('EcsContainerPlatform services', () => {
  const client = new ECSClient({ region: 'eu-west-1' });
  const ecs = mockClient(client);
  const platform = new EcsContainerPlatform(client);

  beforeEach(() => ecs.reset());
  after(() => ecs.restore());

  describe('describeServices', () => {
    it('maps deployments and events, newest event first, with times in epoch ms', async () => {
      ecs.on(DescribeServicesCommand).resolves({
        services: [
          service('web', {
            deployments: [
              {
                id: 'ecs-svc/1',
                status: 'PRIMARY',
                taskDefinition: `${ARN_PREFIX}:task-definition/web:8`,
                rolloutState: 'FAILED',
                rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
                desiredCount: 2,
                runningCount: 0,
                failedTasks: 3,
              },
              { id: 'ecs-svc/0', status: 'ACTIVE', taskDefinition: `${ARN_PREFIX}:task-definition/web:7` },
            ],
            events: [
              { id: 'e1', createdAt: new Date('2025-03-01T10:00:00Z'), message: 'older' },
              { id: 'e2', createdAt: new Date('2025-03-01T10:05:00Z'), message: 'newer' },
            ],
          }),
        ],
      });

      const [web] = await platform.describeServices(CLUSTER, ['web']);

      assert.deepEqual(ecs.commandCall(0, DescribeServicesCommand).args[0].input, {
        cluster: CLUSTER,
        services: ['web'],
      });
      assert.deepEqual(web, {
        name: 'web',
        arn: `${ARN_PREFIX}:service/prod/web`,
        status: 'ACTIVE',
        taskDefinition: `${ARN_PREFIX}:task-definition/web:7`,
        desiredCount: 2,
        runningCount: 2,
        pendingCount: 0,
        deployments: [
          {
            id: 'ecs-svc/1',
            status: 'PRIMARY',
            taskDefinition: `${ARN_PREFIX}:task-definition/web:8`,
            rolloutState: 'FAILED',
            rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
            desiredCount: 2,
            runningCount: 0,
            failedTasks: 3,
          },
          {
            id: 'ecs-svc/0',
            status: 'ACTIVE',
            taskDefinition: `${ARN_PREFIX}:task-definition/web:7`,
            desiredCount: 0,
            runningCount: 0,
            failedTasks: 0,
          },
        ],
        events: [
          { at: Date.parse('2025-03-01T10:05:00Z'), message: 'newer' },
          { at: Date.parse('2025-03-01T10:00:00Z'), message: 'older' },
        ],
        loadBalancers: [],
      });
    });

    it('maps the target groups the service registers in, leaving out classic load balancers', async () => {
      const tg = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-tg/6d0ecf831eec9f09';
      ecs.on(DescribeServicesCommand).resolves({
        services: [
          service('web', {
            loadBalancers: [
              { targetGroupArn: tg, containerName: 'web', containerPort: 8000 },
              { loadBalancerName: 'legacy-elb', containerName: 'web', containerPort: 8000 },
            ],
          }),
        ],
      });

      const [web] = await platform.describeServices(CLUSTER, ['web']);

      assert.deepEqual(web?.loadBalancers, [
        { targetGroupArn: tg, containerName: 'web', containerPort: 8000 },
      ]);
    });

    it('returns services in the order asked, whatever order ECS answers in', async () => {
      ecs.on(DescribeServicesCommand).resolves({ services: [service('worker'), service('web')] });

      const states = await platform.describeServices(CLUSTER, ['web', 'worker']);

      assert.deepEqual(
        states.map((s) => s.name),
        ['web', 'worker'],
      );
    });

    it('accepts service ARNs as well as names', async () => {
      ecs.on(DescribeServicesCommand).resolves({ services: [service('web')] });

      const [web] = await platform.describeServices(CLUSTER, [`${ARN_PREFIX}:service/prod/web`]);

      assert.equal(web?.name, 'web');
    });

    it('asks for at most ten services per call', async () => {
      const names = Array.from({ length: 12 }, (_, i) => `svc-${i}`);
      ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
        services: input.services.map((n) => service(n)),
      }));

      const states = await platform.describeServices(CLUSTER, names);

      assert.deepEqual(
        ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input.services),
        [names.slice(0, 10), names.slice(10)],
      );
      assert.deepEqual(
        states.map((s) => s.name),
        names,
      );
    });

    it('fails the step naming service and cluster when ECS reports the service MISSING', async () => {
      ecs.on(DescribeServicesCommand).resolves({
        services: [service('web')],
        failures: [{ arn: `${ARN_PREFIX}:service/prod/wrker`, reason: 'MISSING' }],
      });

      await assert.rejects(platform.describeServices(CLUSTER, ['web', 'wrker']), {
        name: 'StepFailure',
        code: 'service_not_found',
        message: /wrker.*prod.*MISSING/,
      });
    });

    it('fails the step when the service is INACTIVE (deleted)', async () => {
      ecs.on(DescribeServicesCommand).resolves({ services: [service('web', { status: 'INACTIVE' })] });

      await assert.rejects(platform.describeServices(CLUSTER, ['web']), {
        name: 'StepFailure',
        code: 'service_not_found',
        message: /web.*prod.*INACTIVE/,
      });
    });
  });

  describe('updateService', () => {
    it('sends only the task definition and never forces a new deployment', async () => {
      ecs.on(UpdateServiceCommand).resolves({});

      await platform.updateService(CLUSTER, 'web', `${ARN_PREFIX}:task-definition/web:8`);

      assert.deepEqual(ecs.commandCall(0, UpdateServiceCommand).args[0].input, {
        cluster: CLUSTER,
        service: 'web',
        taskDefinition: `${ARN_PREFIX}:task-definition/web:8`,
      });
    });
  });
});
