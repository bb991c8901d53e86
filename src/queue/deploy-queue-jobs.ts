import { DelayedError, Worker, type ConnectionOptions, type Job, type Queue } from 'bullmq';
import type { Logger } from '../logging/logger';
import type { LockScope } from '../ports/lock';
import type { QueueTriggers } from '../engine/release-queue';

export const DEPLOY_QUEUE_NAME = 'deploybot-deploy-queue';

/**
 * What moves the deploy queues, as BullMQ jobs so that nothing waits in a
 * process's memory: `advance` looks at one scope's queue (after a release
 * freed its lock, a release joined, a question was answered, or at a time a
 * scheduled release becomes eligible); `start-when-ready` watches a release
 * that left the queue until its preflight has run, then starts it or calls its
 * requester.
 */
export type DeployQueueJob =
  { kind: 'advance'; app: string; environment: string } | { kind: 'start-when-ready'; releaseId: string };

const DAY_S = 24 * 3600;
/** Finished jobs are kept a day: a delayed wake-up added twice for one moment is then one job. */
const KEEP = { removeOnComplete: { age: DAY_S }, removeOnFail: { age: 7 * DAY_S } };

/** BullMQ job ids may not contain `:`; app and group names are encoded. */
function scopeId(scope: LockScope): string {
  return `${encodeURIComponent(scope.app)}~${encodeURIComponent(scope.environment)}`;
}

export class BullmqQueueTriggers implements QueueTriggers {
  constructor(private readonly queue: Queue<DeployQueueJob>) {}

  /**
   * No job id: a wake-up must never be swallowed by one already running for
   * the same scope (it may have read the queue before the change it is for).
   * Two advances at once are harmless: the lock and a compare-and-set decide.
   */
  async advanceNow(scope: LockScope): Promise<void> {
    await this.queue.add(
      'advance',
      { kind: 'advance', ...scope },
      { attempts: 5, backoff: { type: 'exponential', delay: 1_000 }, ...KEEP },
    );
  }

  /** One job per scope and moment, however many times it is asked for. */
  async advanceAt(scope: LockScope, at: number, now: number): Promise<void> {
    await this.queue.add(
      'advance',
      { kind: 'advance', ...scope },
      {
        jobId: `advance-${scopeId(scope)}-at-${at}`,
        delay: Math.max(0, at - now),
        attempts: 5,
        backoff: { type: 'exponential', delay: 1_000 },
        ...KEEP,
      },
    );
  }

  async startWhenReady(releaseId: string): Promise<void> {
    await this.queue.add(
      'start-when-ready',
      { kind: 'start-when-ready', releaseId },
      { jobId: `ready-${releaseId}`, attempts: 5, backoff: { type: 'exponential', delay: 1_000 }, ...KEEP },
    );
  }
}

export interface DeployQueueHandlers {
  advance(scope: LockScope): Promise<unknown>;
  /** 'waiting' while preflight still runs: the job looks again after `pollMs`. */
  startWhenReady(releaseId: string): Promise<'waiting' | 'done'>;
}

export function createDeployQueueWorker(
  handlers: DeployQueueHandlers,
  logger: Logger,
  options: { connection: ConnectionOptions; prefix: string; pollMs: number },
): Worker<DeployQueueJob> {
  const worker = new Worker<DeployQueueJob>(
    DEPLOY_QUEUE_NAME,
    async (job: Job<DeployQueueJob>, token?: string) => {
      const data = job.data;
      if (data.kind === 'advance') {
        await handlers.advance({ app: data.app, environment: data.environment });
        return 'advanced';
      }
      if ((await handlers.startWhenReady(data.releaseId)) === 'done') return 'done';
      // Looked at again later without holding the worker, as a step that polls AWS is.
      await job.moveToDelayed(Date.now() + options.pollMs, token);
      throw new DelayedError();
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 4 },
  );
  worker.on('failed', (job, err) => logger.warn({ err, job: job?.data }, 'deploy queue job failed'));
  worker.on('error', (err) => logger.error({ err }, 'deploy queue worker error'));
  return worker;
}
