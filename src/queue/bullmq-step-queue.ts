import type { Queue } from 'bullmq';
import type { StepName } from '../domain/release';
import type { StepQueue } from '../ports/step-queue';
import { DEFAULT_RETRY, stepJobId, type RetryPolicy, type StepJobData } from './step-jobs';

const DAY_S = 24 * 3600;

export class BullmqStepQueue implements StepQueue {
  constructor(
    private readonly queue: Queue<StepJobData>,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  async enqueue(releaseId: string, step: StepName): Promise<void> {
    // Same job id for the same release and step: BullMQ ignores the second add,
    // and keeping finished jobs for a week keeps that true after they ran.
    await this.queue.add(
      step,
      { releaseId, step },
      {
        jobId: stepJobId(releaseId, step),
        attempts: this.retry.attempts,
        backoff: { type: 'exponential', delay: this.retry.backoffMs },
        removeOnComplete: { age: 7 * DAY_S },
        removeOnFail: { age: 30 * DAY_S },
      },
    );
  }
}
