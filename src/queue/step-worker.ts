import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { StepRunner } from '../engine/step-runner';
import type { Metrics } from '../http/metrics';
import type { Logger } from '../logging/logger';
import type { RunLeases } from '../ports/run-lease';
import type { StepQueue } from '../ports/step-queue';
import { createStepProcessor } from '../../jobs/step-processor';
import { RunningSteps } from './running-steps';
import { STEP_QUEUE_NAME, type StepJobData } from './step-jobs';

/**
 * How fast a dead worker's step moves to another worker (issue: within 15 s).
 *
 * BullMQ keeps a job's lock `lockDuration` ms and renews it every
 * lockDuration/4 to lockDuration/2 while the worker lives. Every
 * `stalledInterval` one worker (whichever gets there first: the check takes a
 * key for that long) moves to wait every job it marked in its previous check
 * whose lock is gone, then marks all active jobs again; a renewal unmarks a job.
 * So for a worker killed at t0:
 * - its locks are gone by t0 + lockDuration (renewed at the latest at t0);
 * - the job was marked by a check after its last renewal, at the latest by the
 *   first check of a surviving worker, within 2 × stalledInterval of t0, which is
 *   before the lock is gone as long as lockDuration ≥ 2 × stalledInterval;
 * - the first check after the lock is gone moves it: within stalledInterval.
 * Worst case lockDuration + stalledInterval = 8 s + 3 s = 11 s, plus the moment a
 * free worker needs to fetch it (BullMQ wakes blocked workers at once): 4 s
 * of margin on 15 s. Typically it is about 5–8 s.
 *
 * Why not shorter: a lock of 8 s survives a missed renewal (an event loop busy for
 * up to ~4 s, a Redis blip); a stall of a live worker is harmless (the run
 * lease stops the older run before its next side effect) but costs a re-run.
 */
export const DEFAULT_WORKER_TIMING = { lockDuration: 8_000, stalledInterval: 3_000 };

/**
 * Stalls one job may survive before BullMQ fails it. A monitoring job lives for
 * hours or days (the same job, delayed between samples) and every worker restart
 * or Redis outage during it is a stall; only a job that kills its worker again and
 * again should fail its release.
 */
const MAX_STALLED_COUNT = 10;

/** BullMQ's words for a job lock this worker no longer holds. */
const LOST_JOB_LOCK = /could not renew lock|Missing lock for job/i;

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
  leases: RunLeases,
  logger: Logger,
  options: StepWorkerOptions,
): Worker<StepJobData> {
  const lockDuration = options.lockDuration ?? DEFAULT_WORKER_TIMING.lockDuration;
  const running = new RunningSteps(leases, lockDuration, logger);
  const worker = new Worker<StepJobData>(
    STEP_QUEUE_NAME,
    createStepProcessor(runner, queue, running, options.metrics),
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration,
      stalledInterval: options.stalledInterval ?? DEFAULT_WORKER_TIMING.stalledInterval,
      maxStalledCount: MAX_STALLED_COUNT,
    },
  );
  worker.on('locksRenewed', ({ jobIds }: { jobIds: string[] }) => void running.renewed(jobIds));
  worker.on('failed', (job: Job<StepJobData> | undefined, error: Error) => {
    if (!job) return;
    const { releaseId, step } = job.data;
    const terminal = job.attemptsMade >= (job.opts.attempts ?? 1) || error.name === 'UnrecoverableError';
    if (!terminal && !/stalled/i.test(error.message)) return;
    void runner
      .fail(releaseId, step, { code: 'job_failed', message: error.message })
      .catch((err: unknown) => logger.error({ err, releaseId, step }, 'could not mark the release failed'));
  });
  worker.on('error', (error) => {
    // After a pause longer than lockDuration (Redis away, a frozen process) BullMQ
    // hands the job to another worker and this one's lock calls fail. The run
    // lease already stopped this run from acting, so this is expected, not an error.
    if (LOST_JOB_LOCK.test(error.message))
      logger.warn({ err: error }, 'step job taken over by another worker');
    else logger.error({ err: error }, 'step worker error');
  });
  return worker;
}
