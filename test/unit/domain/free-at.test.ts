import assert from 'node:assert/strict';
import {
  agoWords,
  busyDoing,
  freeAt,
  monitoringWindowOf,
  untilWords,
  type MonitoringWindows,
} from '../../../src/domain/free-at';
import type { Release, ReleaseType, StepRecord, StepState } from '../../../src/domain/release';

const T0 = Date.UTC(2026, 10, 27, 14, 0, 0);
const MIN = 60_000;
const WINDOWS: MonitoringWindows = {
  window: 15 * MIN,
  extendedWindow: 24 * 60 * MIN,
  rollbackWindow: 30 * MIN,
};

function step(name: StepRecord['name'], state: StepState, progress: StepRecord['progress'] = {}): StepRecord {
  return { name, state, runs: state === 'pending' ? 0 : 1, progress };
}

function release(extra: Partial<Release> = {}, type: ReleaseType = 'minor'): Release {
  return {
    id: 'r20261127t140000-3f9a',
    app: 'backend',
    environment: 'production',
    version: 'v1.2.0',
    type,
    requestedBy: 'U0REQUESTER',
    state: 'running',
    createdAt: T0,
    updatedAt: T0,
    revision: 5,
    steps: [step('deploy', 'succeeded'), step('verify', 'succeeded'), step('monitor', 'pending')],
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    checklist: {},
    ...extra,
  };
}

const monitoring = (state: StepState, progress: StepRecord['progress'] = { windowStart: T0 }) => ({
  steps: [step('deploy', 'succeeded'), step('verify', 'succeeded'), step('monitor', state, progress)],
});

const ROLLBACK_OF = { releaseId: 'r20261127t130000-0001', version: 'v1.3.0-bad', requestedBy: 'U0REQUESTER' };

describe('freeAt: when a busy app frees up', () => {
  /** [what, release, expected end of its monitoring window or undefined] */
  const CASES: [string, Release, number | undefined][] = [
    [
      'a minor release monitoring: its window after windowStart',
      release(monitoring('running')),
      T0 + 15 * MIN,
    ],
    ['between two monitoring runs (waiting)', release(monitoring('waiting')), T0 + 15 * MIN],
    ['a major release: the extended window', release(monitoring('running'), 'major'), T0 + 24 * 60 * MIN],
    ['a hotfix: the standard window', release(monitoring('running'), 'hotfix'), T0 + 15 * MIN],
    [
      'a rollback monitoring: the rollback window',
      release({ ...monitoring('running'), rollbackOf: ROLLBACK_OF }),
      T0 + 30 * MIN,
    ],
    ['monitor not begun yet: not known', release(), undefined],
    ['monitor begun but no window recorded yet: not known', release(monitoring('running', {})), undefined],
    [
      'a window start that is not a number: not known',
      release(monitoring('running', { windowStart: 'x' })),
      undefined,
    ],
    [
      'still deploying: not known',
      release({ steps: [step('deploy', 'running'), step('monitor', 'pending')] }),
      undefined,
    ],
    ['awaiting its start: not known', release({ state: 'awaiting_start' }), undefined],
    [
      'finished (a stale lock): not known',
      release({ ...monitoring('succeeded'), state: 'succeeded' }),
      undefined,
    ],
    [
      'a database rollback has no monitor step: not known',
      release({ steps: [step('migrate_down', 'running')] }),
      undefined,
    ],
  ];
  for (const [what, r, expected] of CASES) {
    it(what, () => {
      assert.equal(freeAt(r, WINDOWS), expected);
    });
  }

  it('picks the same window the monitor step watches for each kind of release', () => {
    assert.equal(monitoringWindowOf(release({}, 'minor'), WINDOWS), WINDOWS.window);
    assert.equal(monitoringWindowOf(release({}, 'major'), WINDOWS), WINDOWS.extendedWindow);
    assert.equal(
      monitoringWindowOf(release({ rollbackOf: ROLLBACK_OF }, 'major'), WINDOWS),
      WINDOWS.rollbackWindow,
    );
  });
});

describe('untilWords and agoWords', () => {
  const UNTIL: [number, string][] = [
    [-5_000, 'any moment now'],
    [0, 'any moment now'],
    [20_000, 'in less than a minute'],
    [40_000, 'in about 1 min'],
    [12 * MIN, 'in about 12 min'],
    [12 * MIN + 20_000, 'in about 12 min'],
    [59 * MIN + 40_000, 'in about 1 h'],
    [125 * MIN, 'in about 2 h 5 min'],
    [24 * 60 * MIN, 'in about 24 h'],
  ];
  for (const [ms, words] of UNTIL) {
    it(`says ${ms} ms ahead as "${words}"`, () => {
      assert.equal(untilWords(T0 + ms, T0), words);
    });
  }

  const AGO: [number, string][] = [
    [-3_000, 'just now'],
    [59_000, 'just now'],
    [60_000, '1 min ago'],
    [12 * MIN + 50_000, '12 min ago'],
    [60 * MIN, '1 h ago'],
    [185 * MIN, '3 h 5 min ago'],
    [47 * 60 * MIN, '47 h ago'],
    [3 * 24 * 60 * MIN, '3 days ago'],
  ];
  for (const [ms, words] of AGO) {
    it(`says ${ms} ms ago as "${words}"`, () => {
      assert.equal(agoWords(T0 - ms, T0), words);
    });
  }
});

describe('busyDoing: what a busy release is doing, in words', () => {
  const CASES: [string, Release, string][] = [
    ['monitoring', release(monitoring('running')), 'monitoring'],
    ['between steps: the next one', release(), 'monitoring'],
    ['deploying', release({ steps: [step('deploy', 'waiting'), step('monitor', 'pending')] }), 'deploying'],
    ['migrating', release({ steps: [step('migrate', 'running')] }), 'migrating the database'],
    ['a release awaiting its Start', release({ state: 'awaiting_start' }), 'awaiting start'],
    [
      'a rollback proposal nobody decided',
      release({ state: 'awaiting_start', rollbackOf: ROLLBACK_OF, proposal: { expects: {} } }),
      'awaiting approval',
    ],
    [
      'a migration rollback running its command',
      release({ rollbackOf: ROLLBACK_OF, steps: [step('migrate_down', 'running')] }),
      'rolling back its migration',
    ],
  ];
  for (const [what, r, words] of CASES) {
    it(`says ${what} as "${words}"`, () => {
      assert.equal(busyDoing(r), words);
    });
  }
});
