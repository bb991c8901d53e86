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
import { createStepWorker, type StepWorkerOptions } from '../queue/step-worker';
import { RedisAuditLog } from '../redis/audit-log';
import { RedisLockService } from '../redis/lock-service';
import { RedisReleaseStore } from '../redis/release-store';
import type { StepHandler, StepPorts } from '../steps/step-handler';
import type { StepName } from '../domain/release';
import { RequestBudget } from '../redis/request-budget';
import type { LogInsights } from '../ports/log-insights';
import { BatchedLogs } from './batched-logs';
import { BatchedTraffic } from './batched-traffic';
import { BatchedMetricData } from './batched-metric-data';
import { CloudWatchServiceMetrics } from '../aws/cloudwatch-metrics';
import type { MetricData } from '../ports/metric-data';
import { BudgetedLogs } from './budgeted-logs';
import { ReleaseService } from './release-service';
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
  handlers?: Record<StepName, StepHandler>;
  random?: () => number;
  metrics?: Metrics;
}

export interface Engine {
  service: ReleaseService;
  runner: StepRunner;
  store: RedisReleaseStore;
  locks: RedisLockService;
  audit: RedisAuditLog;
  queue: Queue<StepJobData>;
  worker?: Worker<StepJobData>;
  /** Lets running steps finish, then stops taking jobs. */
  close(): Promise<void>;
}

/** Wires the release engine from its adapters; main.ts and the tests both build it here. */
export function createEngine(options: EngineOptions): Engine {
  const { config, redis, prefix, clock, logger, chat } = options;
  const store = new RedisReleaseStore(redis, prefix);
  const locks = new RedisLockService(redis, prefix, clock);
  const audit = new RedisAuditLog(redis, prefix);
  const connection = options.workerRedis ?? redis;
  const queue = new Queue<StepJobData>(STEP_QUEUE_NAME, { connection, prefix: `${prefix}:bull` });
  const stepQueue = new BullmqStepQueue(queue, options.retry);
  const followUpQueue = new Queue<FollowUp>(FOLLOW_UP_QUEUE_NAME, { connection, prefix: `${prefix}:bull` });
  const followUps = new BullmqFollowUps(followUpQueue);
  const logsBudget = new RequestBudget(redis, `${prefix}:logs-budget`, config.engine.logsRequestsPerSecond);
  const budgetedLogs = new BudgetedLogs(() => options.aws.logs, logsBudget);
  const ports: StepPorts = {
    ...options.aws,
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
  });
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
    platform: options.aws.platform,
    ...(options.random ? { random: options.random } : {}),
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
    worker = createStepWorker(runner, stepQueue, logger, {
      connection: options.workerRedis,
      prefix: `${prefix}:bull`,
      concurrency: config.engine.concurrency,
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...options.workerTiming,
    });
  }
  return {
    service,
    runner,
    store,
    locks,
    audit,
    queue,
    ...(worker ? { worker } : {}),
    async close() {
      await worker?.close();
      await followUpWorker?.close();
      await queue.close();
      await followUpQueue.close();
    },
  };
}

/** The metric reads of all apps through one batcher, CPU and memory included; nothing when not wired. */
function batchedMetrics(metricData: MetricData | undefined): Pick<StepPorts, 'metricData' | 'metrics'> {
  if (!metricData) return {};
  const batched = new BatchedMetricData(metricData);
  return { metricData: batched, metrics: new CloudWatchServiceMetrics(batched) };
}
