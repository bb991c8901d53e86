import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { StepRunner } from '../src/engine/step-runner';
import type { Metrics } from '../src/http/metrics';
import type { StepQueue } from '../src/ports/step-queue';
import type { RunningSteps } from '../src/queue/running-steps';
import type { StepJobData } from '../src/queue/step-jobs';

/** A lease that should lapse any moment is waited for a little past its expiry. */
const LEASE_MARGIN_MS = 50;

/**
 * The BullMQ processor for release steps: run one step, then queue the next,
 * poll again later without holding the worker, retry, or stop for good.
 * The job's lock token is the run's lease owner, so the lease follows the job.
 */
export function createStepProcessor(
  runner: StepRunner,
  queue: StepQueue,
  running: RunningSteps,
  metrics?: Metrics,
) {
  return async function processStep(job: Job<StepJobData>, token?: string): Promise<string> {
    const { releaseId, step } = job.data;
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const timer = metrics?.stepRunSeconds.startTimer({ step });
    const runToken = running.begin(job.id, releaseId, token);
    const result = await runner
      .run(releaseId, step, { finalAttempt, runToken })
      .finally(() => running.end(job.id));
    timer?.();
    metrics?.stepRuns.inc({ step, result: result.kind });
    switch (result.kind) {
      case 'next':
        await queue.enqueue(releaseId, result.step);
        return `next: ${result.step}`;
      case 'wait':
        await job.moveToDelayed(Date.now() + result.delayMs, token);
        throw new DelayedError();
      case 'lease_busy':
        await job.moveToDelayed(Date.now() + result.retryInMs + LEASE_MARGIN_MS, token);
        throw new DelayedError();
      case 'retry':
        throw result.error;
      case 'failed':
        throw new UnrecoverableError(`${result.error.code}: ${result.error.message}`);
      case 'completed':
        return 'release completed';
      case 'ignored':
        return `ignored: ${result.reason}`;
      case 'lease_lost':
        return 'ignored: another run took over';
      case 'parked':
        return 'done; the release waits for Start';
    }
  };
}
