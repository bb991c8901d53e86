import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from '../logging/logger';

export const RECONCILE_QUEUE_NAME = 'deploybot-reconcile';
const SCHEDULER_ID = 'reconcile-every';

/**
 * The reconciler's sweeps as BullMQ jobs on their own small queue: a job
 * scheduler produces one sweep job per interval however many workers run (so
 * sweeps survive restarts and no timer per process competes), and each worker
 * adds one more sweep when it starts, so that a release orphaned by the crash
 * it restarts after is picked up at once. Workers take sweeps one at a time;
 * two sweeps overlapping (the start-up one and a scheduled one on another
 * worker) do no harm: every action of a sweep is a compare-and-set or a
 * deduplicated add.
 */
export class ReconcileSchedule {
  private readonly queue: Queue;
  private readonly worker: Worker;

  constructor(
    sweep: () => Promise<unknown>,
    logger: Logger,
    private readonly options: { connection: ConnectionOptions; prefix: string; intervalMs: number },
  ) {
    const { connection, prefix } = options;
    this.queue = new Queue(RECONCILE_QUEUE_NAME, { connection, prefix });
    this.worker = new Worker(RECONCILE_QUEUE_NAME, async () => sweep(), {
      connection,
      prefix,
      concurrency: 1,
    });
    this.queue.on('error', (err) => logger.error({ err }, 'reconcile queue error'));
    this.worker.on('failed', (_job, err) => logger.warn({ err }, 'reconcile sweep failed'));
    this.worker.on('error', (err) => logger.error({ err }, 'reconcile worker error'));
  }

  /** Schedules the sweeps (idempotent across workers) and queues one for now. */
  async start(): Promise<void> {
    const finished = { removeOnComplete: { count: 50 }, removeOnFail: { count: 50 } };
    await this.queue.upsertJobScheduler(
      SCHEDULER_ID,
      { every: this.options.intervalMs },
      { name: 'sweep', opts: finished },
    );
    await this.queue.add('startup-sweep', {}, finished);
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.queue.close();
  }
}
