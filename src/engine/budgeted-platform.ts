import type { ContainerPlatform, ServiceState } from '../ports/container-platform';

/** Below ECS's ~20 a second refill, leaving room for the CLI and the operators' own consoles. */
export const ECS_SERVICE_READS_PER_SECOND = 15;

/** DescribeServices takes at most 10 services a call (the adapter splits longer lists). */
const SERVICES_PER_DESCRIBE = 10;

/**
 * The container platform with its service reads behind a shared request budget
 * (src/redis/request-budget.ts). ECS refills its service-read bucket at about
 * 20 DescribeServices a second per account and region; two hundred releases
 * polling their deploys and sampling their services at the same moments asked
 * for five times that in one second. Over budget, a read waits for the next
 * free slot instead of being throttled. Everything else passes straight through.
 */
export class BudgetedPlatform implements ContainerPlatform {
  constructor(
    private readonly inner: ContainerPlatform,
    private readonly budget: { take(): Promise<void> },
  ) {}

  async describeServices(cluster: string, services: string[]): Promise<ServiceState[]> {
    const calls = Math.max(1, Math.ceil(services.length / SERVICES_PER_DESCRIBE));
    for (let i = 0; i < calls; i += 1) await this.budget.take();
    return this.inner.describeServices(cluster, services);
  }

  describeTaskDefinition: ContainerPlatform['describeTaskDefinition'] = (ref) =>
    this.inner.describeTaskDefinition(ref);
  registerImageRevision: ContainerPlatform['registerImageRevision'] = (input) =>
    this.inner.registerImageRevision(input);
  updateService: ContainerPlatform['updateService'] = (cluster, service, taskDefinition) =>
    this.inner.updateService(cluster, service, taskDefinition);
  runTask: ContainerPlatform['runTask'] = (input) => this.inner.runTask(input);
  findTasksStartedBy: ContainerPlatform['findTasksStartedBy'] = (cluster, startedBy) =>
    this.inner.findTasksStartedBy(cluster, startedBy);
  describeTask: ContainerPlatform['describeTask'] = (cluster, taskArn) =>
    this.inner.describeTask(cluster, taskArn);
  stoppedTasks: ContainerPlatform['stoppedTasks'] = (cluster, service) =>
    this.inner.stoppedTasks(cluster, service);
}
