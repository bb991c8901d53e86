import assert from 'node:assert/strict';
import {
  ClientException,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { EcsContainerPlatform } from '../../../src/aws/ecs';

const SOURCE_ARN = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-web:41';
const NEW_ARN = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-web:42';
const OLD_IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.1.0';
const NEW_IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.2.0';
const SIDECAR_IMAGE = 'public.ecr.aws/datadog/agent:7';

/** As DescribeTaskDefinition answers it: registrable fields plus ECS's read-only ones. */
function sourceTaskDefinition(): TaskDefinition {
  return {
    // read-only: ECS computes these
    taskDefinitionArn: SOURCE_ARN,
    revision: 41,
    status: 'ACTIVE',
    requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' }],
    compatibilities: ['EC2', 'FARGATE'],
    registeredAt: new Date('2025-01-02T03:04:05Z'),
    registeredBy: 'arn:aws:iam::123456789012:role/ci',
    // registrable
    family: 'shop-web',
    taskRoleArn: 'arn:aws:iam::123456789012:role/shop-web-task',
    executionRoleArn: 'arn:aws:iam::123456789012:role/shop-web-exec',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '1024',
    memory: '2048',
    pidMode: 'task',
    runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
    ephemeralStorage: { sizeInGiB: 30 },
    enableFaultInjection: false,
    volumes: [
      { name: 'tmp', efsVolumeConfiguration: { fileSystemId: 'fs-1', transitEncryption: 'ENABLED' } },
    ],
    placementConstraints: [],
    proxyConfiguration: {
      type: 'APPMESH',
      containerName: 'envoy',
      properties: [{ name: 'AppPorts', value: '8080' }],
    },
    containerDefinitions: [
      {
        name: 'web',
        image: OLD_IMAGE,
        essential: true,
        portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
        environment: [{ name: 'NODE_ENV', value: 'production' }],
        secrets: [{ name: 'DB_URL', valueFrom: 'arn:aws:ssm:eu-west-1:123456789012:parameter/db' }],
        healthCheck: { command: ['CMD-SHELL', 'curl -f localhost:8080/health'], interval: 10, retries: 3 },
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': '/ecs/shop-web',
            'awslogs-stream-prefix': 'web',
            'awslogs-region': 'eu-west-1',
          },
        },
        mountPoints: [{ sourceVolume: 'tmp', containerPath: '/tmp' }],
      },
      { name: 'datadog', image: SIDECAR_IMAGE, essential: false, cpu: 64, memoryReservation: 128 },
    ],
  };
}

// What DescribeTaskDefinition returns but RegisterTaskDefinition must not be sent.
const READ_ONLY_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
] as const;

const SOURCE_TAGS = [
  { key: 'team', value: 'shop' },
  { key: 'deploybot-release', value: 'old-release' },
  { key: 'aws:cloudformation:stack-name', value: 'shop' },
];

