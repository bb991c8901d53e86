import type { ContainerPlatform, ServiceState } from '../ports/container-platform';

/**
 * Requests a second deploybot allows itself in each of ECS's read action
 * groups it uses. ECS throttles each group with its own token bucket per
 * account and region, refilling at about 20 a second; 15 leaves room for the
 * CLI and the operators' own consoles.
 */
export const ECS_READS_PER_SECOND = 15;

/** DescribeServices takes at most 10 services a call (the adapter splits longer lists). */
const SERVICES_PER_DESCRIBE = 10;

interface Budget {
  take(): Promise<void>;
}

/** One budget per ECS read action group (src/redis/request-budget.ts). */
export interface EcsReadBudgets {
  /** DescribeServices. */
  services: Budget;
  /** DescribeTaskDefinition. */
  taskDefinitions: Budget;
  /** ListTasks and DescribeTasks. */
  tasks: Budget;
}

/**
 * The container platform with its reads behind shared request budgets. Two
 * hundred releases polling their deploys, sampling their services and
 * checking their tasks at the same moments asked ECS for five times its
 * service-read rate in one second, and for two to three times its rate of
 * task-definition and task reads. Over budget, a read waits for the next free
 * slot instead of being throttled. Writes (register, update, run) are not
 * budgeted: they are few, and a release must not queue behind another's
 * polling to make them; but registering a revision first reads the one it
 * copies, and that read is.
 *
 * A call is charged for the ECS requests it usually makes: the adapter pages
 * ListTasks and batches DescribeTasks, which a rare long listing exceeds.
 */
export class BudgetedPlatform implements ContainerPlatform {
  constructor(
    private readonly inner: ContainerPlatform,
    private readonly budgets: EcsReadBudgets,
  ) {}

  async describeServices(cluster: string, services: string[]): Promise<ServiceState[]> {
    await take(this.budgets.services, Math.max(1, Math.ceil(services.length / SERVICES_PER_DESCRIBE)));
    return this.inner.describeServices(cluster, services);
  }

  describeTaskDefinition: ContainerPlatform['describeTaskDefinition'] = async (ref) => {
    await take(this.budgets.taskDefinitions, 1);
    return this.inner.describeTaskDefinition(ref);
  };

  /** ListTasks once for running tasks and once for stopped ones. */
  findTasksStartedBy: ContainerPlatform['findTasksStartedBy'] = async (cluster, startedBy) => {
    await take(this.budgets.tasks, 2);
    return this.inner.findTasksStartedBy(cluster, startedBy);
  };

  describeTask: ContainerPlatform['describeTask'] = async (cluster, taskArn) => {
    await take(this.budgets.tasks, 1);
    return this.inner.describeTask(cluster, taskArn);
  };

  /** ListTasks for the stopped ones, then DescribeTasks of what it found. */
  stoppedTasks: ContainerPlatform['stoppedTasks'] = async (cluster, service) => {
    await take(this.budgets.tasks, 2);
    return this.inner.stoppedTasks(cluster, service);
  };

  /** Reads the revision it copies (DescribeTaskDefinition), then registers the copy (not budgeted). */
  registerImageRevision: ContainerPlatform['registerImageRevision'] = async (input) => {
    await take(this.budgets.taskDefinitions, 1);
    return this.inner.registerImageRevision(input);
  };
  updateService: ContainerPlatform['updateService'] = (cluster, service, taskDefinition) =>
    this.inner.updateService(cluster, service, taskDefinition);
  runTask: ContainerPlatform['runTask'] = (input) => this.inner.runTask(input);
}

async function take(budget: Budget, requests: number): Promise<void> {
  for (let i = 0; i < requests; i += 1) await budget.take();
}
