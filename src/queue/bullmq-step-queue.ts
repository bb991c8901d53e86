import type { Queue } from 'bullmq';
import type { JobPresence } from '../domain/reconcile';
import type { StepName } from '../domain/release';
import type { StepJobs } from '../engine/reconciler';
import type { StepQueue } from '../ports/step-queue';
import { DEFAULT_RETRY, stepJobId, type RetryPolicy, type StepJobData } from './step-jobs';

const DAY_S = 24 * 3600;

/** States in which BullMQ will still run the job by itself. */
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export class BullmqStepQueue implements StepQueue, StepJobs {
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

  async presence(releaseId: string, step: StepName): Promise<JobPresence> {
    const state = await this.queue.getJobState(stepJobId(releaseId, step));
    if (LIVE_STATES.has(state)) return 'live';
    return state === 'completed' || state === 'failed' ? 'finished' : 'missing';
  }

  /**
   * Queues the step again. A finished job of the same id would make the add a
   * no-op (that is what dedupes it), so it is removed first; BullMQ refuses to
   * remove a job that became active meanwhile, and the add then dedupes on it.
   */
  async requeue(releaseId: string, step: StepName, replaceFinished: boolean): Promise<void> {
    if (replaceFinished) {
      const job = await this.queue.getJob(stepJobId(releaseId, step));
      const state = job ? await job.getState() : 'unknown';
      if (job && (state === 'completed' || state === 'failed')) await job.remove();
    }
    await this.enqueue(releaseId, step);
  }
}
