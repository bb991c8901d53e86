import { StepFailure } from '../../src/domain/errors';
import type {
  ContainerPlatform,
  RunTaskInput,
  ServiceDeployment,
  ServiceState,
  StoppedTask,
  TaskDefinitionInfo,
  TaskState,
} from '../../src/ports/container-platform';
import type {
  Database,
  DatabaseRef,
  DatabaseState,
  RestoreRequest,
  SnapshotState,
} from '../../src/ports/database';
import type { ImageDetails, ImageRef, ImageRegistry } from '../../src/ports/image-registry';
import type { LogEvent, Logs } from '../../src/ports/logs';

export const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const ACCOUNT_ARN = 'arn:aws:ecs:us-east-1:123456789012';

/** Where a test can stop time: before or after a named call to the fake cloud. */
export type CallHook = (method: string, phase: 'before' | 'after') => Promise<void>;

interface FakeService {
  name: string;
  desired: number;
  deployments: ServiceDeployment[];
}

/**
 * An in-memory AWS account behind our own ports, for engine tests. Slow things
 * advance by polls, not by time: a rollout completes after `rolloutPolls`
 * DescribeServices, a snapshot after `snapshotPolls`, a task after `taskPolls`.
 * Side effects are counted so that tests can prove each happened once.
 */
export class FakeCloud implements ContainerPlatform, ImageRegistry, Database, Logs {
  readonly calls: Record<string, number> = {};
  readonly taskDefinitions = new Map<string, TaskDefinitionInfo>();
  readonly services = new Map<string, FakeService>();
  readonly images = new Set<string>();
  /** `repository:tag` -> push time (epoch ms), for images a test gives one. */
  readonly imagePushedAt = new Map<string, number>();
  readonly snapshots = new Map<string, { status: string; polls: number }>();
  readonly tasks = new Map<string, { startedBy: string; polls: number; td: string; command: string[] }>();
  databaseStatus = 'available';
  /** Databases restored from snapshots: id -> the request and how often it was described. */
  readonly restored = new Map<string, { request: RestoreRequest; polls: number }>();
  restorePolls = 2;
  rolloutPolls = 2;
  snapshotPolls = 2;
  taskPolls = 2;
  migrationExitCode = 0;
  /** What ECS does with the next rollouts: finish, fail, or let the circuit breaker roll back. */
  rolloutOutcome: 'complete' | 'fail' | 'rollback' = 'complete';
  hook: CallHook = async () => undefined;
  /** Stopped tasks a test seeds per service name; ECS's answer for any other service is []. */
  readonly stopped = new Map<string, StoppedTask[]>();
  private nextDeployment = 1;

  constructor() {
    this.seedService('backend-service', 'backend', 'backend', 7);
    this.seedService('worker-service', 'worker', 'worker', 3);
    for (const repo of ['backend', 'worker']) {
      this.images.add(`${repo}:v1.1.0`);
      this.images.add(`${repo}:v1.2.0`);
    }
  }

  sideEffects(): Record<string, number> {
    const names = ['createSnapshot', 'registerImageRevision', 'updateService', 'runTask', 'restore'];
    return Object.fromEntries(names.map((n) => [n, this.calls[n] ?? 0]));
  }

  // ContainerPlatform

  async describeServices(cluster: string, names: string[]): Promise<ServiceState[]> {
    return this.call('describeServices', () =>
      names.map((name) => {
        const service = this.services.get(name);
        if (!service) throw new StepFailure('service_not_found', `service ${name} not found in ${cluster}`);
        this.advanceRollout(service);
        return this.view(service);
      }),
    );
  }

  async describeTaskDefinition(ref: string): Promise<TaskDefinitionInfo> {
    return this.call('describeTaskDefinition', () => {
      const found =
        this.taskDefinitions.get(ref) ??
        [...this.taskDefinitions.values()]
          .filter((td) => td.family === ref)
          .sort((a, b) => b.revision - a.revision)[0];
      if (!found) throw new StepFailure('task_definition_not_found', `no task definition ${ref}`);
      return structuredClone(found);
    });
  }

