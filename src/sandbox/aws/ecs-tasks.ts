import type { ContainerView, EcsTag, TaskDefinitionRecord } from './ecs-task-definitions';
import { taskId } from './ids';
import { epochSeconds } from './json-protocol';
import { BROKEN_START_REASON, type TaskScripts } from './task-scripts';
import type { EmulatorTimings, TaskScript } from './types';

/**
 * One-off ECS tasks (RunTask). A task is PENDING for `taskPendingMs`, RUNNING
 * while its script prints its lines (spread over the run time, into the
 * container's awslogs stream `prefix/container/taskId`), then STOPPED with the
 * script's exit code. A broken image never starts: STOPPED after PENDING with
 * stopCode TaskFailedToStart and no exit code. ECS forgets a task an hour after
 * it stopped, and so does this.
 *
 * Simplified: PROVISIONING/ACTIVATING/DEPROVISIONING are folded into their
 * neighbours, and the tasks behind services are counts (ecs-rollouts.ts), not records.
 */
export interface TaskRecord {
  id: string;
  arn: string;
  clusterName: string;
  clusterArn: string;
  definition: TaskDefinitionRecord;
  containers: ContainerView[];
  /** The container that runs the script: the one the command override names, else the main one. */
  scripted: string;
  command: string[];
  script: TaskScript;
  broken: boolean;
  startedBy?: string;
  clientToken?: string;
  group: string;
  launchType?: string;
  platformVersion?: string;
  overrides: Record<string, unknown>;
  tags: EcsTag[];
  createdAt: number;
  linesWritten: number;
}

export interface TaskPhase {
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
  desiredStatus: 'RUNNING' | 'STOPPED';
  startedAt?: number;
  stoppedAt?: number;
}

export const STOPPED_TASK_RETENTION_MS = 60 * 60 * 1000;

export class Tasks {
  readonly records: TaskRecord[] = [];

  constructor(
    private readonly now: () => number,
    private readonly timings: () => EmulatorTimings,
    private readonly scripts: TaskScripts,
    private readonly isBrokenImage: (image: string) => boolean,
    private readonly appendLog: (group: string, stream: string, message: string, at: number) => void,
  ) {}

  start(
    spec: Omit<TaskRecord, 'id' | 'arn' | 'script' | 'broken' | 'createdAt' | 'linesWritten'>,
  ): TaskRecord {
    const id = taskId();
    const scripted = spec.containers.find((c) => c.name === spec.scripted);
    const task: TaskRecord = {
      ...spec,
      id,
      arn: `${spec.clusterArn.replace(':cluster/', ':task/')}/${id}`,
      script: this.scripts.for(spec.command),
      broken: scripted !== undefined && this.isBrokenImage(scripted.image),
      createdAt: this.now(),
      linesWritten: 0,
    };
    this.records.push(task);
    return task;
  }

