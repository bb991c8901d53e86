import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { StepRunner } from '../src/engine/step-runner';
import type { Metrics } from '../src/http/metrics';
import type { StepQueue } from '../src/ports/step-queue';
import type { StepJobData } from '../src/queue/step-jobs';

/**
 * The BullMQ processor for release steps: run one step, then queue the next,
 * poll again later without holding the worker, retry, or stop for good.
 */
export function createStepProcessor(runner: StepRunner, queue: StepQueue, metrics?: Metrics) {
  return async function processStep(job: Job<StepJobData>, token?: string): Promise<string> {
    const { releaseId, step } = job.data;
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const timer = metrics?.stepRunSeconds.startTimer({ step });
    const result = await runner.run(releaseId, step, { finalAttempt });
    timer?.();
    metrics?.stepRuns.inc({ step, result: result.kind });
    switch (result.kind) {
      case 'next':
        await queue.enqueue(releaseId, result.step);
        return `next: ${result.step}`;
      case 'wait':
        await job.moveToDelayed(Date.now() + result.delayMs, token);
        throw new DelayedError();
      case 'retry':
        throw result.error;
      case 'failed':
        throw new UnrecoverableError(`${result.error.code}: ${result.error.message}`);
      case 'completed':
        return 'release completed';
      case 'ignored':
        return `ignored: ${result.reason}`;
      case 'parked':
        return 'done; the release waits for Start';
    }
  };
}