  async registerImageRevision(input: { from: string; images: Record<string, string>; releaseId: string }) {
    return this.call('registerImageRevision', () => {
      const source = this.taskDefinitions.get(input.from);
      if (!source) throw new StepFailure('task_definition_not_found', `no task definition ${input.from}`);
      const revision = Math.max(...this.revisionsOf(source.family)) + 1;
      const registered: TaskDefinitionInfo = {
        arn: `${ACCOUNT_ARN}:task-definition/${source.family}:${revision}`,
        family: source.family,
        revision,
        containers: source.containers.map((c) => ({ ...c, image: input.images[c.name] ?? c.image })),
        releaseTag: input.releaseId,
      };
      this.taskDefinitions.set(registered.arn, registered);
      return structuredClone(registered);
    });
  }

  async updateService(_cluster: string, name: string, taskDefinition: string): Promise<void> {
    return this.call('updateService', () => {
      const service = this.services.get(name) as FakeService;
      for (const d of service.deployments) d.status = 'ACTIVE';
      service.deployments.unshift(this.deployment(taskDefinition, 'IN_PROGRESS', 0, service.desired));
    });
  }

  async runTask(input: RunTaskInput): Promise<string> {
    return this.call('runTask', () => {
      const arn = `${ACCOUNT_ARN}:task/social-analytics-cluster/task${this.tasks.size + 1}`;
      this.tasks.set(arn, {
        startedBy: input.startedBy,
        polls: 0,
        td: input.taskDefinition,
        command: input.command,
      });
      return arn;
    });
  }

  async findTasksStartedBy(_cluster: string, startedBy: string): Promise<string[]> {
    return this.call('findTasksStartedBy', () =>
      [...this.tasks.entries()].filter(([, t]) => t.startedBy === startedBy).map(([arn]) => arn),
    );
  }

  async describeTask(_cluster: string, taskArn: string): Promise<TaskState> {
    return this.call('describeTask', () => {
      const task = this.tasks.get(taskArn);
      if (!task) throw new StepFailure('task_not_found', `no task ${taskArn}`);
      task.polls += 1;
      const stopped = task.polls > this.taskPolls;
      return {
        arn: taskArn,
        lastStatus: stopped ? 'STOPPED' : 'RUNNING',
        ...(stopped ? { stoppedReason: 'Essential container in task exited' } : {}),
        containers: [{ name: 'backend', ...(stopped ? { exitCode: this.migrationExitCode } : {}) }],
      };
    });
  }

  async stoppedTasks(_cluster: string, service: string): Promise<StoppedTask[]> {
    return this.call('stoppedTasks', () => structuredClone(this.stopped.get(service) ?? []));
  }

  // ImageRegistry

  async describeImage(image: ImageRef): Promise<ImageDetails | undefined> {
    const key = `${image.repository}:${image.tag}`;
    return this.call('describeImage', () => {
      if (!this.images.has(key)) return undefined;
      const pushedAt = this.imagePushedAt.get(key);
      return pushedAt === undefined ? {} : { pushedAt };
    });
  }

  // Database

  async status(_db: DatabaseRef): Promise<string> {
    return this.call('databaseStatus', () => this.databaseStatus);
  }

  async createSnapshot(_db: DatabaseRef, snapshotId: string): Promise<'created' | 'exists'> {
    return this.call('createSnapshot', () => {
      if (this.snapshots.has(snapshotId)) return 'exists';
      this.snapshots.set(snapshotId, { status: 'creating', polls: 0 });
      return 'created';
    });
  }

  async describeSnapshot(_db: DatabaseRef, snapshotId: string): Promise<SnapshotState | undefined> {
    return this.call('describeSnapshot', () => {
      const snapshot = this.snapshots.get(snapshotId);
      if (!snapshot) return undefined;
      snapshot.polls += 1;
      if (snapshot.polls > this.snapshotPolls) snapshot.status = 'available';
      return { id: snapshotId, status: snapshot.status };
    });
  }

  async restore(request: RestoreRequest): Promise<'started' | 'exists'> {
    return this.call('restore', () => {
      if (this.restored.has(request.into)) return 'exists';
      this.restored.set(request.into, { request, polls: 0 });
      return 'started';
    });
  }

  async describe(db: DatabaseRef): Promise<DatabaseState | undefined> {
    return this.call('describeDatabase', () => {
      const restored = this.restored.get(db.id);
      if (!restored) return db.id === 'social-analytics-db' ? { status: this.databaseStatus } : undefined;
      restored.polls += 1;
      return restored.polls > this.restorePolls
        ? { status: 'available', endpoint: `${db.id}.example.rds.amazonaws.com:5432` }
        : { status: 'creating' };
    });
  }

  // Logs

