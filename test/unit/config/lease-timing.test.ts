import assert from 'node:assert/strict';
import { leaseTimingProblems, reconcileIntervalOf } from '../../../src/config/lease-timing';

const MINUTE = 60_000;

describe('leaseTimingProblems', () => {
  it('accepts the defaults: a 10m lock heartbeated every minute, 2h to press Start', () => {
    assert.deepEqual(
      leaseTimingProblems({ engine: { lockTtl: 10 * MINUTE, startTimeout: 120 * MINUTE } }),
      [],
    );
    assert.equal(reconcileIntervalOf({ engine: { lockTtl: 1, startTimeout: 1 } }), MINUTE);
  });

  it('refuses a lock that would not outlive three sweeps', () => {
    const problems = leaseTimingProblems({ engine: { lockTtl: 2 * MINUTE, startTimeout: 120 * MINUTE } });
    assert.equal(problems.length, 1);
    assert.deepEqual(problems, [
      {
        setting: 'lockTtl',
        message:
          '2m is too short: at least 3 reconcile intervals (3m), as the lock is heartbeated once a sweep and must survive a missed one or two',
      },
    ]);
    assert.deepEqual(
      leaseTimingProblems({ engine: { lockTtl: 3 * MINUTE, startTimeout: 120 * MINUTE } }),
      [],
      'exactly three sweeps is enough',
    );
  });

  it('follows a configured reconcile interval', () => {
    const engine = { lockTtl: 10_000, startTimeout: 30_000, reconcileInterval: 2_000 };
    assert.deepEqual(leaseTimingProblems({ engine }), []);
    assert.equal(leaseTimingProblems({ engine: { ...engine, reconcileInterval: 4_000 } }).length, 1);
  });

  it('refuses a start timeout shorter than one sweep and a sweep faster than a second', () => {
    const problems = leaseTimingProblems({
      engine: { lockTtl: 10 * MINUTE, startTimeout: 30_000, reconcileInterval: 500 },
    });
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.setting, 'reconcileInterval');
    assert.match(problems[0]?.message ?? '', /^500ms is too short: at least 1s,/);
    const late = leaseTimingProblems({ engine: { lockTtl: 10 * MINUTE, startTimeout: 30_000 } });
    assert.equal(late[0]?.setting, 'startTimeout');
    assert.match(late[0]?.message ?? '', /^30s is too short: at least the reconcile interval \(1m\)/);
  });
});
