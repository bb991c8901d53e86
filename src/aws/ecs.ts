import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
  type DescribeTaskDefinitionCommandOutput,
  type DesiredStatus,
  type ECSClient,
  type RunTaskCommandInput,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { StepFailure } from '../domain/errors';
import type {
  ContainerPlatform,
  RunTaskInput,
  ServiceDeployment,
  ServiceState,
  StoppedTask,
  TaskDefinitionInfo,
  TaskState,
} from '../ports/container-platform';
import { imageRevisionInput, toTaskDefinitionInfo } from './task-definition';

// DescribeServices accepts at most 10 services per call.
const DESCRIBE_SERVICES_BATCH = 10;
// DescribeTasks accepts at most 100 tasks per call.
const DESCRIBE_TASKS_BATCH = 100;

function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

function toDeployment(d: NonNullable<Service['deployments']>[number]): ServiceDeployment {
  return {
    id: d.id ?? '',
    status: d.status ?? '',
    taskDefinition: d.taskDefinition ?? '',
    ...(d.rolloutState !== undefined && { rolloutState: d.rolloutState }),
    ...(d.rolloutStateReason !== undefined && { rolloutStateReason: d.rolloutStateReason }),
    desiredCount: d.desiredCount ?? 0,
    runningCount: d.runningCount ?? 0,
    failedTasks: d.failedTasks ?? 0,
  };
}

function toServiceState(s: Service): ServiceState {
  const events = (s.events ?? [])
    .map((e) => ({ at: e.createdAt?.getTime() ?? 0, message: e.message ?? '' }))
    // ECS already answers newest first; sorting makes that a guarantee, not a hope.
    .sort((a, b) => b.at - a.at);
  return {
    name: s.serviceName ?? '',
    arn: s.serviceArn ?? '',
    status: s.status ?? '',
    taskDefinition: s.taskDefinition ?? '',
    desiredCount: s.desiredCount ?? 0,
    runningCount: s.runningCount ?? 0,
    pendingCount: s.pendingCount ?? 0,
    deployments: (s.deployments ?? []).map(toDeployment),
    events,
    loadBalancers: (s.loadBalancers ?? [])
      // Classic load balancers (loadBalancerName only) have no target group to measure.
      .filter((lb) => lb.targetGroupArn !== undefined)
      .map((lb) => ({
        targetGroupArn: lb.targetGroupArn ?? '',
        ...(lb.containerName !== undefined && { containerName: lb.containerName }),
        ...(lb.containerPort !== undefined && { containerPort: lb.containerPort }),
      })),
  };
}

function toContainers(task: Task): TaskState['containers'] {
  return (task.containers ?? []).map((c) => ({
    name: c.name ?? '',
    ...(c.exitCode !== undefined && { exitCode: c.exitCode }),
    ...(c.reason !== undefined && { reason: c.reason }),
  }));
}

function toStoppedTask(task: Task): StoppedTask {
  // A task that never started (TaskFailedToStart) may have no stoppedAt; when it
  // began stopping, or failing that when it was created, is the best time it has.
  const stoppedAt = task.stoppedAt ?? task.stoppingAt ?? task.createdAt;
  return {
    arn: task.taskArn ?? '',
    taskDefinition: task.taskDefinitionArn ?? '',
    stoppedAt: stoppedAt?.getTime() ?? 0,
    ...(task.stopCode !== undefined && { stopCode: task.stopCode }),
    ...(task.stoppedReason !== undefined && { stoppedReason: task.stoppedReason }),
    containers: toContainers(task),
  };
}

/** A requested service may be a name or an ARN; ECS answers with both. */
function matches(requested: string, s: { serviceName?: string; serviceArn?: string }): boolean {
  return requested === s.serviceName || requested === s.serviceArn;
}

function lastSegment(arnOrName: string): string {
  return arnOrName.slice(arnOrName.lastIndexOf('/') + 1);
}

export class EcsContainerPlatform implements ContainerPlatform {
  constructor(private readonly ecs: ECSClient) {}

  async describeServices(cluster: string, services: string[]): Promise<ServiceState[]> {
    return (await this.rawServices(cluster, services)).map(toServiceState);
  }

  async describeTaskDefinition(ref: string): Promise<TaskDefinitionInfo> {
    const out = await this.rawTaskDefinition(ref);
    return toTaskDefinitionInfo(out.taskDefinition, out.tags, ref);
  }

  async registerImageRevision(input: {
    from: string;
    images: Record<string, string>;
    releaseId: string;
  }): Promise<TaskDefinitionInfo> {
    const source = await this.rawTaskDefinition(input.from);
    if (!source.taskDefinition) {
      throw new StepFailure('task_definition_not_found', `ECS returned no task definition for ${input.from}`);
    }
    const register = imageRevisionInput(
      source.taskDefinition,
      source.tags ?? [],
      input.images,
      input.releaseId,
    );
    const out = await this.ecs.send(new RegisterTaskDefinitionCommand(register));
    // Should ECS leave the tags out of its answer, the ones just sent are the truth.
    return toTaskDefinitionInfo(out.taskDefinition, out.tags ?? register.tags, input.from);
  }

