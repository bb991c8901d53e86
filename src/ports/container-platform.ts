/**
 * What deploybot needs from ECS, in its own terms. The adapter (src/aws/ecs.ts)
 * maps SDK shapes to these; steps never see an SDK type.
 *
 * Invariants every implementation keeps:
 * - describeServices returns the services in the order asked and throws
 *   StepFailure (src/domain/errors.ts, code `service_not_found`) when one is
 *   missing or INACTIVE.
 * - registerImageRevision copies every field of the source task definition except
 *   the images of the named containers, and tags the new revision
 *   `deploybot-release=<releaseId>` so a resumed step can recognise it.
 * - runTask passes `startedBy` and `clientToken` through, so a retried call does
 *   not start a second task.
 */
export interface ServiceDeployment {
  id: string;
  /** PRIMARY is the deployment ECS is rolling towards; ACTIVE ones are being drained. */
  status: string;
  taskDefinition: string;
  rolloutState?: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason?: string;
  desiredCount: number;
  runningCount: number;
  failedTasks: number;
}

export interface ServiceState {
  name: string;
  arn: string;
  /** ACTIVE, DRAINING or INACTIVE. */
  status: string;
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  deployments: ServiceDeployment[];
  /** Recent service events, newest first (ECS keeps the last 100). */
  events: { at: number; message: string }[];
  /** The target groups the service registers its tasks in (ECS `loadBalancers`); [] when none. */
  loadBalancers: { targetGroupArn: string; containerName?: string; containerPort?: number }[];
}

export interface ContainerInfo {
  name: string;
  image: string;
  /** From the awslogs log driver, when the container uses it. */
  log?: { group: string; streamPrefix?: string; region?: string };
}

export interface TaskDefinitionInfo {
  arn: string;
  family: string;
  revision: number;
  containers: ContainerInfo[];
  /** Value of the `deploybot-release` tag, when deploybot registered this revision. */
  releaseTag?: string;
}

export interface RunTaskInput {
  cluster: string;
  taskDefinition: string;
  /** Network configuration, launch type and capacity providers are copied from this service. */
  likeService: string;
  container: string;
  command: string[];
  /** At most 36 characters: the release id. */
  startedBy: string;
  /** At most 64 characters; the same token returns the same task. */
  clientToken: string;
}

export interface TaskState {
  arn: string;
  /** PROVISIONING, PENDING, RUNNING, DEPROVISIONING, STOPPED … */
  lastStatus: string;
  stoppedReason?: string;
  stopCode?: string;
  containers: { name: string; exitCode?: number; reason?: string }[];
}

/**
 * A task that stopped, as ECS reports it for about an hour after (ListTasks
 * desiredStatus STOPPED + DescribeTasks). Whether it crashed or was replaced on
 * purpose is src/domain/crashes.ts's to decide.
 */
export interface StoppedTask {
  arn: string;
  taskDefinition: string;
  /** Epoch ms; tasks that never started have only stoppingAt/createdAt, mapped here too. */
  stoppedAt: number;
  /** TaskFailedToStart, EssentialContainerExited, UserInitiated, ServiceSchedulerInitiated, SpotInterruption, TerminationNotice … */
  stopCode?: string;
  stoppedReason?: string;
  containers: { name: string; exitCode?: number; reason?: string }[];
}

export interface ContainerPlatform {
  describeServices(cluster: string, services: string[]): Promise<ServiceState[]>;
  /** An ARN, `family:revision`, or a family (its latest ACTIVE revision). */
  describeTaskDefinition(ref: string): Promise<TaskDefinitionInfo>;
  registerImageRevision(input: {
    from: string;
    images: Record<string, string>;
    releaseId: string;
  }): Promise<TaskDefinitionInfo>;
  updateService(cluster: string, service: string, taskDefinition: string): Promise<void>;
  runTask(input: RunTaskInput): Promise<string>;
  /** Task ARNs started with this `startedBy`, running or stopped. */
  findTasksStartedBy(cluster: string, startedBy: string): Promise<string[]>;
  describeTask(cluster: string, taskArn: string): Promise<TaskState>;
  /** Tasks of the service that stopped (ECS keeps them visible for at least an hour), every page. */
  stoppedTasks(cluster: string, service: string): Promise<StoppedTask[]>;
}
