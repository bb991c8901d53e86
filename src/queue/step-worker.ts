import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { StepRunner } from '../engine/step-runner';
import type { Metrics } from '../http/metrics';
import type { Logger } from '../logging/logger';
import type { StepQueue } from '../ports/step-queue';
import { createStepProcessor } from '../../jobs/step-processor';
import { STEP_QUEUE_NAME, type StepJobData } from './step-jobs';

export interface StepWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  /** How long a worker may go silent before its job is handed to another worker. */
  lockDuration?: number;
  stalledInterval?: number;
  metrics?: Metrics;
}

/**
 * A BullMQ worker for release steps. A job that BullMQ gives up on (stalled too
 * often, or out of retries in a way the runner did not see) still fails its
 * release, so no release is left running with nothing to run it.
 */
export function createStepWorker(
  runner: StepRunner,
  queue: StepQueue,
  logger: Logger,
  options: StepWorkerOptions,
): Worker<StepJobData> {
  const worker = new Worker<StepJobData>(
    STEP_QUEUE_NAME,
    createStepProcessor(runner, queue, options.metrics),
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDuration ?? 60_000,
      stalledInterval: options.stalledInterval ?? 30_000,
      // A release step redelivered after a crash resumes safely, so allow a second stall.
      maxStalledCount: 2,
    },
  );
  worker.on('failed', (job: Job<StepJobData> | undefined, error: Error) => {
    if (!job) return;
    const { releaseId, step } = job.data;
    const terminal = job.attemptsMade >= (job.opts.attempts ?? 1) || error.name === 'UnrecoverableError';
    if (!terminal && !/stalled/i.test(error.message)) return;
    void runner
      .fail(releaseId, step, { code: 'job_failed', message: error.message })
      .catch((err: unknown) => logger.error({ err, releaseId, step }, 'could not mark the release failed'));
  });
  worker.on('error', (error) => logger.error({ err: error }, 'step worker error'));
  return worker;
}
