import assert from 'node:assert/strict';
import { PLAN_RULES, mayRunStep, planRollbackSteps, planSteps } from '../../../src/domain/plan';
import {
  RELEASE_STEP_NAMES,
  RELEASE_TYPES,
  STEP_NAMES,
  type ReleaseState,
} from '../../../src/domain/release';

const NO_DB = 'no database configured';
const NO_MIGRATION = 'no migration configured';

interface Case {
  hasDatabase: boolean;
  hasMigration: boolean;
  /** step name -> skip reason; steps not listed are pending. */
  skipped: Partial<Record<(typeof RELEASE_STEP_NAMES)[number], string>>;
}

const CASES: Case[] = [
  { hasDatabase: true, hasMigration: true, skipped: {} },
  { hasDatabase: true, hasMigration: false, skipped: { migrate: NO_MIGRATION } },
  { hasDatabase: false, hasMigration: true, skipped: { backup: NO_DB } },
  { hasDatabase: false, hasMigration: false, skipped: { backup: NO_DB, migrate: NO_MIGRATION } },
];

describe('planSteps', () => {
  for (const type of RELEASE_TYPES) {
    for (const c of CASES) {
      const label = `${c.hasDatabase ? 'with' : 'without'} a database and ${c.hasMigration ? 'with' : 'without'} a migration`;
      it(`plans a ${type} release ${label}`, () => {
        const steps = planSteps(type, { hasDatabase: c.hasDatabase, hasMigration: c.hasMigration });
        const expected = RELEASE_STEP_NAMES.map((name) => {
          const reason = c.skipped[name];
          return reason
            ? { name, state: 'skipped', reason, runs: 0, progress: {} }
            : { name, state: 'pending', runs: 0, progress: {} };
        });
        assert.deepEqual(steps, expected);
      });
    }
  }

  it('runs the steps in runbook order: preflight, backup, baseline, migrate, deploy, verify, monitor', () => {
    for (const type of RELEASE_TYPES) {
      const names = planSteps(type, { hasDatabase: true, hasMigration: true }).map((s) => s.name);
      assert.deepEqual(
        names,
        ['preflight', 'backup', 'baseline', 'migrate', 'deploy', 'verify', 'monitor'],
        type,
      );
    }
  });

  it('never skips preflight, baseline, deploy, verify or monitor', () => {
    for (const type of RELEASE_TYPES) {
      const steps = planSteps(type, { hasDatabase: false, hasMigration: false });
      for (const name of ['preflight', 'baseline', 'deploy', 'verify', 'monitor']) {
        assert.equal(steps.find((s) => s.name === name)?.state, 'pending', `${type} ${name}`);
      }
    }
  });

  it('returns fresh step records each time, so one release cannot change another', () => {
    const first = planSteps('minor', { hasDatabase: true, hasMigration: true });
    const second = planSteps('minor', { hasDatabase: true, hasMigration: true });
    assert.notEqual(first[0], second[0]);
    assert.notEqual(first[0]?.progress, second[0]?.progress);
  });
});

describe('planRollbackSteps', () => {
  it('points services back, checks health and watches the result: deploy, verify, monitor', () => {
    assert.deepEqual(planRollbackSteps(), [
      { name: 'deploy', state: 'pending', runs: 0, progress: {} },
      { name: 'verify', state: 'pending', runs: 0, progress: {} },
      { name: 'monitor', state: 'pending', runs: 0, progress: {} },
    ]);
  });

  it('returns fresh step records each time, so one rollback cannot change another', () => {
    const first = planRollbackSteps();
    const second = planRollbackSteps();
    assert.notEqual(first[0], second[0]);
    assert.notEqual(first[0]?.progress, second[0]?.progress);
  });
});

describe('PLAN_RULES', () => {
  const DEPTHS = [
    ['hotfix', 'critical'],
    ['minor', 'full'],
    ['major', 'full'],
  ] as const;
  for (const [type, depth] of DEPTHS) {
    it(`runs ${depth} preflight checks for a ${type} release`, () => {
      assert.equal(PLAN_RULES[type].preflight, depth);
    });
  }

  const MONITORING = [
    ['hotfix', 'standard'],
    ['minor', 'standard'],
    ['major', 'extended'],
  ] as const;
  for (const [type, monitoring] of MONITORING) {
    it(`gives a ${type} release ${monitoring} monitoring`, () => {
      assert.equal(PLAN_RULES[type].monitoring, monitoring);
    });
  }

  it('has rules for exactly the release types', () => {
    assert.deepEqual(Object.keys(PLAN_RULES).sort(), [...RELEASE_TYPES].sort());
  });
});

describe('mayRunStep', () => {
  const STATES: ReleaseState[] = [
    'queued',
    'awaiting_start',
    'running',
    'succeeded',
    'failed',
    'cancelled',
    'rolled_back',
  ];
  /** Which steps may run in each release state. */
  const EXPECTED: Record<ReleaseState, string[]> = {
    queued: [], // nothing runs until it reaches the head of its queue
    awaiting_start: ['preflight'], // read-only checks that tick the checklist
    running: [...STEP_NAMES],
    succeeded: [],
    failed: [],
    cancelled: [],
    rolled_back: [],
  };
  for (const state of STATES) {
    for (const step of STEP_NAMES) {
      const allowed = EXPECTED[state].includes(step);
      it(`${allowed ? 'lets' : 'does not let'} ${step} run while the release is ${state}`, () => {
        assert.equal(mayRunStep(state, step), allowed);
      });
    }
  }
});
