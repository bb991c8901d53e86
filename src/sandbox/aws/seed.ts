import type { EcrRegistry } from './ecr';
import type { Rollouts, ServiceRecord } from './ecs-rollouts';
import type { EcsState } from './ecs-state';
import type { TaskDefinitions } from './ecs-task-definitions';
import type { LogStore } from './logs-store';
import type { RdsState } from './rds-state';
import type { SandboxSeed, SeedService } from './types';

/**
 * The runbook's own system, as the emulator starts by default: production
 * (`social-analytics-cluster` with backend-service and worker-service, RDS
 * `social-analytics-db`) and the staging twin deploybot.example.yaml names.
 */
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;

/** Tags in both repositories; `-bad`, `-slow`, `-crashy` and `-broken` drive the simulated failures. */
export const SEED_TAGS = [
  'v1.1.0',
  'v1.2.0',
  'v1.2.1',
  'v1.3.0-bad',
  'v1.3.0-slow',
  'v1.3.0-crashy',
  'v1.3.0-broken',
];

const ELB = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}`;
/** Production's backend behind its ALB: the pair the simulated service records requests under. */
export const BACKEND_TARGET_GROUP_ARN = `${ELB}:targetgroup/backend-tg/6d0ecf831eec9f09`;
export const BACKEND_LOAD_BALANCER_ARN = `${ELB}:loadbalancer/app/social-analytics-alb/50dc6c495c0c9188`;

const CIRCUIT_BREAKER = { enable: true, rollback: true };

function backend(suffix: string, revision: number): SeedService {
  return {
    name: 'backend-service',
    family: `social-analytics-backend${suffix}`,
    revision,
    container: 'backend',
    image: `${REGISTRY}/social-analytics-backend:v1.1.0`,
    command: ['gunicorn', 'app.main:app', '--bind', '0.0.0.0:8000'],
    containerPort: 8000,
    desiredCount: 2,
    logGroup: `/ecs/social-analytics-backend${suffix}`,
    logStreamPrefix: 'ecs',
    circuitBreaker: { ...CIRCUIT_BREAKER },
  };
}

export function defaultSeed(): SandboxSeed {
  return {
    accountId: ACCOUNT,
    region: REGION,
    clusters: [
      {
        name: 'social-analytics-cluster',
        services: [
          {
            ...backend('', 7),
            loadBalancers: [
              { targetGroupArn: BACKEND_TARGET_GROUP_ARN, containerName: 'backend', containerPort: 8000 },
            ],
          },
          {
            name: 'worker-service',
            family: 'social-analytics-worker',
            revision: 3,
            container: 'worker',
            image: `${REGISTRY}/social-analytics-worker:v1.1.0`,
            command: ['celery', '-A', 'app.worker', 'worker', '--loglevel=INFO'],
            desiredCount: 2,
            logGroup: '/ecs/social-analytics-worker',
            logStreamPrefix: 'ecs',
            circuitBreaker: { ...CIRCUIT_BREAKER },
          },
        ],
      },
      { name: 'social-analytics-staging', services: [{ ...backend('-staging', 4), desiredCount: 1 }] },
    ],
    repositories: [
      { name: 'social-analytics-backend', tags: [...SEED_TAGS] },
      { name: 'social-analytics-worker', tags: [...SEED_TAGS] },
    ],
    dbInstances: [
      {
        id: 'social-analytics-db',
        engine: 'postgres',
        engineVersion: '16.4',
        status: 'available',
        multiAz: false,
      },
      {
        id: 'social-analytics-db-staging',
        engine: 'postgres',
        engineVersion: '16.4',
        status: 'available',
        multiAz: false,
      },
    ],
    dbClusters: [],
    logGroups: [
      '/ecs/social-analytics-backend',
      '/ecs/social-analytics-worker',
      '/ecs/social-analytics-backend-staging',
    ],
    subnets: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f9e8d7c6b5a40392'],
    securityGroups: ['sg-0123456789abcdef0'],
    targetGroups: [
      {
        arn: BACKEND_TARGET_GROUP_ARN,
        loadBalancerArns: [BACKEND_LOAD_BALANCER_ARN],
        protocol: 'HTTP',
        port: 8000,
        vpcId: 'vpc-0a1b2c3d4e5f60718',
        healthCheckPath: '/health',
      },
    ],
  };
}

/** The task definition a seeded service starts on, as a RegisterTaskDefinition body. */
export function seedTaskDefinition(seed: SandboxSeed, s: SeedService): Record<string, unknown> {
  return {
    family: s.family,
    taskRoleArn: `arn:aws:iam::${seed.accountId}:role/${s.family}-task`,
    executionRoleArn: `arn:aws:iam::${seed.accountId}:role/ecsTaskExecutionRole`,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '512',
    memory: '1024',
    runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' },
    containerDefinitions: [
      {
        name: s.container,
        image: s.image,
        essential: true,
        ...(s.command && { command: s.command }),
        ...(s.containerPort !== undefined && {
          portMappings: [{ containerPort: s.containerPort, hostPort: s.containerPort, protocol: 'tcp' }],
        }),
        environment: [{ name: 'APP_ENV', value: s.family.endsWith('-staging') ? 'staging' : 'production' }],
        secrets: [
          {
            name: 'DATABASE_URL',
            valueFrom: `arn:aws:secretsmanager:${seed.region}:${seed.accountId}:secret:${s.family}/db`,
          },
        ],
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': s.logGroup,
            'awslogs-region': seed.region,
            'awslogs-stream-prefix': s.logStreamPrefix,
          },
        },
      },
    ],
  };
}

export interface SeedTargets {
  ecs: EcsState;
  definitions: TaskDefinitions;
  rollouts: Rollouts;
  ecr: EcrRegistry;
  rds: RdsState;
  logs: LogStore;
}

/** Plants `seed` as if it had been running, steady, since `at`. */
export function plantSeed(seed: SandboxSeed, t: SeedTargets, at: number): void {
  for (const c of seed.clusters) {
    const cluster = t.ecs.addCluster(c.name);
    for (const s of c.services) {
      t.definitions.startFamilyAt(s.family, s.revision);
      const definition = t.definitions.register(seedTaskDefinition(seed, s), [
        { key: 'app', value: 'social-analytics' },
      ]);
      const service: ServiceRecord = {
        name: s.name,
        arn: `arn:aws:ecs:${seed.region}:${seed.accountId}:service/${c.name}/${s.name}`,
        clusterName: c.name,
        clusterArn: cluster.arn,
        desiredCount: s.desiredCount,
        taskDefinition: definition.arn,
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: seed.subnets,
            securityGroups: seed.securityGroups,
            assignPublicIp: 'DISABLED',
          },
        },
        circuitBreaker: { ...s.circuitBreaker },
        loadBalancers: (s.loadBalancers ?? []).map((lb) => ({ ...lb })),
        createdAt: at,
        deployments: [],
        events: [],
      };
      t.rollouts.seed(service, at);
      cluster.services.set(s.name, service);
      t.logs.createGroup(s.logGroup);
    }
  }
  for (const repo of seed.repositories) for (const tag of repo.tags) t.ecr.push(repo.name, tag, at);
  t.rds.seed(seed.dbInstances, seed.dbClusters, at);
  for (const group of seed.logGroups) t.logs.createGroup(group);
}
