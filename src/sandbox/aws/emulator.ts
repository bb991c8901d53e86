import { closeServer, listen } from '../loopback-http';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricAlarmDefinition } from './alarm-evaluation';
import { AlarmStore, type EmulatorAlarm, type EmulatorAlarmState } from './cloudwatch-alarms';
import { cloudwatchService } from './cloudwatch-api';
import { ecsMetricSource } from './ecs-metric-source';
import { LoadBalancerMetrics, type RecordedRequest } from './alb-metrics';
import { DatabaseConnectionMetrics } from './rds-metrics';
import { createDispatcher } from './dispatch';
import { EcrRegistry } from './ecr';
import { ecsService } from './ecs-api';
import { profileCrashEveryMs, ServiceTasks } from './ecs-service-tasks';
import { elbService } from './elb-api';
import { Rollouts } from './ecs-rollouts';
import { EcsState } from './ecs-state';
import { TaskDefinitions } from './ecs-task-definitions';
import { Tasks } from './ecs-tasks';
import { EcsUtilization, profileLoadFactors } from './ecs-utilization';
import { buildState, type EmulatorState } from './emulator-state';
import { imageTag } from './ids';
import type { JsonService } from './json-protocol';
import { logsService } from './logs-api';
import { LogStore } from './logs-store';
import type { QueryService } from './query-protocol';
import { rdsService } from './rds-api';
import { RdsState } from './rds-state';
import { defaultSeed, plantSeed } from './seed';
import { TaskScripts } from './task-scripts';
import { Throttle } from './throttle';
import {
  DEFAULT_TIMINGS,
  type AwsEmulatorOptions,
  type AwsServiceName,
  type CommandMatcher,
  type EmulatorCall,
  type EmulatorTimings,
  type SandboxSeed,
  type TaskScript,
  type ThrottleMode,
} from './types';

const SEED_AGE_MS = 24 * 60 * 60 * 1000;
const MAX_CALLS_KEPT = 10_000;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * ECS, ECR, CloudWatch Logs and metrics, and RDS on one loopback HTTP server, speaking their
 * real wire protocols so the unchanged SDK clients and adapters run against it
 * (AWS_ENDPOINT_URL_<SERVICE>, see environment()). Signatures are not checked.
 * All state is in memory and moves with `now()`: nothing runs in the background,
 * every request first settles what became due since the last one.
 */
export class AwsEmulator {
  /** Every request answered, in order; SDK retries appear as repeated calls. */
  readonly calls: EmulatorCall[] = [];
  readonly seed: SandboxSeed;
  private readonly clock: () => number;
  private timings: EmulatorTimings;
  private readonly throttle = new Throttle();
  private readonly scripts = new TaskScripts();
  private readonly logs: LogStore;
  private readonly ecr: EcrRegistry;
  private readonly rds: RdsState;
  private readonly definitions: TaskDefinitions;
  private readonly ecs: EcsState;
  private readonly tasks: Tasks;
  /** Stopped tasks of services: healthy replacements and crashes. */
  private readonly serviceTasks: ServiceTasks;
  /** ELBv2 (DescribeTargetGroups), a second query-protocol service beside RDS. */
  private readonly elbService: QueryService;
  private readonly loadBalancerMetrics: LoadBalancerMetrics;
  private readonly databaseConnections: DatabaseConnectionMetrics;
  private readonly alarms: AlarmStore;
  private readonly jsonServices = new Map<string, JsonService>();
  private readonly queryService: QueryService;
  private server: Server | undefined;
  private url: string | undefined;

