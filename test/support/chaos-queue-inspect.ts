import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { systemClock } from '../../src/ports/clock';
import type { LockHolder, LockScope } from '../../src/ports/lock';
import { DEPLOY_QUEUE_NAME, type DeployQueueJob } from '../../src/queue/deploy-queue-jobs';
import { RECONCILE_QUEUE_NAME } from '../../src/queue/reconcile-schedule';
import { createRedis } from '../../src/redis/connection';
import { RedisDeployQueueIndex } from '../../src/redis/deploy-queue-index';
import { RedisLockService } from '../../src/redis/lock-service';
import type { ChaosCluster } from './chaos-cluster';

/** One BullMQ job of the deploy queue or the reconciler, as Redis keeps it once done. */
export interface QueueJobRun {
  queue: 'deploy-queue' | 'reconcile';
  name: string;
  id: string;
  data: unknown;
  addedAt: number;
  processedAt?: number;
  finishedAt?: number;
  attempts: number;
  failedReason?: string;
}

const STATES = [
  'completed',
  'failed',
  'active',
  'wait',
  'delayed',
  'prioritized',
  'waiting-children',
] as const;

/**
 * What the bots left in Redis about the deploy queue, read with a connection
 * of the test's own: the queue's index, the scope's lock, and the jobs that
 * moved the queue (wake-ups, start-when-ready, sweeps), to tell which of them
 * took a release out of its queue.
 */
export class QueueInspector {
  private readonly redis: Redis;
  private readonly index: RedisDeployQueueIndex;
  private readonly locks: RedisLockService;
  private readonly queues: { name: QueueJobRun['queue']; queue: Queue }[];

  constructor(cluster: ChaosCluster) {
    this.redis = createRedis(cluster.redis.url, 'client');
    this.index = new RedisDeployQueueIndex(this.redis, cluster.prefix);
    this.locks = new RedisLockService(this.redis, cluster.prefix, systemClock);
    const options = { connection: this.redis, prefix: `${cluster.prefix}:bull` };
    this.queues = [
      { name: 'deploy-queue', queue: new Queue<DeployQueueJob>(DEPLOY_QUEUE_NAME, options) },
      { name: 'reconcile', queue: new Queue(RECONCILE_QUEUE_NAME, options) },
    ];
  }

  queuedIds(scope: LockScope): Promise<string[]> {
    return this.index.ids(scope);
  }

  lockHolder(scope: LockScope): Promise<LockHolder | undefined> {
    return this.locks.holder(scope);
  }

  /** Every job of both queues still in Redis, oldest first. */
  async jobs(): Promise<QueueJobRun[]> {
    const runs: QueueJobRun[] = [];
    for (const { name, queue } of this.queues) {
      const jobs = (await queue.getJobs([...STATES], 0, -1, true)) as Job[];
      for (const job of jobs) {
        runs.push({
          queue: name,
          name: job.name,
          id: String(job.id),
          data: job.data,
          addedAt: job.timestamp,
          ...(job.processedOn !== undefined ? { processedAt: job.processedOn } : {}),
          ...(job.finishedOn !== undefined ? { finishedAt: job.finishedOn } : {}),
          attempts: job.attemptsMade,
          ...(job.failedReason ? { failedReason: job.failedReason } : {}),
        });
      }
    }
    return runs.sort((a, b) => a.addedAt - b.addedAt);
  }

  async close(): Promise<void> {
    for (const { queue } of this.queues) await queue.close().catch(() => undefined);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
