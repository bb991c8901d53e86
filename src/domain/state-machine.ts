import { DeploybotError } from './errors';
import type { ReleaseState, StepState } from './release';

/**
 * The release lifecycle as data. A release is created awaiting its start (the
 * checklist) or queued behind others, runs its steps in order and ends in
 * exactly one final state.
 */
export type ReleaseEvent = 'dequeue' | 'start' | 'complete' | 'fail' | 'cancel' | 'roll_back';

export const RELEASE_TRANSITIONS: Record<ReleaseState, Partial<Record<ReleaseEvent, ReleaseState>>> = {
  // At the head of its queue a release takes the lock and runs its preflight like a requested one.
  queued: { dequeue: 'awaiting_start', cancel: 'cancelled' },
  awaiting_start: { start: 'running', cancel: 'cancelled', fail: 'failed' },
  // An approved rollback ends the release it replaces, mid-monitoring or mid-rollout.
  running: { complete: 'succeeded', fail: 'failed', cancel: 'cancelled', roll_back: 'rolled_back' },
  succeeded: {},
  failed: {},
  cancelled: {},
  rolled_back: {},
};

/**
 * A step is pending until a worker picks it up; `waiting` means it started
 * something slow in AWS and polls it with delayed re-runs, holding no worker.
 */
export type StepEvent = 'begin' | 'wait' | 'succeed' | 'fail' | 'skip';

export const STEP_TRANSITIONS: Record<StepState, Partial<Record<StepEvent, StepState>>> = {
  pending: { begin: 'running', skip: 'skipped', fail: 'failed' },
  running: { begin: 'running', wait: 'waiting', succeed: 'succeeded', fail: 'failed' },
  waiting: { begin: 'running', fail: 'failed' },
  succeeded: {},
  failed: {},
  skipped: {},
};

export class IllegalTransitionError extends DeploybotError {
  constructor(what: string, from: string, event: string) {
    super('illegal_transition', `${what} cannot ${event} while ${from}`);
  }
}

export function nextReleaseState(from: ReleaseState, event: ReleaseEvent): ReleaseState {
  const to = RELEASE_TRANSITIONS[from][event];
  if (!to) throw new IllegalTransitionError('a release', from, event);
  return to;
}

export function nextStepState(from: StepState, event: StepEvent): StepState {
  const to = STEP_TRANSITIONS[from][event];
  if (!to) throw new IllegalTransitionError('a step', from, event);
  return to;
}
