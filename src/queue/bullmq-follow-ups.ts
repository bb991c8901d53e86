import { Worker, type ConnectionOptions, type Job, type Queue } from 'bullmq';
import type { Logger } from '../logging/logger';
import type { FollowUp, FollowUpScheduler } from '../ports/follow-ups';

export const FOLLOW_UP_QUEUE_NAME = 'deploybot-follow-ups';

/** Job ids may not contain `:`; release ids, kinds and numbers never do. */
export function followUpJobId(f: FollowUp): string {
  return `${f.releaseId}-${f.kind}-${f.afterMs}-${f.round ?? 0}`;
}

export class BullmqFollowUps implements FollowUpScheduler {
  constructor(private readonly queue: Queue<FollowUp>) {}

  async schedule(followUp: FollowUp): Promise<void> {
    await this.queue.add(followUp.kind, followUp, {
      jobId: followUpJobId(followUp),
      delay: followUp.afterMs,
      attempts: 5,
      backoff: { type: 'exponential', delay: 30_000 },
      removeOnComplete: { age: 30 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    });
  }
}

export function createFollowUpWorker(
  run: (followUp: FollowUp) => Promise<void>,
  logger: Logger,
  options: { connection: ConnectionOptions; prefix: string },
): Worker<FollowUp> {
  const worker = new Worker<FollowUp>(FOLLOW_UP_QUEUE_NAME, async (job: Job<FollowUp>) => run(job.data), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: 2,
  });
  worker.on('error', (error) => logger.error({ err: error }, 'follow-up worker error'));
  return worker;
}
