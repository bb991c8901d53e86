import assert from 'node:assert/strict';
import { deliveryFigures } from '../../../../src/domain/dora/figures';
import type { ReleaseSummary } from '../../../../src/domain/dora/release-summary';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** 2026-01-01T00:00:00Z: the period under test is its first 30 days. */
const T0 = 1_767_225_600_000;
const PERIOD = { from: T0, to: T0 + 30 * DAY };

function release(id: string, createdAt: number, rest: Partial<ReleaseSummary>): ReleaseSummary {
  return { id, app: 'shop', environment: 'production', createdAt, state: 'succeeded', ...rest };
}

const deployed = (createdAt: number) => createdAt + 10 * MINUTE;

/**
 * A month of shop in production, worked out by hand:
 *
 * | release | what happened                                        | figures it feeds                     |
 * |---------|------------------------------------------------------|--------------------------------------|
 * | a1      | succeeded; pushed 5 h before its request             | lead 6 h                              |
 * | a2      | succeeded; pushed 2 days before its request          | lead 50 h                             |
 * | a3      | succeeded, override, change time unknown             | lead not measured; override           |
 * | b1      | rolled back while monitored; first failing sample    | failed; restore 30m→1h30m = 1 h       |
 * | rb1     | b1's rollback, succeeded                             | restorer; not a change                |
 * | b2      | failed after deploy (verify), no rollback            | failed; restore 20m→3h20m = 3 h       |
 * | c1      | fix forward of b2, succeeded                         | lead 2h20m; restores b2               |
 * | b3      | succeeded, override, rolled back by hand 4 h later   | failed; restore proposal→end = 1h30m  |
 * | rb3     | b3's rollback, succeeded                             | restorer                              |
 * | f1      | failed in preflight                                  | excluded: failed before deploy        |
 * | x1      | cancelled before Start                               | excluded: stopped before deploy       |
 * | b4      | rolled back, its rollback still running              | failed; not restored                  |
 * | rb4     | b4's rollback, running                               | nothing yet                           |
 * | r1      | deploying now                                        | deployment; outcome undecided         |
 * | q1      | awaiting Start                                       | excluded: not deployed yet            |
 * | p1      | the month before                                     | nothing (outside the period)          |
 */
const HISTORY: ReleaseSummary[] = [
  release('p1', T0 - 2 * DAY, { deployedAt: deployed(T0 - 2 * DAY), endedAt: T0 - 2 * DAY + HOUR }),
  release('a1', T0 + DAY, {
    deployedAt: deployed(T0 + DAY),
    endedAt: T0 + DAY + HOUR,
    changeAt: T0 + DAY - 5 * HOUR,
  }),
  release('a2', T0 + 3 * DAY, {
    deployedAt: deployed(T0 + 3 * DAY),
    endedAt: T0 + 3 * DAY + 2 * HOUR,
    changeAt: T0 + DAY,
  }),
  release('a3', T0 + 5 * DAY, {
    deployedAt: deployed(T0 + 5 * DAY),
    endedAt: T0 + 5 * DAY + HOUR,
    override: true,
  }),
  release('b1', T0 + 7 * DAY, {
    state: 'rolled_back',
    deployedAt: deployed(T0 + 7 * DAY),
    endedAt: T0 + 7 * DAY + 40 * MINUTE,
    changeAt: T0 + 6 * DAY,
    firstFailingAt: T0 + 7 * DAY + 30 * MINUTE,
    rolledBack: true,
  }),
  release('rb1', T0 + 7 * DAY + 32 * MINUTE, {
    rollbackOf: 'b1',
    deployedAt: T0 + 7 * DAY + 41 * MINUTE,
    endedAt: T0 + 7 * DAY + 90 * MINUTE,
  }),
  release('b2', T0 + 10 * DAY, {
    state: 'failed',
    deployedAt: deployed(T0 + 10 * DAY),
    endedAt: T0 + 10 * DAY + 20 * MINUTE,
    changeAt: T0 + 9 * DAY,
  }),
  release('c1', T0 + 10 * DAY + 2 * HOUR, {
    deployedAt: deployed(T0 + 10 * DAY + 2 * HOUR),
    endedAt: T0 + 10 * DAY + 200 * MINUTE,
    changeAt: T0 + 10 * DAY + HOUR,
  }),
  release('b3', T0 + 12 * DAY, {
    deployedAt: deployed(T0 + 12 * DAY),
    endedAt: T0 + 12 * DAY + HOUR,
    changeAt: T0 + 11 * DAY,
    rolledBack: true,
    override: true,
  }),
  release('rb3', T0 + 12 * DAY + 5 * HOUR, { rollbackOf: 'b3', endedAt: T0 + 12 * DAY + 390 * MINUTE }),
  release('f1', T0 + 14 * DAY, {
    state: 'failed',
    endedAt: T0 + 14 * DAY + 2 * MINUTE,
    changeAt: T0 + 13 * DAY,
  }),
  release('x1', T0 + 15 * DAY, { state: 'cancelled', endedAt: T0 + 15 * DAY + HOUR }),
  release('b4', T0 + 20 * DAY, {
    state: 'rolled_back',
    deployedAt: deployed(T0 + 20 * DAY),
    endedAt: T0 + 20 * DAY + 70 * MINUTE,
    firstFailingAt: T0 + 20 * DAY + HOUR,
    rolledBack: true,
  }),
  release('rb4', T0 + 20 * DAY + 65 * MINUTE, { rollbackOf: 'b4', state: 'running' }),
  release('r1', T0 + 29 * DAY, {
    state: 'running',
    deployedAt: deployed(T0 + 29 * DAY),
    changeAt: T0 + 28 * DAY,
  }),
  release('q1', T0 + 29 * DAY + HOUR, { state: 'awaiting_start' }),
];