  constructor(options: AwsEmulatorOptions = {}) {
    this.clock = options.now ?? Date.now;
    this.timings = checkTimings({ ...DEFAULT_TIMINGS, ...options.timings });
    this.seed = options.seed ?? defaultSeed();
    const { accountId, region } = this.seed;
    const now = () => this.clock();
    const timings = () => this.timings;
    const isBrokenImage =
      options.isBrokenImage ?? ((image: string) => (imageTag(image) ?? '').endsWith('-broken'));

    this.logs = new LogStore(now);
    this.ecr = new EcrRegistry(accountId, now);
    this.rds = new RdsState(accountId, region, now, timings);
    this.definitions = new TaskDefinitions(region, accountId, now);
    const rollouts = new Rollouts(now, timings, (arn) => {
      const definition = this.definitions.resolve(arn);
      return definition !== undefined && isBrokenImage(this.definitions.mainContainer(definition).image);
    });
    this.ecs = new EcsState(region, accountId, rollouts, this.definitions);
    this.tasks = new Tasks(now, timings, this.scripts, isBrokenImage, (g, s, m, at) =>
      this.logs.append(g, s, m, at),
    );
    this.serviceTasks = new ServiceTasks(
      now,
      timings,
      this.definitions,
      rollouts,
      options.crashEveryMs ?? profileCrashEveryMs(),
    );
    rollouts.replacing = (service, deploymentId) => this.serviceTasks.replacing(service, deploymentId);

    const metricsDelay = () => this.timings.metricsDelayMs;
    this.loadBalancerMetrics = new LoadBalancerMetrics(metricsDelay);
    this.databaseConnections = new DatabaseConnectionMetrics(this.ecs, this.rds, metricsDelay);
    // GetMetricData and metric alarms read the same sources, so an alarm sees what a graph shows.
    const metricSources = [
      ecsMetricSource(new EcsUtilization(this.ecs, profileLoadFactors())),
      this.loadBalancerMetrics,
      this.databaseConnections,
    ];
    this.alarms = new AlarmStore(accountId, region, now, { sources: metricSources, delayMs: metricsDelay });
    const pageSize = options.filterPageSize ?? 100;
    for (const service of [
      ecsService(this.ecs, this.definitions, rollouts, this.tasks, this.serviceTasks),
      this.ecr.service(),
      logsService(this.logs, () => pageSize, { accountId, now, queryMs: () => this.timings.queryMs }),
      cloudwatchService(metricSources, this.alarms, now),
    ]) {
      this.jsonServices.set(service.targetPrefix, service);
    }
    this.queryService = rdsService(this.rds, now, () => this.timings.restoreMs);
    this.elbService = elbService(this.seed.targetGroups ?? []);
    plantSeed(
      this.seed,
      {
        ecs: this.ecs,
        definitions: this.definitions,
        rollouts,
        ecr: this.ecr,
        rds: this.rds,
        logs: this.logs,
      },
      this.now() - SEED_AGE_MS,
    );
  }

  now(): number {
    return this.clock();
  }

