import assert from 'node:assert/strict';
import type { Release, ReleaseState } from '../../../src/domain/release';
import { SHOWN_EMOJI, SHOWN_WORDS, shownState, type ShownState } from '../../../src/domain/release-status';

const REVERTED_ID = 'r20261127t171340-3f9a';
const ROLLBACK_ID = 'r20261127t180000-beef';

function release(overrides: Partial<Release> = {}): Release {
  return {
    id: REVERTED_ID,
    app: 'backend',
    environment: 'production',
    version: 'v1.3.0-bad',
    type: 'minor',
    requestedBy: 'U0DEPLOYER',
    state: 'running',
    createdAt: 0,
    updatedAt: 0,
    revision: 1,
    steps: [],
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    checklist: {},
    ...overrides,
  };
}

const of = { releaseId: REVERTED_ID, version: 'v1.3.0-bad', requestedBy: 'U0DEPLOYER' };

function rollback(state: ReleaseState, overrides: Partial<Release> = {}): Release {
  return release({ id: ROLLBACK_ID, requestedBy: 'deploybot', state, rollbackOf: of, ...overrides });
}

/** A release reverted by ROLLBACK_ID, in the stored state it has once the rollback was approved. */
const reverted = (state: ReleaseState = 'rolled_back') => release({ state, rolledBackBy: ROLLBACK_ID });

const CASES: [string, Release, Release | undefined, ShownState][] = [
  ['a release waiting its turn in the deploy queue', release({ state: 'queued' }), undefined, 'queued'],
  ['a release waiting for its checklist', release({ state: 'awaiting_start' }), undefined, 'awaiting_start'],
  ['a running release', release(), undefined, 'running'],
  ['a succeeded release', release({ state: 'succeeded' }), undefined, 'succeeded'],
  ['a failed release', release({ state: 'failed' }), undefined, 'failed'],
  ['a cancelled release', release({ state: 'cancelled' }), undefined, 'cancelled'],
  // Reverted: the stored state says rolled back at approval; what people see follows the rollback.
  [
    'reverted, its rollback approved but not started',
    reverted(),
    rollback('awaiting_start', { proposal: { expects: {}, approvedBy: { by: 'U1', at: 0 } } }),
    'rolling_back',
  ],
  ['reverted, its rollback running', reverted(), rollback('running'), 'rolling_back'],
  ['reverted, its rollback succeeded', reverted(), rollback('succeeded'), 'rolled_back'],
  ['reverted, its rollback failed', reverted(), rollback('failed'), 'rollback_failed'],
  ['reverted, its rollback cancelled', reverted(), rollback('cancelled'), 'rollback_failed'],
  ['reverted, its rollback not at hand', reverted(), undefined, 'rolling_back'],
  [
    'reverted, given some other release',
    reverted(),
    rollback('succeeded', { id: 'r-other' }),
    'rolling_back',
  ],
  [
    'a succeeded release reverted later, rollback running',
    reverted('succeeded'),
    rollback('running'),
    'rolling_back',
  ],
  [
    'a succeeded release reverted later, rollback done',
    reverted('succeeded'),
    rollback('succeeded'),
    'rolled_back',
  ],
  // Proposals.
  ['a rollback proposal nobody decided', rollback('awaiting_start'), undefined, 'awaiting_approval'],
  [
    'a proposal stored before proposals had records',
    rollback('awaiting_start', { proposal: { expects: {} } }),
    undefined,
    'awaiting_approval',
  ],
  [
    'a migration rollback proposal',
    rollback('awaiting_start', { rollbackOf: { ...of, database: { action: 'downgrade' } } }),
    undefined,
    'awaiting_approval',
  ],
  [
    'a restore not yet confirmed',
    rollback('awaiting_start', { rollbackOf: { ...of, database: { action: 'restore' } } }),
    undefined,
    'awaiting_approval',
  ],
  [
    'a restore confirmed once',
    rollback('awaiting_start', {
      rollbackOf: { ...of, database: { action: 'restore', confirmedBy: { by: 'U1', at: 0 } } },
    }),
    undefined,
    'awaiting_confirmation',
  ],
  [
    'an approved proposal whose start is under way',
    rollback('awaiting_start', { proposal: { expects: {}, approvedBy: { by: 'U1', at: 0 } } }),
    undefined,
    'running',
  ],
  ['a running rollback', rollback('running'), undefined, 'running'],
  ['a finished rollback', rollback('succeeded'), undefined, 'succeeded'],
  ['a failed rollback', rollback('failed'), undefined, 'failed'],
  ['a rollback turned down', rollback('cancelled', { cancelledBy: 'U1' }), undefined, 'cancelled'],
  [
    'a superseded proposal',
    rollback('cancelled', {
      proposal: { expects: {}, closed: { how: 'superseded', text: 'superseded', at: 0 } },
    }),
    undefined,
    'superseded',
  ],
  [
    'a withdrawn proposal',
    rollback('cancelled', {
      proposal: { expects: {}, closed: { how: 'withdrawn', text: 'withdrawn', at: 0 } },
    }),
    undefined,
    'withdrawn',
  ],
  [
    'an expired proposal',
    rollback('cancelled', { proposal: { expects: {}, closed: { how: 'expired', text: 'expired', at: 0 } } }),
    undefined,
    'expired',
  ],
];

describe('shownState', () => {
  for (const [what, stored, related, expected] of CASES) {
    it(`shows ${what} as ${expected}`, () => {
      assert.equal(shownState(stored, related), expected);
    });
  }

  it('covers every shown state in the table above', () => {
    const covered = new Set(CASES.map(([, , , shown]) => shown));
    assert.deepEqual(
      Object.keys(SHOWN_WORDS).filter((s) => !covered.has(s as ShownState)),
      [],
    );
  });

  it('has a word and a symbol for every shown state, and no two states share a word', () => {
    const states = Object.keys(SHOWN_WORDS) as ShownState[];
    assert.deepEqual(Object.keys(SHOWN_EMOJI).sort(), [...states].sort());
    for (const state of states) {
      assert.match(SHOWN_WORDS[state], /^[a-z][a-z ]+$/, state);
      assert.notEqual(SHOWN_EMOJI[state], '', state);
    }
    assert.equal(new Set(Object.values(SHOWN_WORDS)).size, states.length);
  });
});
