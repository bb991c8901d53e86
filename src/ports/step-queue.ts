import type { StepName } from '../domain/release';

/**
 * Where step jobs wait for a worker. Implemented on BullMQ (src/queue/).
 * Invariant: a job is identified by release and step, so enqueueing the same
 * step of the same release twice is a no-op.
 */
export interface StepQueue {
  enqueue(releaseId: string, step: StepName): Promise<void>;
}