  phase(task: TaskRecord): TaskPhase {
    const now = this.now();
    const { taskPendingMs, taskRunMs } = this.timings();
    const startAt = task.createdAt + taskPendingMs;
    if (task.broken) {
      return now < startAt
        ? { lastStatus: 'PENDING', desiredStatus: 'RUNNING' }
        : { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedAt: startAt };
    }
    if (now < startAt) return { lastStatus: 'PENDING', desiredStatus: 'RUNNING' };
    const stopAt = startAt + (task.script.runMs ?? taskRunMs);
    if (now < stopAt) return { lastStatus: 'RUNNING', desiredStatus: 'RUNNING', startedAt: startAt };
    return { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', startedAt: startAt, stoppedAt: stopAt };
  }

  /** Writes the log lines that are due and forgets tasks stopped over an hour ago. */
  settle(): void {
    const now = this.now();
    for (let i = this.records.length - 1; i >= 0; i -= 1) {
      const task = this.records[i] as TaskRecord;
      const phase = this.phase(task);
      if (phase.stoppedAt !== undefined && now - phase.stoppedAt > STOPPED_TASK_RETENTION_MS) {
        this.records.splice(i, 1);
        continue;
      }
      this.writeDueLines(task, phase);
    }
  }

  private writeDueLines(task: TaskRecord, phase: TaskPhase): void {
    const lines = task.script.lines ?? [];
    const log = task.containers.find((c) => c.name === task.scripted)?.log;
    if (phase.startedAt === undefined || !log || task.linesWritten >= lines.length) return;
    const runMs = task.script.runMs ?? this.timings().taskRunMs;
    const stream = [log.prefix, task.scripted, task.id].filter((p) => p !== undefined && p !== '').join('/');
    while (task.linesWritten < lines.length) {
      const at = phase.startedAt + Math.floor(((task.linesWritten + 1) * runMs) / (lines.length + 1));
      if (at > this.now()) return;
      this.appendLog(log.group, stream, lines[task.linesWritten] as string, at);
      task.linesWritten += 1;
    }
  }

  find(clusterName: string, ref: string): TaskRecord | undefined {
    return this.records.find((t) => t.clusterName === clusterName && (t.arn === ref || t.id === ref));
  }

  toJson(task: TaskRecord, withTags: boolean): Record<string, unknown> {
    const phase = this.phase(task);
    const stopped = phase.lastStatus === 'STOPPED';
    const fields = task.definition.body;
    return {
      taskArn: task.arn,
      clusterArn: task.clusterArn,
      taskDefinitionArn: task.definition.arn,
      lastStatus: phase.lastStatus,
      desiredStatus: phase.desiredStatus,
      createdAt: epochSeconds(task.createdAt),
      ...(phase.startedAt !== undefined && {
        pullStartedAt: epochSeconds(task.createdAt + 200),
        pullStoppedAt: epochSeconds(phase.startedAt - 100),
        startedAt: epochSeconds(phase.startedAt),
      }),
      ...(stopped && {
        stoppingAt: epochSeconds(phase.stoppedAt as number),
        executionStoppedAt: epochSeconds(phase.stoppedAt as number),
        stoppedAt: epochSeconds(phase.stoppedAt as number),
        stopCode: task.broken ? 'TaskFailedToStart' : 'EssentialContainerExited',
        stoppedReason: task.broken ? BROKEN_START_REASON : 'Essential container in task exited',
      }),
      ...(task.startedBy !== undefined && { startedBy: task.startedBy }),
      group: task.group,
      ...(task.launchType !== undefined && { launchType: task.launchType }),
      ...(task.platformVersion !== undefined && { platformVersion: task.platformVersion }),
      ...(typeof fields.cpu === 'string' && { cpu: fields.cpu }),
      ...(typeof fields.memory === 'string' && { memory: fields.memory }),
      availabilityZone: `${task.clusterArn.split(':')[3] ?? 'us-east-1'}a`,
      connectivity: phase.lastStatus === 'PENDING' ? 'CONNECTING' : 'CONNECTED',
      overrides: task.overrides,
      version: stopped ? 3 : phase.lastStatus === 'RUNNING' ? 2 : 1,
      containers: task.containers.map((c) => this.containerJson(task, c, phase)),
      ...(withTags && { tags: task.tags }),
    };
  }

  private containerJson(task: TaskRecord, c: ContainerView, phase: TaskPhase): Record<string, unknown> {
    const stopped = phase.lastStatus === 'STOPPED';
    const exitCode = c.name === task.scripted ? task.script.exitCode : 0;
    return {
      containerArn: `${task.clusterArn.replace(':cluster/', ':container/')}/${task.id}/${c.name}`,
      taskArn: task.arn,
      name: c.name,
      image: c.image,
      lastStatus: phase.lastStatus,
      ...(stopped && !task.broken && { exitCode }),
      ...(stopped && task.broken && { reason: BROKEN_START_REASON }),
    };
  }
}