  async start(port = 0, host = '127.0.0.1'): Promise<void> {
    if (this.server) throw new Error('AwsEmulator is already started');
    // The emulator accepts any credentials, so it must never be reachable from elsewhere.
    if (!LOOPBACK.test(host)) throw new Error(`AwsEmulator listens on loopback only, not ${host}`);
    const dispatch = createDispatcher({
      jsonServices: this.jsonServices,
      queryService: this.queryService,
      moreQueryServices: [{ name: 'elbv2', service: this.elbService }],
      throttle: this.throttle,
      settle: () => this.settle(),
      record: (service, action, status, errorCode) => this.record(service, action, status, errorCode),
      state: () => this.state(),
    });
    const server = createServer((req, res) => void dispatch(req, res));
    await listen(server, port, host);
    this.server = server;
    const address = server.address() as AddressInfo;
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.url = `http://${shown}:${address.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.url = undefined;
    await closeServer(server);
  }

  get endpoint(): string {
    if (this.url === undefined) throw new Error('AwsEmulator is not started');
    return this.url;
  }

  /** The variables that make SDK v3 clients (and so deploybot) talk to this emulator. */
  environment(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_ECS: this.endpoint,
      AWS_ENDPOINT_URL_ECR: this.endpoint,
      AWS_ENDPOINT_URL_RDS: this.endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: this.endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH: this.endpoint,
      AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: this.endpoint,
      AWS_REGION: this.seed.region,
    };
  }

  setThrottling(service: AwsServiceName, mode: ThrottleMode | undefined): void {
    this.throttle.set(service, mode);
  }

  setTimings(timings: Partial<EmulatorTimings>): void {
    this.timings = checkTimings({ ...this.timings, ...timings });
  }

  pushImage(repository: string, tag: string): void {
    this.ecr.push(repository, tag);
  }

  /** What one-off tasks whose command matches print and exit with; later scripts win. */
  scriptTask(match: CommandMatcher, script: TaskScript): void {
    this.scripts.add(match, script);
  }

  appendLog(group: string, stream: string, message: string, at?: number): void {
    this.logs.append(group, stream, message, at);
  }

  /**
   * One request through a load balancer, for AWS/ApplicationELB (the simulated
   * service calls this for each request it answers). Status 0: the target did
   * not answer, so the load balancer answered 502 itself (HTTPCode_ELB_5XX_Count).
   */
  recordRequest(r: RecordedRequest): void {
    this.loadBalancerMetrics.record(r);
  }

  /** Pins AWS/RDS DatabaseConnections of an instance or cluster; undefined derives it from the running tasks again. */
  setDatabaseConnections(dbId: string, connections: number | undefined): void {
    this.databaseConnections.set(dbId, connections);
  }

  /** Creates or replaces a CloudWatch alarm that stays in the given state until a test sets another. */
  putAlarm(alarm: EmulatorAlarm): void {
    this.alarms.put(alarm);
  }

  /**
   * Creates or replaces a CloudWatch metric alarm, evaluated as CloudWatch does
   * from the metrics GetMetricData answers (each period once published,
   * `metricsDelayMs` after it ends); DescribeAlarms answers its current state.
   */
  putMetricAlarm(def: MetricAlarmDefinition): void {
    this.alarms.putMetric(def);
  }

  setAlarmState(name: string, state: EmulatorAlarmState, reason: string): void {
    this.alarms.setState(name, state, reason);
  }

  /**
   * Ordinary churn: stops one running task of the service as ECS does when it
   * replaces a healthy task (stopCode ServiceSchedulerInitiated, exit 143), after
   * starting its replacement on the same revision. The stopped task's ARN; throws
   * when the service is unknown or runs no task.
   */
  replaceTask(cluster: string, service: string): string {
    this.settle();
    const record = this.ecs.clusters.get(cluster)?.services.get(service);
    if (!record) throw new Error(`no service ${service} in cluster ${cluster}`);
    return this.serviceTasks.replace(record);
  }

  /** The image most running tasks of the service run; the PRIMARY's on a tie; undefined when none runs. */
  runningImage(cluster: string, service: string): string | undefined {
    const images = this.runningImages(cluster, service);
    const total = new Map<string, number>();
    for (const i of images) total.set(i.image, (total.get(i.image) ?? 0) + i.running);
    let best: string | undefined;
    for (const [image, running] of total) {
      const bestRunning = best === undefined ? 0 : (total.get(best) ?? 0);
      const primary = images.find((i) => i.primary)?.image === image;
      if (running > bestRunning || (running > 0 && running === bestRunning && primary)) best = image;
    }
    return best;
  }

  /** Which tags answer the service's traffic, by share of its running tasks (largest first). */
  servingTags(cluster: string, service: string): { tag: string; share: number }[] {
    const images = this.runningImages(cluster, service);
    const all = images.reduce((n, i) => n + i.running, 0);
    if (all === 0) return [];
    const byTag = new Map<string, number>();
    for (const i of images) {
      if (i.running === 0) continue;
      const tag = imageTag(i.image) ?? 'latest';
      byTag.set(tag, (byTag.get(tag) ?? 0) + i.running);
    }
    return [...byTag.entries()]
      .map(([tag, n]) => ({ tag, share: n / all }))
      .sort((a, b) => b.share - a.share);
  }

  state(): EmulatorState {
    this.settle();
    return buildState({
      now: this.now(),
      timings: this.timings,
      throttling: this.throttle.describe(),
      ecs: this.ecs,
      tasks: this.tasks,
      ecr: this.ecr,
      rds: this.rds,
      logs: this.logs,
      servingTags: (c, s) => this.servingTags(c, s),
    });
  }

  private runningImages(cluster: string, service: string) {
    this.settle();
    const record = this.ecs.clusters.get(cluster)?.services.get(service);
    return record ? this.ecs.runningImages(record) : [];
  }

  private settle(): void {
    this.ecs.settle();
    this.serviceTasks.settle(this.ecs);
    this.tasks.settle();
  }

  private record(service: EmulatorCall['service'], action: string, status: number, errorCode?: string): void {
    this.calls.push({
      service,
      action,
      at: this.now(),
      status,
      ...(errorCode !== undefined && { errorCode }),
    });
    // A long-running sandbox must not grow without bound; tests read far fewer.
    if (this.calls.length > MAX_CALLS_KEPT) this.calls.splice(0, this.calls.length - MAX_CALLS_KEPT);
  }
}

function checkTimings(timings: EmulatorTimings): EmulatorTimings {
  for (const [key, value] of Object.entries(timings)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(
        `emulator timing ${key} must be a non-negative number of milliseconds, got ${String(value)}`,
      );
    }
  }
  return timings;
}
