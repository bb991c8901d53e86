import assert from 'node:assert/strict';
import { summarize } from '../../../../src/domain/dora/release-summary';
import { RELEASE_STEP_NAMES, type Release } from '../../../../src/domain/release';

const T0 = 1_767_225_600_000;

function aRelease(overrides: Partial<Release> = {}): Release {
  return {
    id: 'r20260101t000000-0001',
    app: 'shop',
    environment: 'production',
    version: 'v1.2.0',
    type: 'minor',
    requestedBy: 'U1',
    state: 'awaiting_start',
    createdAt: T0,
    updatedAt: T0,
    revision: 3,
    steps: RELEASE_STEP_NAMES.map((name) => ({ name, state: 'pending', runs: 0, progress: {} })),
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    checklist: {},
    ...overrides,
  };
}

describe('release summary', () => {
  it('keeps only identity and state for a release that has not started', () => {
    assert.deepEqual(summarize(aRelease()), {
      id: 'r20260101t000000-0001',
      app: 'shop',
      environment: 'production',
      createdAt: T0,
      state: 'awaiting_start',
    });
  });

  it('takes the deploy step start, the change and failing times, rollback links and the override', () => {
    const release = aRelease({
      state: 'rolled_back',
      endedAt: T0 + 5000,
      rolledBackBy: 'r-rollback',
      override: { by: 'U2', reason: 'incident fix', overrode: 'freeze', at: T0 },
      facts: {
        previousTaskDefinitions: {},
        targetTaskDefinitions: {},
        changeAt: { at: T0 - 9000, source: 'ecr-push' },
        firstFailingAt: T0 + 4000,
      },
    });
    const deploy = release.steps.find((s) => s.name === 'deploy');
    if (deploy) deploy.startedAt = T0 + 1000;

    assert.deepEqual(summarize(release), {
      id: 'r20260101t000000-0001',
      app: 'shop',
      environment: 'production',
      createdAt: T0,
      state: 'rolled_back',
      endedAt: T0 + 5000,
      deployedAt: T0 + 1000,
      changeAt: T0 - 9000,
      firstFailingAt: T0 + 4000,
      rolledBack: true,
      override: true,
    });
  });

  it('names the reverted release on a rollback, services or database', () => {
    const rollback = aRelease({
      rollbackOf: {
        releaseId: 'r-bad',
        version: 'v1.1.0',
        requestedBy: 'U3',
        database: { action: 'downgrade' },
      },
    });

    assert.equal(summarize(rollback).rollbackOf, 'r-bad');
  });

  it('starts its JSON with the id, which the store finds an old summary by', () => {
    assert.ok(
      JSON.stringify(summarize(aRelease({ state: 'succeeded' }))).startsWith(
        '{"id":"r20260101t000000-0001",',
      ),
    );
  });
});
