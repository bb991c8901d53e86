import type { DeploymentRecord, Rollouts, ServiceRecord } from './ecs-rollouts';
import type { EcsState } from './ecs-state';
import type { ContainerView, TaskDefinitionRecord, TaskDefinitions } from './ecs-task-definitions';
import { STOPPED_TASK_RETENTION_MS } from './ecs-tasks';
import { loadProfiles, profileFor } from '../service/profiles';
import { imageTag, taskId } from './ids';
import { epochSeconds } from './json-protocol';
import type { EmulatorTimings } from './types';

/**
 * The stopped tasks of services. Running service tasks are counts
 * (ecs-rollouts.ts); a task becomes a record here only when it stops, which is
 * when ECS has something to say about it (stopCode, stoppedReason, exit codes)
 * and what ListTasks desiredStatus STOPPED + DescribeTasks show for an hour.
 *
 * Two ways a service task stops:
 * - replace(): ordinary churn. ECS starts a healthy replacement first, then
 *   stops the task (stopCode ServiceSchedulerInitiated, SIGTERM, exit 143), as
 *   for AZ rebalancing or host maintenance; the running count never dips.
 * - a crashing build: under an image whose `crashEveryMs` is set, one task of
 *   each deployment running it exits 1 every crashEveryMs (stopCode
 *   EssentialContainerExited) and is pending again — its replacement starting —
 *   for `taskPendingMs`, so the service runs one short meanwhile.
 *
 * Crashes are stamped with the time they were due (deployment createdAt + k ×
 * crashEveryMs), not the time someone looked; whether the deployment had a
 * running task is judged when settle() reaches them. Older than the retention
 * they are skipped, as ECS would have forgotten them anyway.
 */
export interface ServiceTaskRecord {
  id: string;
  arn: string;
  clusterName: string;
  clusterArn: string;
  serviceName: string;
  deploymentId: string;
  definition: TaskDefinitionRecord;
  containers: ContainerView[];
  kind: 'replaced' | 'crashed';
  createdAt: number;
  startedAt: number;
  stoppedAt: number;
  stopCode: 'ServiceSchedulerInitiated' | 'EssentialContainerExited';
  stoppedReason: string;
  /** Of every container: a crash ends the task with the essential one's code, ECS SIGTERMs the rest. */
  exitCodes: Record<string, number>;
}

export const CRASH_EXIT_CODE = 1;
export const SIGTERM_EXIT_CODE = 143;
export const REPLACED_REASON = 'Task stopped by Amazon ECS: replaced by a healthy task (AZ rebalancing)';
export const CRASHED_REASON = 'Essential container in task exited';

