import assert from 'node:assert/strict';
import {
  findStep,
  isFinished,
  isReleaseType,
  nextRunnableStep,
  type Release,
  type ReleaseState,
  type StepName,
  type StepState,
} from '../../../src/domain/release';

const ORDER: StepName[] = ['preflight', 'backup', 'migrate', 'deploy', 'verify'];

/** A release whose steps have the given states, in runbook order. */
function release(states: StepState[], state: ReleaseState = 'running'): Release {
  return {
    id: 'r20261127t171340-3f9a',
    app: 'backend',
    environment: 'production',
    version: 'v1.2.0',
    type: 'minor',
    requestedBy: 'U0DEPLOYER',
    state,
    createdAt: 0,
    updatedAt: 0,
    revision: 1,
    steps: states.map((s, i) => ({ name: ORDER[i] as StepName, state: s, runs: 0, progress: {} })),
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    checklist: {},
  };
}

describe('nextRunnableStep', () => {
  /** [step states, after, expected next step name or undefined] */
  const CASES: [StepState[], StepName | undefined, StepName | undefined][] = [
    [['pending', 'pending', 'pending', 'pending', 'pending'], undefined, 'preflight'],
    [['succeeded', 'pending', 'pending', 'pending', 'pending'], undefined, 'backup'],
    [['succeeded', 'skipped', 'skipped', 'pending', 'pending'], undefined, 'deploy'],
    [['succeeded', 'skipped', 'skipped', 'pending', 'pending'], 'preflight', 'deploy'],
    [['succeeded', 'succeeded', 'pending', 'pending', 'pending'], 'backup', 'migrate'],
    [['succeeded', 'succeeded', 'succeeded', 'succeeded', 'pending'], 'deploy', 'verify'],
    [['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded'], undefined, undefined],
    [['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded'], 'verify', undefined],
    [['succeeded', 'skipped', 'skipped', 'succeeded', 'skipped'], 'deploy', undefined],
    // A running or waiting step is still to run (a resumed worker picks it up again).
    [['succeeded', 'running', 'pending', 'pending', 'pending'], undefined, 'backup'],
    [['succeeded', 'succeeded', 'waiting', 'pending', 'pending'], undefined, 'migrate'],
    // A failed step counts as not done: callers decide from the release state.
    [['succeeded', 'failed', 'pending', 'pending', 'pending'], undefined, 'backup'],
    // `after` looks only further on, even when an earlier step is unfinished.
    [['pending', 'pending', 'pending', 'pending', 'pending'], 'migrate', 'deploy'],
  ];
  for (const [states, after, expected] of CASES) {
    it(`answers ${expected ?? 'nothing'} after ${after ?? 'the start'} for [${states.join(', ')}]`, () => {
      assert.equal(nextRunnableStep(release(states), after)?.name, expected);
    });
  }

  it('returns the step record itself, not a copy', () => {
    const r = release(['succeeded', 'pending', 'pending', 'pending', 'pending']);
    assert.equal(nextRunnableStep(r), r.steps[1]);
  });

  it('starts from the beginning when `after` names a step the release does not have', () => {
    const r = release(['pending', 'pending']);
    assert.equal(nextRunnableStep(r, 'verify')?.name, 'preflight');
  });
});

describe('findStep', () => {
  it('finds each step of the release by name', () => {
    const r = release(['succeeded', 'skipped', 'waiting', 'pending', 'pending']);
    for (const [i, name] of ORDER.entries()) assert.equal(findStep(r, name), r.steps[i]);
  });

  it('throws naming the release and the step when the step is missing', () => {
    const r = release(['pending', 'pending']);
    assert.throws(() => findStep(r, 'verify'), {
      message: 'release r20261127t171340-3f9a has no step verify',
    });
  });
});

describe('isFinished', () => {
  const CASES: [ReleaseState, boolean][] = [
    ['awaiting_start', false],
    ['running', false],
    ['succeeded', true],
    ['failed', true],
    ['cancelled', true],
  ];
  for (const [state, finished] of CASES) {
    it(`says a ${state} release is ${finished ? '' : 'not '}finished`, () => {
      assert.equal(isFinished(release([], state)), finished);
    });
  }
});

describe('isReleaseType', () => {
  const CASES: [string, boolean][] = [
    ['hotfix', true],
    ['minor', true],
    ['major', true],
    ['Major', false],
    ['patch', false],
    ['', false],
    ['toString', false],
  ];
  for (const [text, expected] of CASES) {
    it(`${expected ? 'accepts' : 'rejects'} ${JSON.stringify(text)} as a release type`, () => {
      assert.equal(isReleaseType(text), expected);
    });
  }
});
