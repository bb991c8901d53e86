import assert from 'node:assert/strict';
import { planSteps } from '../../../src/domain/plan';
import {
  expiryText,
  holdsLock,
  lockTtlFor,
  reconcileAction,
  startExpired,
  stepToKeepMoving,
} from '../../../src/domain/reconcile';
import { isFinished, type Release, type ReleaseState } from '../../../src/domain/release';
import { RELEASE_TRANSITIONS } from '../../../src/domain/state-machine';

const T0 = 1_764_000_000_000;
const HOUR = 3_600_000;
const TIMING = { startTimeoutMs: 2 * HOUR, quietMs: 30_000 };

function release(patch: Partial<Release> = {}): Release {
  return {
    id: 'r1',
    app: 'backend',
    environment: 'production',
    version: 'v1.2.0',
    type: 'minor',
    requestedBy: 'U1',
    state: 'running',
    createdAt: T0,
    updatedAt: T0,
    revision: 3,
    steps: planSteps('minor', { hasDatabase: true, hasMigration: false }),
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    checklist: {},
    ...patch,
  };
}

function withSteps(r: Release, states: Record<string, Release['steps'][number]['state']>): Release {
  for (const step of r.steps) step.state = states[step.name] ?? step.state;
  return r;
}

describe('reconcile decisions', () => {
  it('counts a state as finished exactly when the state machine lets nothing follow it', () => {
    for (const state of Object.keys(RELEASE_TRANSITIONS) as ReleaseState[]) {
      const final = Object.keys(RELEASE_TRANSITIONS[state]).length === 0;
      assert.equal(isFinished(release({ state })), final, state);
    }
  });

  it('keeps the next step to run moving, and the last one when only completing is left', () => {
    const r = withSteps(release(), { preflight: 'succeeded', backup: 'succeeded', migrate: 'skipped' });
    assert.equal(stepToKeepMoving(r), 'baseline');
    const all = withSteps(release(), Object.fromEntries(r.steps.map((s) => [s.name, 'succeeded'])));
    assert.equal(stepToKeepMoving(all), 'monitor');
  });

  it('before Start keeps only preflight moving, and nothing for a rollback proposal', () => {
    assert.equal(stepToKeepMoving(release({ state: 'awaiting_start' })), 'preflight');
    const checked = withSteps(release({ state: 'awaiting_start' }), { preflight: 'succeeded' });
    assert.equal(stepToKeepMoving(checked), undefined);
    const proposal = release({
      state: 'awaiting_start',
      rollbackOf: { releaseId: 'r0', version: 'v1.1.0', requestedBy: 'U2' },
    });
    assert.equal(stepToKeepMoving(proposal), undefined);
    assert.equal(holdsLock(proposal), false);
    assert.equal(
      holdsLock({ ...proposal, proposal: { expects: {}, approvedBy: { by: 'U3', at: T0 } } }),
      true,
    );
  });

  it('expires a release awaiting Start past startTimeout, never a rollback proposal', () => {
    const waiting = release({ state: 'awaiting_start' });
    assert.equal(startExpired(waiting, T0 + 2 * HOUR - 1, 2 * HOUR), false);
    assert.equal(startExpired(waiting, T0 + 2 * HOUR, 2 * HOUR), true);
    assert.deepEqual(reconcileAction(waiting, 'live', T0 + 3 * HOUR, TIMING), { kind: 'expire' });
    const proposal = { ...waiting, rollbackOf: { releaseId: 'r0', version: 'v1', requestedBy: 'U2' } };
    assert.equal(startExpired(proposal, T0 + 3 * HOUR, 2 * HOUR), false);
    assert.equal(startExpired(release(), T0 + 3 * HOUR, 2 * HOUR), false);
    assert.equal(expiryText(2 * HOUR), 'expired: nobody pressed Start within 2h 00m');
  });

  it('queues a missing job only once the release has been quiet, replacing a finished one', () => {
    const r = withSteps(release({ updatedAt: T0 }), { preflight: 'succeeded' });
    assert.deepEqual(reconcileAction(r, 'missing', T0 + 29_999, TIMING), { kind: 'none' });
    assert.deepEqual(reconcileAction(r, 'missing', T0 + 30_000, TIMING), {
      kind: 'enqueue',
      step: 'backup',
      replaceFinished: false,
    });
    assert.deepEqual(reconcileAction(r, 'finished', T0 + HOUR, TIMING), {
      kind: 'enqueue',
      step: 'backup',
      replaceFinished: true,
    });
    assert.deepEqual(reconcileAction(r, 'live', T0 + HOUR, TIMING), { kind: 'none' });
  });

  it('extends the lock before Start until the release would expire, and by lockTtl once running', () => {
    const engine = { lockTtl: 10 * 60_000, startTimeout: 2 * HOUR };
    assert.equal(lockTtlFor(release({ state: 'awaiting_start' }), T0 + HOUR, engine), HOUR);
    assert.equal(lockTtlFor(release({ state: 'awaiting_start' }), T0 + 2 * HOUR, engine), 10 * 60_000);
    assert.equal(lockTtlFor(release(), T0 + HOUR, engine), 10 * 60_000);
  });
});