  async updateService(cluster: string, service: string, taskDefinition: string): Promise<void> {
    // No forceNewDeployment: a new task definition already starts a deployment, and
    // forcing one would restart tasks even when nothing changed (e.g. on resume).
    await this.ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition }));
  }

  async runTask(input: RunTaskInput): Promise<string> {
    const [service] = await this.rawServices(input.cluster, [input.likeService]);
    const request: RunTaskCommandInput = {
      cluster: input.cluster,
      taskDefinition: input.taskDefinition,
      count: 1,
      startedBy: input.startedBy,
      clientToken: input.clientToken,
      overrides: { containerOverrides: [{ name: input.container, command: input.command }] },
    };
    if (service?.networkConfiguration) request.networkConfiguration = service.networkConfiguration;
    // RunTask rejects launchType together with a capacity provider strategy.
    if (service?.capacityProviderStrategy?.length) {
      request.capacityProviderStrategy = service.capacityProviderStrategy;
    } else if (service?.launchType) {
      request.launchType = service.launchType;
    }
    if (service?.platformVersion) request.platformVersion = service.platformVersion;

    const out = await this.ecs.send(new RunTaskCommand(request));
    const arn = out.tasks?.[0]?.taskArn;
    if (arn) return arn;
    const reasons = (out.failures ?? []).map((f) => [f.reason, f.detail].filter(Boolean).join(': '));
    throw new StepFailure(
      'run_task_failed',
      `ECS did not start ${input.taskDefinition} in ${input.cluster}: ${reasons.join('; ') || 'no task and no reason given'}`,
    );
  }

  async findTasksStartedBy(cluster: string, startedBy: string): Promise<string[]> {
    const arns = new Set<string>();
    // ListTasks filters on one desired status at a time; a task can move from
    // RUNNING to STOPPED between the two listings, hence the set.
    for (const desiredStatus of ['RUNNING', 'STOPPED'] satisfies DesiredStatus[]) {
      let nextToken: string | undefined;
      do {
        const out = await this.ecs.send(
          new ListTasksCommand({ cluster, startedBy, desiredStatus, ...(nextToken && { nextToken }) }),
        );
        for (const arn of out.taskArns ?? []) arns.add(arn);
        nextToken = out.nextToken;
      } while (nextToken);
    }
    return [...arns];
  }

  async describeTask(cluster: string, taskArn: string): Promise<TaskState> {
    const out = await this.ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
    const task = out.tasks?.find((t) => t.taskArn === taskArn) ?? out.tasks?.[0];
    if (!task) {
      const reason = out.failures?.[0]?.reason ?? 'MISSING';
      // ECS forgets stopped tasks after about an hour.
      throw new StepFailure('task_not_found', `task ${taskArn} not found in cluster ${cluster} (${reason})`);
    }
    return {
      arn: task.taskArn ?? taskArn,
      lastStatus: task.lastStatus ?? '',
      ...(task.stoppedReason !== undefined && { stoppedReason: task.stoppedReason }),
      ...(task.stopCode !== undefined && { stopCode: task.stopCode }),
      containers: toContainers(task),
    };
  }

  async stoppedTasks(cluster: string, service: string): Promise<StoppedTask[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const out = await this.ecs.send(
        new ListTasksCommand({
          cluster,
          serviceName: service,
          desiredStatus: 'STOPPED',
          ...(nextToken && { nextToken }),
        }),
      );
      arns.push(...(out.taskArns ?? []));
      nextToken = out.nextToken;
    } while (nextToken);

    const tasks: StoppedTask[] = [];
    for (let i = 0; i < arns.length; i += DESCRIBE_TASKS_BATCH) {
      const out = await this.ecs.send(
        new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + DESCRIBE_TASKS_BATCH) }),
      );
      // desiredStatus STOPPED also lists tasks still stopping, whose containers have
      // no exit code yet: they are judged on a later poll, once STOPPED. A task ECS
      // forgot since the listing comes back as a failure (MISSING): nothing to judge.
      tasks.push(...(out.tasks ?? []).filter((t) => t.lastStatus === 'STOPPED').map(toStoppedTask));
    }
    return tasks;
  }

  /** The SDK services in the order asked; missing or INACTIVE ones are a StepFailure. */
  private async rawServices(cluster: string, names: string[]): Promise<Service[]> {
    const result: Service[] = [];
    for (let i = 0; i < names.length; i += DESCRIBE_SERVICES_BATCH) {
      const batch = names.slice(i, i + DESCRIBE_SERVICES_BATCH);
      const out = await this.ecs.send(new DescribeServicesCommand({ cluster, services: batch }));
      for (const name of batch) {
        const service = out.services?.find((s) => matches(name, s));
        if (!service || service.status === 'INACTIVE') {
          const failure = out.failures?.find(
            (f) => f.arn !== undefined && lastSegment(f.arn) === lastSegment(name),
          );
          const why = service ? 'INACTIVE' : (failure?.reason ?? 'MISSING');
          throw new StepFailure(
            'service_not_found',
            `ECS service ${name} not found in cluster ${cluster} (${why})`,
          );
        }
        result.push(service);
      }
    }
    return result;
  }

  private async rawTaskDefinition(ref: string): Promise<DescribeTaskDefinitionCommandOutput> {
    try {
      return await this.ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: ref, include: ['TAGS'] }),
      );
    } catch (err) {
      // ECS says "Unable to describe task definition" with a ClientException for an
      // unknown family, revision or ARN; retrying cannot fix that.
      if (errorName(err) === 'ClientException') {
        throw new StepFailure('task_definition_not_found', `task definition ${ref} not found`, {
          cause: err,
        });
      }
      throw err;
    }
  }
}
