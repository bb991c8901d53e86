import type { StepName } from '../domain/release';

export const STEP_QUEUE_NAME = 'deploybot-steps';

export interface StepJobData {
  releaseId: string;
  step: StepName;
}

/** BullMQ job ids may not contain `:`; release ids and step names never do. */
export function stepJobId(releaseId: string, step: StepName): string {
  return `${releaseId}-${step}`;
}

/**
 * Transient AWS errors retry with exponential backoff: 5 s, 10 s, 20 s … about
 * ten minutes in all before the release fails. Polls of slow operations are not
 * attempts: they are delayed re-runs.
 */
export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, backoffMs: 5_000 };
