import assert from 'node:assert/strict';
import { nextDatabaseRollback } from '../../../src/domain/database-rollback';
import type { Release, ReleaseState, StepState } from '../../../src/domain/release';

function release(id: string, patch: Partial<Release> = {}): Release {
  return {
    id,
    app: 'backend',
    environment: 'production',
    version: 'v1.3.0',
    type: 'minor',
    requestedBy: 'U1',
    state: 'rolled_back',
    createdAt: 0,
    updatedAt: 0,
    revision: 1,
    steps: [],
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    checklist: {},
    ...patch,
  };
}

function reverted(migrate: StepState | 'none', snapshot: boolean): Release {
  return release('r-bad', {
    steps: migrate === 'none' ? [] : [{ name: 'migrate', state: migrate, runs: 1, progress: {} }],
    facts: {
      previousTaskDefinitions: {},
      targetTaskDefinitions: {},
      ...(snapshot ? { snapshotId: 'deploybot-r-bad' } : {}),
    },
  });
}

function rollback(state: ReleaseState, database?: 'downgrade' | 'restore'): Release {
  return release('r-rb', {
    state,
    rollbackOf: {
      releaseId: 'r-bad',
      version: 'v1.3.0',
      requestedBy: 'U1',
      ...(database ? { database: { action: database } } : {}),
    },
  });
}

describe('nextDatabaseRollback', () => {
  const cases: [string, Release, Release, boolean, 'downgrade' | 'restore' | undefined][] = [
    [
      'app rolled back, migration ran, command configured',
      rollback('succeeded'),
      reverted('succeeded', true),
      true,
      'downgrade',
    ],
    [
      'app rolled back, migration ran, no command, snapshot',
      rollback('succeeded'),
      reverted('succeeded', true),
      false,
      'restore',
    ],
    [
      'app rolled back, migration ran, no command, no snapshot',
      rollback('succeeded'),
      reverted('succeeded', false),
      false,
      undefined,
    ],
    ['app rolled back, migration skipped', rollback('succeeded'), reverted('skipped', true), true, undefined],
    [
      'app rolled back, migration failed (unknown schema)',
      rollback('succeeded'),
      reverted('failed', true),
      true,
      undefined,
    ],
    ['app rolled back, no migration step', rollback('succeeded'), reverted('none', true), true, undefined],
    ['app rollback failed', rollback('failed'), reverted('succeeded', true), true, undefined],
    ['app rollback rejected', rollback('cancelled'), reverted('succeeded', true), true, undefined],
    [
      'downgrade failed, snapshot',
      rollback('failed', 'downgrade'),
      reverted('succeeded', true),
      true,
      'restore',
    ],
    [
      'downgrade failed, no snapshot',
      rollback('failed', 'downgrade'),
      reverted('succeeded', false),
      true,
      undefined,
    ],
    ['downgrade succeeded', rollback('succeeded', 'downgrade'), reverted('succeeded', true), true, undefined],
    ['downgrade rejected', rollback('cancelled', 'downgrade'), reverted('succeeded', true), true, undefined],
    [
      'restore failed (never offered again)',
      rollback('failed', 'restore'),
      reverted('succeeded', true),
      true,
      undefined,
    ],
    ['restore succeeded', rollback('succeeded', 'restore'), reverted('succeeded', true), true, undefined],
    [
      'an ordinary release',
      release('r-x', { state: 'succeeded' }),
      reverted('succeeded', true),
      true,
      undefined,
    ],
    [
      'a rollback of another release',
      rollback('succeeded'),
      release('r-other', { steps: [{ name: 'migrate', state: 'succeeded', runs: 1, progress: {} }] }),
      true,
      undefined,
    ],
  ];
  for (const [name, ended, of, hasRollbackCommand, expected] of cases) {
    it(`${name}: ${expected ?? 'nothing'}`, () => {
      assert.equal(nextDatabaseRollback(ended, of, { hasRollbackCommand }), expected);
    });
  }
});
