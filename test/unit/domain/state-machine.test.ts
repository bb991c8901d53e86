import assert from 'node:assert/strict';
import {
  IllegalTransitionError,
  RELEASE_TRANSITIONS,
  STEP_TRANSITIONS,
  nextReleaseState,
  nextStepState,
  type ReleaseEvent,
  type StepEvent,
} from '../../../src/domain/state-machine';
import type { ReleaseState, StepState } from '../../../src/domain/release';

const RELEASE_STATES: ReleaseState[] = [
  'queued',
  'awaiting_start',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'rolled_back',
];
const RELEASE_EVENTS: ReleaseEvent[] = ['dequeue', 'start', 'complete', 'fail', 'cancel', 'roll_back'];
const STEP_STATES: StepState[] = ['pending', 'running', 'waiting', 'succeeded', 'failed', 'skipped'];
const STEP_EVENTS: StepEvent[] = ['begin', 'wait', 'succeed', 'fail', 'skip'];

/**
 * The lifecycle written out independently of the source table: every pair not
 * listed here must be refused.
 */
const ALLOWED_RELEASE: Record<string, ReleaseState> = {
  'queued+dequeue': 'awaiting_start',
  'queued+cancel': 'cancelled',
  'awaiting_start+start': 'running',
  'awaiting_start+cancel': 'cancelled',
  'awaiting_start+fail': 'failed',
  'running+complete': 'succeeded',
  'running+fail': 'failed',
  'running+cancel': 'cancelled',
  'running+roll_back': 'rolled_back',
};

const ALLOWED_STEP: Record<string, StepState> = {
  'pending+begin': 'running',
  'pending+skip': 'skipped',
  'pending+fail': 'failed',
  'running+begin': 'running',
  'running+wait': 'waiting',
  'running+succeed': 'succeeded',
  'running+fail': 'failed',
  'waiting+begin': 'running',
  'waiting+fail': 'failed',
};

function assertIllegal(fn: () => unknown, what: string, from: string, event: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof IllegalTransitionError);
    assert.equal(error.code, 'illegal_transition');
    assert.equal(error.message, `${what} cannot ${event} while ${from}`);
    return true;
  });
}

describe('release state machine', () => {
  for (const from of RELEASE_STATES) {
    for (const event of RELEASE_EVENTS) {
      const to = ALLOWED_RELEASE[`${from}+${event}`];
      if (to) {
        it(`moves a ${from} release to ${to} on ${event}`, () => {
          assert.equal(nextReleaseState(from, event), to);
        });
      } else {
        it(`refuses to ${event} a release that is ${from}`, () => {
          assertIllegal(() => nextReleaseState(from, event), 'a release', from, event);
        });
      }
    }
  }

  it('has a table entry for every release state and only the expected targets', () => {
    assert.deepEqual(Object.keys(RELEASE_TRANSITIONS).sort(), [...RELEASE_STATES].sort());
    const listed = Object.entries(RELEASE_TRANSITIONS).flatMap(([from, events]) =>
      Object.entries(events).map(([event, to]) => [`${from}+${event}`, to]),
    );
    assert.deepEqual(Object.fromEntries(listed), ALLOWED_RELEASE);
  });

  for (const final of ['succeeded', 'failed', 'cancelled', 'rolled_back'] as const) {
    it(`gives a ${final} release no way out`, () => {
      assert.deepEqual(RELEASE_TRANSITIONS[final], {});
      for (const event of RELEASE_EVENTS) {
        assert.throws(() => nextReleaseState(final, event), IllegalTransitionError);
      }
    });
  }

  it('refuses to start a release that already failed', () => {
    assertIllegal(() => nextReleaseState('failed', 'start'), 'a release', 'failed', 'start');
  });

  it('refuses to complete a release that never started', () => {
    assertIllegal(
      () => nextReleaseState('awaiting_start', 'complete'),
      'a release',
      'awaiting_start',
      'complete',
    );
  });
});

describe('step state machine', () => {
  for (const from of STEP_STATES) {
    for (const event of STEP_EVENTS) {
      const to = ALLOWED_STEP[`${from}+${event}`];
      if (to) {
        it(`moves a ${from} step to ${to} on ${event}`, () => {
          assert.equal(nextStepState(from, event), to);
        });
      } else {
        it(`refuses to ${event} a step that is ${from}`, () => {
          assertIllegal(() => nextStepState(from, event), 'a step', from, event);
        });
      }
    }
  }

  it('has a table entry for every step state and only the expected targets', () => {
    assert.deepEqual(Object.keys(STEP_TRANSITIONS).sort(), [...STEP_STATES].sort());
    const listed = Object.entries(STEP_TRANSITIONS).flatMap(([from, events]) =>
      Object.entries(events).map(([event, to]) => [`${from}+${event}`, to]),
    );
    assert.deepEqual(Object.fromEntries(listed), ALLOWED_STEP);
  });

  for (const final of ['succeeded', 'failed', 'skipped'] as const) {
    it(`gives a ${final} step no way out`, () => {
      assert.deepEqual(STEP_TRANSITIONS[final], {});
      for (const event of STEP_EVENTS) {
        assert.throws(() => nextStepState(final, event), IllegalTransitionError);
      }
    });
  }

  it('lets a running step begin again (a resumed run after a worker crash)', () => {
    assert.equal(nextStepState('running', 'begin'), 'running');
  });

  it('refuses to skip a step that already started', () => {
    assertIllegal(() => nextStepState('running', 'skip'), 'a step', 'running', 'skip');
    assertIllegal(() => nextStepState('waiting', 'skip'), 'a step', 'waiting', 'skip');
  });

  it('refuses to succeed a waiting step without running it again first', () => {
    assertIllegal(() => nextStepState('waiting', 'succeed'), 'a step', 'waiting', 'succeed');
  });
});
