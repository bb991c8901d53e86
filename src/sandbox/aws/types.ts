/**
 * Options, seed and scripting types of the AWS emulator. Plain data, so a seed
 * can come from a file and a state snapshot can go to a UI as JSON.
 */

export type AwsServiceName = 'ecs' | 'rds' | 'logs' | 'ecr' | 'cloudwatch' | 'elbv2';

/** How long the slow things take, in emulator-clock milliseconds. */
export interface EmulatorTimings {
  /** UpdateService until the new deployment is COMPLETED (or FAILED for a broken image). */
  rolloutMs: number;
  /** CreateDB(Cluster)Snapshot until the snapshot is available. */
  snapshotMs: number;
  /** RunTask until the task is RUNNING. */
  taskPendingMs: number;
  /** RUNNING until the task's container exits (a script may override it). */
  taskRunMs: number;
  /** Restore*FromSnapshot / CreateDBInstance until the new database is available. */
  restoreMs: number;
  /** Logs Insights StartQuery until the query is Complete (Running after a third of it). */
  queryMs: number;
  /** How long after a minute ends its AWS/ApplicationELB and AWS/RDS datapoints appear (CloudWatch: about a minute). */
  metricsDelayMs: number;
}

export const DEFAULT_TIMINGS: EmulatorTimings = {
  rolloutMs: 8_000,
  snapshotMs: 5_000,
  taskPendingMs: 1_500,
  taskRunMs: 3_000,
  restoreMs: 10_000,
  queryMs: 1_000,
  metricsDelayMs: 60_000,
};

/** `everyNth: 3` throttles every third call; `next: 2` the next two calls. Both may be set. */
export interface ThrottleMode {
  everyNth?: number;
  next?: number;
}

export interface SeedService {
  name: string;
  /** Task definition family; revision `revision` is registered for it. */
  family: string;
  revision: number;
  container: string;
  image: string;
  /** Long-running command of the container; absent runs the image's default. */
  command?: string[];
  /** Absent for workers that serve no traffic. */
  containerPort?: number;
  desiredCount: number;
  logGroup: string;
  logStreamPrefix: string;
  /** ECS deployment circuit breaker; real services usually enable both. */
  circuitBreaker: { enable: boolean; rollback: boolean };
  /** The target groups the service registers its tasks in (ECS `loadBalancers`); absent is none. */
  loadBalancers?: { targetGroupArn: string; containerName: string; containerPort: number }[];
}

/** An ELBv2 target group and the load balancers that forward to it. */
export interface SeedTargetGroup {
  arn: string;
  /** Usually one; empty for a target group no listener rule uses yet. */
  loadBalancerArns: string[];
  protocol: 'HTTP' | 'HTTPS';
  port: number;
  vpcId: string;
  healthCheckPath: string;
}

export interface SeedCluster {
  name: string;
  services: SeedService[];
}

export interface SeedDbInstance {
  id: string;
  engine: string;
  engineVersion: string;
  status: string;
  multiAz: boolean;
}

export interface SeedDbCluster {
  id: string;
  engine: string;
  engineVersion: string;
  status: string;
  /** Writer first. */
  members: string[];
}

export interface SandboxSeed {
  accountId: string;
  region: string;
  clusters: SeedCluster[];
  /** ECR repositories in this account and region, with the tags pushed to them. */
  repositories: { name: string; tags: string[] }[];
  dbInstances: SeedDbInstance[];
  dbClusters: SeedDbCluster[];
  logGroups: string[];
  subnets: string[];
  securityGroups: string[];
  /** ELBv2 target groups (DescribeTargetGroups); absent is none. */
  targetGroups?: SeedTargetGroup[];
}

/** What a one-off task does once it runs: its log lines, then its exit. */
export interface TaskScript {
  exitCode: number;
  lines?: string[];
  /** Overrides EmulatorTimings.taskRunMs for this task. */
  runMs?: number;
}

/** Matches a task's command, joined with spaces: exactly (string) or by pattern. */
export type CommandMatcher = string | RegExp;

export interface AwsEmulatorOptions {
  now?: () => number;
  timings?: Partial<EmulatorTimings>;
  seed?: SandboxSeed;
  /** Images whose tasks never start. Default: the tag ends with `-broken`. */
  isBrokenImage?: (image: string) => boolean;
  /** FilterLogEvents page size (CloudWatch pages by size and time; this by count). */
  filterPageSize?: number;
  /**
   * How often a service task of this image crashes (exit 1, EssentialContainerExited),
   * in emulator-clock ms; undefined never. Default: the tag profiles' `crashEveryMs`.
   */
  crashEveryMs?: (image: string) => number | undefined;
}

/** One request the emulator answered, for tests to count (SDK retries show up here). */
export interface EmulatorCall {
  service: AwsServiceName | 'unknown';
  action: string;
  at: number;
  status: number;
  errorCode?: string;
}