describe('DORA figures on a hand-computed month', () => {
  const figures = deliveryFigures(HISTORY, PERIOD, 1);

  it('counts changes and deployments of the period only: 12 changes, 9 reached deploy, 0.3 a day', () => {
    assert.equal(figures.changes, 12);
    assert.deepEqual(figures.deploymentFrequency, { deployments: 9, perDay: 0.3, scopes: 1 });
  });

  it('takes the median lead time of changes that succeeded and stayed, from their change time', () => {
    // 2h20m (c1), 6h (a1), 50h (a2); a3 has no change time; rolled-back and running ones are not measured.
    assert.deepEqual(figures.leadTime, { medianMs: 6 * HOUR, measured: 3, withoutChangeTime: 1 });
  });

  it('fails the rolled-back and the failed-after-deploy, over deployments whose outcome is known', () => {
    // b1, b2, b3, b4 over the 8 deployments that ended (r1 still runs).
    assert.deepEqual(figures.changeFailureRate, { rate: 0.5, failed: 4, decided: 8, undecided: 1 });
  });

  it('restores from the first failing sample, else the proposal, else the failure, to the next healthy end', () => {
    // b1 1h (rollback), b3 1h30m (manual rollback), b2 3h (fix forward); b4's rollback still runs.
    assert.deepEqual(figures.timeToRestore, { medianMs: 90 * MINUTE, restored: 3, notRestored: 1 });
  });

  it('says what it left out: failed and stopped before deploy, not deployed yet, and rollbacks', () => {
    assert.deepEqual(figures.excluded, {
      failedBeforeDeploy: 1,
      stoppedBeforeDeploy: 1,
      notDeployedYet: 1,
      rollbacks: 3,
    });
  });

  it('counts overrides in every figure and reports them beside', () => {
    assert.deepEqual(figures.overrides, { changes: 2, deployments: 2, failed: 1 });
  });
});

describe('DORA figures: edges', () => {
  it('a failure late in the period is restored by a rollback that ends after it', () => {
    const late = release('late', PERIOD.to - HOUR, {
      state: 'rolled_back',
      deployedAt: PERIOD.to - 50 * MINUTE,
      endedAt: PERIOD.to - 20 * MINUTE,
      firstFailingAt: PERIOD.to - 30 * MINUTE,
      rolledBack: true,
    });
    const rollback = release('rb', PERIOD.to - 25 * MINUTE, {
      rollbackOf: 'late',
      endedAt: PERIOD.to + 45 * MINUTE,
    });

    const figures = deliveryFigures([late, rollback], PERIOD, 1);

    assert.deepEqual(figures.timeToRestore, { medianMs: 75 * MINUTE, restored: 1, notRestored: 0 });
  });

  it('a success in another environment, or one rolled back itself, restores nothing', () => {
    const failed = release('f', T0 + DAY, {
      state: 'failed',
      deployedAt: deployed(T0 + DAY),
      endedAt: T0 + DAY + HOUR,
    });
    const elsewhere = release('s', T0 + DAY + 2 * HOUR, {
      environment: 'staging',
      endedAt: T0 + DAY + 3 * HOUR,
    });
    const reverted = release('v', T0 + DAY + 4 * HOUR, { endedAt: T0 + DAY + 5 * HOUR, rolledBack: true });

    const figures = deliveryFigures([failed, elsewhere, reverted], PERIOD, 2);

    assert.deepEqual(figures.timeToRestore, { restored: 0, notRestored: 1 });
  });

  it('divides deployments by the app-and-environment pairs in scope and the days of the period', () => {
    const week = { from: T0, to: T0 + 7 * DAY };
    const history = [0, 1, 2, 3, 4, 5, 6].map((d) =>
      release(`d${d}`, T0 + d * DAY, { deployedAt: deployed(T0 + d * DAY), endedAt: T0 + d * DAY + HOUR }),
    );

    assert.equal(deliveryFigures(history, week, 2).deploymentFrequency.perDay, 0.5);
  });

  it('has no rate, lead time or restore time when nothing was deployed', () => {
    const figures = deliveryFigures([release('f', T0, { state: 'failed' })], PERIOD, 1);

    assert.deepEqual(figures.changeFailureRate, { failed: 0, decided: 0, undecided: 0 });
    assert.deepEqual(figures.leadTime, { measured: 0, withoutChangeTime: 0 });
    assert.deepEqual(figures.timeToRestore, { restored: 0, notRestored: 0 });
    assert.equal(figures.deploymentFrequency.perDay, 0);
  });

  it('takes the middle two for an even count of lead times', () => {
    const history = [2, 4, 6, 10].map((h, i) =>
      release(`e${i}`, T0 + i * DAY, {
        deployedAt: deployed(T0 + i * DAY),
        endedAt: T0 + i * DAY + h * HOUR,
        changeAt: T0 + i * DAY,
      }),
    );

    assert.equal(deliveryFigures(history, PERIOD, 1).leadTime.medianMs, 5 * HOUR);
  });
});