export class ServiceTasks {
  readonly records: ServiceTaskRecord[] = [];
  /** Deployment id -> how many of its crashes are already recorded. */
  private readonly crashesDone = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly timings: () => EmulatorTimings,
    private readonly definitions: TaskDefinitions,
    private readonly rollouts: Rollouts,
    private readonly crashEveryMs: (image: string) => number | undefined,
  ) {}

  /**
   * Stops one running task of the service the way ECS replaces a healthy one,
   * after starting its replacement; the stopped task's ARN. Throws when no task
   * of the service runs.
   */
  replace(service: ServiceRecord): string {
    const counts = this.rollouts.counts(service);
    const running = service.deployments.filter((d) => (counts.get(d.id)?.running ?? 0) > 0);
    // PRIMARY first: the deployment most tasks belong to once a rollout is done.
    const deployment = running[0];
    if (!deployment) throw new Error(`no running task of ${service.name} to replace`);
    const at = this.now();
    const record = this.record(service, deployment, 'replaced', deployment.createdAt, at);
    this.rollouts.event(service, at, `(service ${service.name}) has started 1 tasks: (task ${taskId()}).`);
    this.rollouts.event(
      service,
      at,
      `(service ${service.name}) has stopped 1 running tasks: (task ${record.id}).`,
    );
    return record.arn;
  }

  /** Records the crashes that became due and forgets tasks stopped over an hour ago. */
  settle(ecs: EcsState): void {
    const now = this.now();
    for (let i = this.records.length - 1; i >= 0; i -= 1) {
      if (now - (this.records[i] as ServiceTaskRecord).stoppedAt > STOPPED_TASK_RETENTION_MS)
        this.records.splice(i, 1);
    }
    for (const cluster of ecs.clusters.values()) {
      for (const service of cluster.services.values()) this.settleCrashes(service, now);
    }
  }

  /** Crashed tasks of the deployment whose replacement is still starting. */
  replacing(service: ServiceRecord, deploymentId: string): number {
    const now = this.now();
    const pendingMs = this.timings().taskPendingMs;
    return this.records.filter(
      (r) =>
        r.kind === 'crashed' &&
        r.deploymentId === deploymentId &&
        r.serviceName === service.name &&
        r.clusterName === service.clusterName &&
        r.stoppedAt <= now &&
        now < r.stoppedAt + pendingMs,
    ).length;
  }

  find(clusterName: string, ref: string): ServiceTaskRecord | undefined {
    return this.records.find((t) => t.clusterName === clusterName && (t.arn === ref || t.id === ref));
  }

  toJson(task: ServiceTaskRecord, withTags: boolean): Record<string, unknown> {
    const body = task.definition.body;
    return {
      taskArn: task.arn,
      clusterArn: task.clusterArn,
      taskDefinitionArn: task.definition.arn,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      createdAt: epochSeconds(task.createdAt),
      pullStartedAt: epochSeconds(task.createdAt + 200),
      pullStoppedAt: epochSeconds(task.startedAt - 100),
      startedAt: epochSeconds(task.startedAt),
      stoppingAt: epochSeconds(task.stoppedAt),
      executionStoppedAt: epochSeconds(task.stoppedAt),
      stoppedAt: epochSeconds(task.stoppedAt),
      stopCode: task.stopCode,
      stoppedReason: task.stoppedReason,
      startedBy: task.deploymentId,
      group: `service:${task.serviceName}`,
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      ...(typeof body.cpu === 'string' && { cpu: body.cpu }),
      ...(typeof body.memory === 'string' && { memory: body.memory }),
      availabilityZone: `${task.clusterArn.split(':')[3] ?? 'us-east-1'}a`,
      connectivity: 'CONNECTED',
      overrides: { containerOverrides: [], inferenceAcceleratorOverrides: [] },
      version: 4,
      containers: task.containers.map((c) => ({
        containerArn: `${task.clusterArn.replace(':cluster/', ':container/')}/${task.id}/${c.name}`,
        taskArn: task.arn,
        name: c.name,
        image: c.image,
        lastStatus: 'STOPPED',
        exitCode: task.exitCodes[c.name] ?? SIGTERM_EXIT_CODE,
      })),
      ...(withTags && { tags: [] }),
    };
  }

  private settleCrashes(service: ServiceRecord, now: number): void {
    for (const d of service.deployments) {
      const definition = this.definitions.resolve(d.taskDefinition);
      if (!definition) continue;
      const every = this.crashEveryMs(this.definitions.mainContainer(definition).image);
      if (every === undefined || every <= 0) continue;
      let done = this.crashesDone.get(d.id) ?? 0;
      for (let due = d.createdAt + (done + 1) * every; due <= now; due = d.createdAt + (done + 1) * every) {
        done += 1;
        const running = this.rollouts.counts(service).get(d.id)?.running ?? 0;
        if (now - due > STOPPED_TASK_RETENTION_MS || running === 0) continue;
        // The task that crashed started with the deployment or with the previous crash's replacement.
        this.record(service, d, 'crashed', due - every, due);
        this.rollouts.event(
          service,
          due,
          `(service ${service.name}) has started 1 tasks: (task ${taskId()}).`,
        );
      }
      this.crashesDone.set(d.id, done);
    }
  }

  private record(
    service: ServiceRecord,
    deployment: DeploymentRecord,
    kind: ServiceTaskRecord['kind'],
    createdAt: number,
    at: number,
  ): ServiceTaskRecord {
    const definition = this.definitions.resolve(deployment.taskDefinition);
    if (!definition)
      throw new Error(`task definition ${deployment.taskDefinition} of ${service.name} is not registered`);
    const containers = this.definitions.containers(definition);
    const main = this.definitions.mainContainer(definition).name;
    const id = taskId();
    const record: ServiceTaskRecord = {
      id,
      arn: `${service.clusterArn.replace(':cluster/', ':task/')}/${id}`,
      clusterName: service.clusterName,
      clusterArn: service.clusterArn,
      serviceName: service.name,
      deploymentId: deployment.id,
      definition,
      containers,
      kind,
      createdAt: Math.min(createdAt, at),
      startedAt: Math.min(at, createdAt + this.timings().taskPendingMs),
      stoppedAt: at,
      stopCode: kind === 'crashed' ? 'EssentialContainerExited' : 'ServiceSchedulerInitiated',
      stoppedReason: kind === 'crashed' ? CRASHED_REASON : REPLACED_REASON,
      exitCodes: Object.fromEntries(
        containers.map((c) => [
          c.name,
          kind === 'crashed' && c.name === main ? CRASH_EXIT_CODE : SIGTERM_EXIT_CODE,
        ]),
      ),
    };
    this.records.push(record);
    return record;
  }
}

/** The crash interval the sandbox's tag profiles give an image (profiles.json `crashEveryMs`). */
export function profileCrashEveryMs(): (image: string) => number | undefined {
  const { profiles } = loadProfiles();
  return (image) => profileFor(profiles, imageTag(image) ?? 'latest').crashEveryMs;
}