  async tail(_group: string, stream: string, limit: number): Promise<string[]> {
    return this.call('tail', () => [`INFO [alembic] ran migrations (${stream})`, 'INFO done'].slice(-limit));
  }

  /** What FilterLogEvents counts; tests replace it to script error logs over time. */
  countMatchesImpl: (group: string, pattern: string, from: number, to: number) => Promise<number> =
    async () => 0;

  async countMatches(group: string, pattern: string, from: number, to: number): Promise<number> {
    await this.hook('countMatches', 'before');
    const count = await this.countMatchesImpl(group, pattern, from, to);
    this.calls.countMatches = (this.calls.countMatches ?? 0) + 1;
    await this.hook('countMatches', 'after');
    return count;
  }

  /** Log lines a test seeds per group; FilterLogEvents of any other group answers []. */
  readonly logEvents = new Map<string, LogEvent[]>();

  async events(group: string, from: number, to: number): Promise<LogEvent[]> {
    return this.call('events', () =>
      (this.logEvents.get(group) ?? [])
        .filter((e) => e.timestamp >= from && e.timestamp < to)
        .sort((a, b) => a.timestamp - b.timestamp)
        .map((e) => ({ ...e })),
    );
  }

  // internals

  private async call<T>(method: string, body: () => T): Promise<T> {
    await this.hook(method, 'before');
    const result = body();
    this.calls[method] = (this.calls[method] ?? 0) + 1;
    await this.hook(method, 'after');
    return result;
  }

  private seedService(name: string, family: string, container: string, revision: number): void {
    const arn = `${ACCOUNT_ARN}:task-definition/${family}:${revision}`;
    this.taskDefinitions.set(arn, {
      arn,
      family,
      revision,
      containers: [
        {
          name: container,
          image: `${REGISTRY}/${family}:v1.1.0`,
          log: { group: `/ecs/social-analytics-${family}`, streamPrefix: 'ecs' },
        },
      ],
    });
    this.services.set(name, { name, desired: 2, deployments: [this.deployment(arn, 'COMPLETED', 2, 2)] });
  }

  private revisionsOf(family: string): number[] {
    return [...this.taskDefinitions.values()].filter((td) => td.family === family).map((td) => td.revision);
  }

  private deployment(
    taskDefinition: string,
    rolloutState: ServiceDeployment['rolloutState'],
    running: number,
    desired: number,
  ) {
    return {
      id: `ecs-svc/${this.nextDeployment++}`,
      status: 'PRIMARY',
      taskDefinition,
      rolloutState,
      desiredCount: desired,
      runningCount: running,
      failedTasks: 0,
    } satisfies ServiceDeployment;
  }

  /** One DescribeServices worth of ECS progress on the newest deployment. */
  private advanceRollout(service: FakeService): void {
    const primary = service.deployments[0];
    if (!primary || primary.rolloutState !== 'IN_PROGRESS') return;
    (primary as { polls?: number }).polls = ((primary as { polls?: number }).polls ?? 0) + 1;
    if (((primary as { polls?: number }).polls ?? 0) < this.rolloutPolls) return;
    if (this.rolloutOutcome === 'fail') {
      primary.rolloutState = 'FAILED';
      primary.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
      primary.failedTasks = 3;
      return;
    }
    if (this.rolloutOutcome === 'rollback') {
      const previous = service.deployments[1] as ServiceDeployment;
      service.deployments = [
        {
          ...this.deployment(previous.taskDefinition, 'COMPLETED', service.desired, service.desired),
          rolloutStateReason: 'ECS deployment circuit breaker: rolling back to the previous deployment.',
        },
      ];
      return;
    }
    primary.rolloutState = 'COMPLETED';
    primary.runningCount = service.desired;
    service.deployments = [primary];
  }

  private view(service: FakeService): ServiceState {
    const primary = service.deployments[0] as ServiceDeployment;
    const running = service.deployments.reduce((sum, d) => sum + d.runningCount, 0);
    return {
      name: service.name,
      arn: `${ACCOUNT_ARN}:service/social-analytics-cluster/${service.name}`,
      status: 'ACTIVE',
      taskDefinition: primary.taskDefinition,
      desiredCount: service.desired,
      runningCount: Math.min(running, service.desired),
      pendingCount: 0,
      deployments: structuredClone(service.deployments),
      events: [{ at: 0, message: `(service ${service.name}) has reached a steady state.` }],
      loadBalancers: [],
    };
  }
}