describe('EcsContainerPlatform task definitions', () => {
  const client = new ECSClient({ region: 'eu-west-1' });
  const ecs = mockClient(client);
  const platform = new EcsContainerPlatform(client);

  beforeEach(() => ecs.reset());
  after(() => ecs.restore());

  describe('describeTaskDefinition', () => {
    it('asks for tags and maps containers, awslogs settings and the release tag', async () => {
      ecs.on(DescribeTaskDefinitionCommand).resolves({
        taskDefinition: sourceTaskDefinition(),
        tags: [{ key: 'deploybot-release', value: 'r-7' }],
      });

      const info = await platform.describeTaskDefinition('shop-web:41');

      assert.deepEqual(ecs.commandCall(0, DescribeTaskDefinitionCommand).args[0].input, {
        taskDefinition: 'shop-web:41',
        include: ['TAGS'],
      });
      assert.deepEqual(info, {
        arn: SOURCE_ARN,
        family: 'shop-web',
        revision: 41,
        releaseTag: 'r-7',
        containers: [
          {
            name: 'web',
            image: OLD_IMAGE,
            log: { group: '/ecs/shop-web', streamPrefix: 'web', region: 'eu-west-1' },
          },
          { name: 'datadog', image: SIDECAR_IMAGE },
        ],
      });
    });

    it('leaves releaseTag out when deploybot did not register the revision', async () => {
      ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: sourceTaskDefinition(), tags: [] });

      const info = await platform.describeTaskDefinition('shop-web');

      assert.equal('releaseTag' in info, false);
    });

    it('ignores log settings of log drivers other than awslogs', async () => {
      const td = sourceTaskDefinition();
      td.containerDefinitions = [
        {
          name: 'web',
          image: OLD_IMAGE,
          logConfiguration: { logDriver: 'splunk', options: { 'awslogs-group': 'x' } },
        },
      ];
      ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: td });

      const info = await platform.describeTaskDefinition('shop-web');

      assert.deepEqual(info.containers, [{ name: 'web', image: OLD_IMAGE }]);
    });

    it('fails the step when ECS does not know the task definition', async () => {
      ecs
        .on(DescribeTaskDefinitionCommand)
        .rejects(new ClientException({ message: 'Unable to describe task definition.', $metadata: {} }));

      await assert.rejects(platform.describeTaskDefinition('nope:1'), {
        name: 'StepFailure',
        code: 'task_definition_not_found',
      });
    });
  });

  describe('registerImageRevision', () => {
    beforeEach(() => {
      ecs
        .on(DescribeTaskDefinitionCommand)
        .resolves({ taskDefinition: sourceTaskDefinition(), tags: SOURCE_TAGS });
      ecs.on(RegisterTaskDefinitionCommand).resolves({
        taskDefinition: {
          ...sourceTaskDefinition(),
          taskDefinitionArn: NEW_ARN,
          revision: 42,
          containerDefinitions: [
            { name: 'web', image: NEW_IMAGE },
            { name: 'datadog', image: SIDECAR_IMAGE },
          ],
        },
        tags: [{ key: 'deploybot-release', value: 'r-8' }],
      });
    });

    it('keeps every other task-definition field when swapping the image', async () => {
      await platform.registerImageRevision({
        from: SOURCE_ARN,
        images: { web: NEW_IMAGE },
        releaseId: 'r-8',
      });

      assert.deepEqual(ecs.commandCall(0, DescribeTaskDefinitionCommand).args[0].input, {
        taskDefinition: SOURCE_ARN,
        include: ['TAGS'],
      });
      const registrable = sourceTaskDefinition();
      for (const readOnly of READ_ONLY_FIELDS) delete registrable[readOnly];
      const [web, datadog] = registrable.containerDefinitions ?? [];
      assert.deepEqual(ecs.commandCall(0, RegisterTaskDefinitionCommand).args[0].input, {
        ...registrable,
        containerDefinitions: [{ ...web, image: NEW_IMAGE }, datadog],
        tags: [
          { key: 'team', value: 'shop' },
          { key: 'deploybot-release', value: 'r-8' },
        ],
      });
    });

    it('replaces an old deploybot-release tag and drops reserved aws: tags', async () => {
      await platform.registerImageRevision({
        from: SOURCE_ARN,
        images: { web: NEW_IMAGE },
        releaseId: 'r-8',
      });

      const tags = ecs.commandCall(0, RegisterTaskDefinitionCommand).args[0].input.tags;
      assert.deepEqual(tags, [
        { key: 'team', value: 'shop' },
        { key: 'deploybot-release', value: 'r-8' },
      ]);
    });

    it('sends no field the source did not have', async () => {
      ecs.on(DescribeTaskDefinitionCommand).resolves({
        taskDefinition: {
          taskDefinitionArn: SOURCE_ARN,
          revision: 3,
          family: 'tiny',
          containerDefinitions: [{ name: 'web', image: OLD_IMAGE }],
        },
      });

      await platform.registerImageRevision({
        from: SOURCE_ARN,
        images: { web: NEW_IMAGE },
        releaseId: 'r-8',
      });

      assert.deepEqual(ecs.commandCall(0, RegisterTaskDefinitionCommand).args[0].input, {
        family: 'tiny',
        containerDefinitions: [{ name: 'web', image: NEW_IMAGE }],
        tags: [{ key: 'deploybot-release', value: 'r-8' }],
      });
    });

    it('returns the new revision as deploybot sees it', async () => {
      const info = await platform.registerImageRevision({
        from: SOURCE_ARN,
        images: { web: NEW_IMAGE },
        releaseId: 'r-8',
      });

      assert.deepEqual(info, {
        arn: NEW_ARN,
        family: 'shop-web',
        revision: 42,
        releaseTag: 'r-8',
        containers: [
          { name: 'web', image: NEW_IMAGE },
          { name: 'datadog', image: SIDECAR_IMAGE },
        ],
      });
    });

    it('fails the step without registering when a named container is not in the task definition', async () => {
      await assert.rejects(
        platform.registerImageRevision({ from: SOURCE_ARN, images: { api: NEW_IMAGE }, releaseId: 'r-8' }),
        { name: 'StepFailure', code: 'container_not_found', message: /"api".*web, datadog/ },
      );
      assert.equal(ecs.commandCalls(RegisterTaskDefinitionCommand).length, 0);
    });
  });
});
