import { AwsError } from './errors';
import { type DeploymentCounts, type Rollouts, type ServiceRecord } from './ecs-rollouts';
import type { TaskDefinitions } from './ecs-task-definitions';
import { epochSeconds } from './json-protocol';

/**
 * Clusters and their services, and the JSON ECS answers DescribeServices and
 * UpdateService with. Services are looked up by name or ARN, as ECS accepts both.
 */
export interface ClusterRecord {
  name: string;
  arn: string;
  services: Map<string, ServiceRecord>;
}

export class EcsState {
  readonly clusters = new Map<string, ClusterRecord>();

  constructor(
    readonly region: string,
    readonly account: string,
    private readonly rollouts: Rollouts,
    private readonly definitions: TaskDefinitions,
  ) {}

  addCluster(name: string): ClusterRecord {
    const cluster = {
      name,
      arn: `arn:aws:ecs:${this.region}:${this.account}:cluster/${name}`,
      services: new Map(),
    };
    this.clusters.set(name, cluster);
    return cluster;
  }

  /** A name or ARN; ECS's default cluster is `default`. */
  cluster(ref: string | undefined): ClusterRecord {
    const name = (ref ?? 'default').replace(/^arn:aws:ecs:[^:]+:\d+:cluster\//, '');
    const cluster = this.clusters.get(name);
    if (!cluster) throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
    return cluster;
  }

  findService(cluster: ClusterRecord, ref: string): ServiceRecord | undefined {
    const name = ref.slice(ref.lastIndexOf('/') + 1);
    const service = cluster.services.get(name);
    return service && (ref === name || ref === service.arn) ? service : undefined;
  }

  service(cluster: ClusterRecord, ref: string): ServiceRecord {
    const service = this.findService(cluster, ref);
    if (!service) throw new AwsError('ServiceNotFoundException', 'Service not found.');
    return service;
  }

  settle(): void {
    for (const cluster of this.clusters.values()) {
      for (const service of cluster.services.values()) this.rollouts.settle(service);
    }
  }

  counts(service: ServiceRecord): Map<string, DeploymentCounts> {
    return this.rollouts.counts(service);
  }

  serviceJson(service: ServiceRecord): Record<string, unknown> {
    const counts = this.rollouts.counts(service);
    const total = (key: keyof DeploymentCounts) => [...counts.values()].reduce((n, c) => n + c[key], 0);
    return {
      serviceArn: service.arn,
      serviceName: service.name,
      clusterArn: service.clusterArn,
      loadBalancers: service.loadBalancers.map((lb) => ({ ...lb })),
      serviceRegistries: [],
      status: 'ACTIVE',
      desiredCount: service.desiredCount,
      runningCount: total('running'),
      pendingCount: total('pending'),
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      platformFamily: 'Linux',
      taskDefinition: service.taskDefinition,
      deploymentConfiguration: {
        deploymentCircuitBreaker: { ...service.circuitBreaker },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
      deployments: service.deployments.map((d) => {
        const c = counts.get(d.id) ?? { running: 0, pending: 0, failed: 0 };
        return {
          id: d.id,
          status: d.status,
          taskDefinition: d.taskDefinition,
          desiredCount: d.status === 'PRIMARY' ? service.desiredCount : c.running,
          pendingCount: c.pending,
          runningCount: c.running,
          failedTasks: c.failed,
          createdAt: epochSeconds(d.createdAt),
          updatedAt: epochSeconds(d.updatedAt),
          launchType: 'FARGATE',
          platformVersion: '1.4.0',
          platformFamily: 'Linux',
          networkConfiguration: service.networkConfiguration,
          rolloutState: d.rolloutState,
          rolloutStateReason: d.rolloutStateReason,
        };
      }),
      events: service.events.map((e) => ({
        id: e.id,
        createdAt: epochSeconds(e.createdAt),
        message: e.message,
      })),
      createdAt: epochSeconds(service.createdAt),
      placementConstraints: [],
      placementStrategy: [],
      networkConfiguration: service.networkConfiguration,
      schedulingStrategy: 'REPLICA',
      deploymentController: { type: 'ECS' },
      createdBy: `arn:aws:iam::${this.account}:role/deploy`,
      enableECSManagedTags: true,
      propagateTags: 'NONE',
      enableExecuteCommand: false,
    };
  }

  /** The image tag each running task of the service runs, by deployment. */
  runningImages(service: ServiceRecord): { image: string; running: number; primary: boolean }[] {
    const counts = this.rollouts.counts(service);
    return service.deployments.map((d) => {
      const definition = this.definitions.resolve(d.taskDefinition);
      return {
        image: definition ? this.definitions.mainContainer(definition).image : '',
        running: counts.get(d.id)?.running ?? 0,
        primary: d.status === 'PRIMARY',
      };
    });
  }
}
