import { Queue, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/schema';
import type { Metrics } from '../http/metrics';
import type { Logger } from '../logging/logger';
import type { Clock } from '../ports/clock';
import type { ReleaseChat } from '../ports/release-chat';
import { BullmqStepQueue } from '../queue/bullmq-step-queue';
import { STEP_QUEUE_NAME, type RetryPolicy, type StepJobData } from '../queue/step-jobs';
import { BullmqFollowUps, createFollowUpWorker, FOLLOW_UP_QUEUE_NAME } from '../queue/bullmq-follow-ups';
import type { FollowUp } from '../ports/follow-ups';
import { FollowUpRunner } from './follow-ups';
import { createStepWorker, DEFAULT_WORKER_TIMING, type StepWorkerOptions } from '../queue/step-worker';
import { ReconcileSchedule } from '../queue/reconcile-schedule';
import { reconcileIntervalOf } from '../config/lease-timing';
import { RedisRunLeases } from '../redis/run-lease';
import { Reconciler } from './reconciler';
import { RedisAuditLog } from '../redis/audit-log';
import type { RedisLockService } from '../redis/lock-service';
import { QueueWakingLockService } from '../redis/queue-waking-lock-service';
import { RedisDeployQueueIndex } from '../redis/deploy-queue-index';
import {
  BullmqQueueTriggers,
  createDeployQueueWorker,
  DEPLOY_QUEUE_NAME,
  type DeployQueueJob,
} from '../queue/deploy-queue-jobs';
import { ReleaseQueue, type WindowJudge } from './release-queue';
import { bestEffort } from './best-effort';
import { lockScopeResolver } from '../config/lock-groups';
import { RedisReleaseStore } from '../redis/release-store';
import type { StepHandler, StepPorts } from '../steps/step-handler';
import type { Release, StepName } from '../domain/release';
import { RequestBudget } from '../redis/request-budget';
import { BudgetedPlatform, ECS_READS_PER_SECOND } from './budgeted-platform';
import type { LogInsights } from '../ports/log-insights';
import { BatchedLogs } from './batched-logs';
import { BatchedTraffic } from './batched-traffic';
import { BatchedMetricData } from './batched-metric-data';
import { CloudWatchServiceMetrics } from '../aws/cloudwatch-metrics';
import type { MetricData } from '../ports/metric-data';
import { BudgetedLogs } from './budgeted-logs';
import { ReleaseService } from './release-service';
import { judgeSchedule, type ScheduleVerdict } from '../domain/schedule/schedule-verdict';
import { StepRunner } from './step-runner';

export interface EngineOptions {
  config: Config;
  /** A 'client' connection for the store, locks and audit log. */
  redis: Redis;
  /** A 'worker' connection (maxRetriesPerRequest: null) for BullMQ; needed when `worker` is on. */
  workerRedis?: Redis;
  /** Namespace of every Redis key: deploybot's own and BullMQ's. */
  prefix: string;
  /** The AWS adapters; with `insights`, error-log counts of many apps share Logs Insights queries. */
  aws: Omit<StepPorts, 'releases'> & { insights?: LogInsights };
  chat: ReleaseChat;
  clock: Clock;
  logger: Logger;
  /** Run a step worker in this process (DEPLOYBOT_ROLE worker or all). */
  worker: boolean;
  retry?: RetryPolicy;
  workerTiming?: Pick<StepWorkerOptions, 'lockDuration' | 'stalledInterval'>;
  /**
   * The reconciler's sweep interval (default: `engine.reconcileInterval`, else a
   * minute) and how long a release must be quiet before its missing job is
   * queued again (default 30 s; see ReconcileTiming).
   */
  reconcile?: { intervalMs?: number; quietMs?: number };
  handlers?: Record<StepName, StepHandler>;
  random?: () => number;
  metrics?: Metrics;
  /**
   * Where the queues' 'error' events go: BullMQ relays its connection's errors
   * there, and prints them to stderr when nobody listens. Logged when unset.
   */
  onQueueError?: (error: unknown) => void;
  /** The release windows the deploy queue waits for; unset, every time is in window. */
  windowOf?: WindowJudge;
}

export interface Engine {
  service: ReleaseService;
  runner: StepRunner;
  store: RedisReleaseStore;
  locks: RedisLockService;
  audit: RedisAuditLog;
  queue: Queue<StepJobData>;
  worker?: Worker<StepJobData>;
  /** Keeps active releases moving; swept on a schedule by workers, callable by tests. */
  reconciler: Reconciler;
  /** The deploy queues: `/deploy … --queue`, `--at`, `/deploy queue`; swept with the reconciler. */
  releaseQueue: ReleaseQueue;
  /** Lets running steps finish, then stops taking jobs. */
  close(): Promise<void>;
}

/** Wires the release engine from its adapters; main.ts and the tests both build it here. */
export function createEngine(options: EngineOptions): Engine {
  const { config, redis, prefix, clock, logger, chat } = options;
  const store = new RedisReleaseStore(redis, prefix);
  // Environments of one lock group (shared ECS service or database) share one lock.
  const locks = new QueueWakingLockService(redis, prefix, clock, lockScopeResolver(config));
  const audit = new RedisAuditLog(redis, prefix);
  const connection = options.workerRedis ?? redis;
  const queue = new Queue<StepJobData>(STEP_QUEUE_NAME, { connection, prefix: `${prefix}:bull` });
  const stepQueue = new BullmqStepQueue(queue, options.retry);
  const followUpQueue = new Queue<FollowUp>(FOLLOW_UP_QUEUE_NAME, { connection, prefix: `${prefix}:bull` });
  const followUps = new BullmqFollowUps(followUpQueue);
  const onQueueError =
    options.onQueueError ?? ((error: unknown) => logger.error({ err: error }, 'queue error'));
  const deployQueueJobs = new Queue<DeployQueueJob>(DEPLOY_QUEUE_NAME, {
    connection,
    prefix: `${prefix}:bull`,
  });
  queue.on('error', onQueueError);
  followUpQueue.on('error', onQueueError);
  deployQueueJobs.on('error', onQueueError);
  const logsBudget = new RequestBudget(redis, `${prefix}:logs-budget`, config.engine.logsRequestsPerSecond);
  const budgetedLogs = new BudgetedLogs(() => options.aws.logs, logsBudget);
  const runLeases = new RedisRunLeases(redis, prefix);
  const ecsReads = (group: string) =>
    new RequestBudget(redis, `${prefix}:ecs-${group}-reads`, ECS_READS_PER_SECOND);
  const ports: StepPorts = {
    ...options.aws,
    // Every release's deploy polls and monitoring samples together stay within ECS's read rate.
    platform: new BudgetedPlatform(options.aws.platform, {
      services: ecsReads('service'),
      taskDefinitions: ecsReads('task-definition'),
      tasks: ecsReads('task'),
    }),
    logs: new BatchedLogs(budgetedLogs, () => options.aws.insights, logsBudget, clock, logger),
    // The users' requests of every app sampling at one moment: one Insights query, same budget.
    accessLogs: new BatchedTraffic(budgetedLogs, () => options.aws.insights, logsBudget, clock, logger),
    releases: store,
    // Every app sampling at one moment shares GetMetricData calls: CPU and memory too.
    ...batchedMetrics(options.aws.metricData),
  };
  const runner = new StepRunner({
    config,
    store,
    locks,
    audit,
    chat,
    ports,
    clock,
    logger,
    followUps,
    ...(options.handlers ? { handlers: options.handlers } : {}),
    runLeases,
    // A run's lease lives as long as its job lock: see RunningSteps.
    runLeaseTtlMs: options.workerTiming?.lockDuration ?? DEFAULT_WORKER_TIMING.lockDuration,
  });
  const reconciler = new Reconciler(
    {
      config,
      store,
      locks,
      audit,
      chat,
      jobs: stepQueue,
      clock,
      logger,
      holdLock: (r) => runner.holdLock(r),
    },
    { startTimeoutMs: config.engine.startTimeout, quietMs: options.reconcile?.quietMs ?? 30_000 },
  );
  const service = new ReleaseService({
    config,
    store,
    locks,
    audit,
    chat,
    queue: stepQueue,
    clock,
    logger,
    followUps,
    // An approval's re-check reads ECS within the same budgets as the steps.
    platform: ports.platform,
    ...(options.random ? { random: options.random } : {}),
  });
  const queueIndex = new RedisDeployQueueIndex(redis, prefix, lockScopeResolver(config));
  const queueTriggers = new BullmqQueueTriggers(deployQueueJobs);
  const releaseQueue = new ReleaseQueue({
    config,
    store,
    locks,
    audit,
    chat,
    queue: stepQueue,
    clock,
    logger,
    index: queueIndex,
    triggers: queueTriggers,
    service,
    // The environment's schedule decides whether the head of a queue may run now.
    windowOf: options.windowOf ?? ((release, now) => scheduleOf(config, release, now)),
    ...(options.random ? { random: options.random } : {}),
  });
  // Whichever release frees a scope (ends, is cancelled, expires), its queue hears of it.
  locks.freed = (scope) =>
    bestEffort(logger, 'wake deploy queue', async () => {
      if (!(await queueIndex.isEmpty(scope))) await queueTriggers.advanceNow(scope);
    });
  // Monitoring proposes through the service; with `rollback.auto` it also approves.
  runner.rollbackProposer = async (release, reason) => {
    const proposal = await service.proposeRollback({
      app: release.app,
      environment: release.environment,
      requestedBy: 'deploybot',
      reason,
      releaseId: release.id,
    });
    const env = config.apps[release.app]?.environments[release.environment];
    if (env?.rollback.auto) await service.approveRollback(proposal.id, 'deploybot');
    return proposal.id;
  };
  runner.afterRollback = (release) => service.offerDatabaseRollback(release);
  runner.rollbackWithdrawer = async (proposalId, reason) => {
    await service.withdrawProposal(proposalId, reason);
  };
  let worker: Worker<StepJobData> | undefined;
  let followUpWorker: Worker<FollowUp> | undefined;
  let reconcileSchedule: ReconcileSchedule | undefined;
  let deployQueueWorker: Worker<DeployQueueJob> | undefined;
  if (options.worker) {
    if (!options.workerRedis) {
      throw new Error('a worker needs a worker Redis connection (maxRetriesPerRequest: null)');
    }
    const followUpRunner = new FollowUpRunner({
      config,
      store,
      chat,
      ports,
      clock,
      scheduler: followUps,
      logger,
      proposals: service,
    });
    followUpWorker = createFollowUpWorker((f) => followUpRunner.run(f), logger, {
      connection: options.workerRedis,
      prefix: `${prefix}:bull`,
    });
    worker = createStepWorker(runner, stepQueue, runLeases, logger, {
      connection: options.workerRedis,
      prefix: `${prefix}:bull`,
      concurrency: config.engine.concurrency,
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...options.workerTiming,
    });
    deployQueueWorker = createDeployQueueWorker(releaseQueue, logger, {
      connection: options.workerRedis,
      prefix: `${prefix}:bull`,
      pollMs: config.engine.pollInterval,
    });
    // The queues' safety net rides on the reconciler's schedule: a lost wake-up waits one sweep at most.
    const sweep = async () => {
      const report = await reconciler.sweep();
      await releaseQueue.sweep();
      return report;
    };
    reconcileSchedule = new ReconcileSchedule(sweep, logger, {
      connection: options.workerRedis,
      prefix: `${prefix}:bull`,
      intervalMs: options.reconcile?.intervalMs ?? reconcileIntervalOf(config),
    });
    const started = reconcileSchedule.start();
    started.catch((err: unknown) => logger.error({ err }, 'could not schedule the reconciler'));
  }
  return {
    service,
    runner,
    store,
    locks,
    audit,
    queue,
    ...(worker ? { worker } : {}),
    reconciler,
    releaseQueue,
    async close() {
      await reconcileSchedule?.close();
      await deployQueueWorker?.close();
      await worker?.close();
      await followUpWorker?.close();
      await queue.close();
      await followUpQueue.close();
      await deployQueueJobs.close();
    },
  };
}

/** The metric reads of all apps through one batcher, CPU and memory included; nothing when not wired. */
function batchedMetrics(metricData: MetricData | undefined): Pick<StepPorts, 'metricData' | 'metrics'> {
  if (!metricData) return {};
  const batched = new BatchedMetricData(metricData);
  return { metricData: batched, metrics: new CloudWatchServiceMetrics(batched) };
}

/** The schedule of a release's environment applied to it now; see src/domain/schedule. */
function scheduleOf(config: Config, release: Release, now: number): ScheduleVerdict {
  const schedule = config.apps[release.app]?.environments[release.environment]?.schedule;
  return judgeSchedule(schedule, release.type, now, release.environment);
}
