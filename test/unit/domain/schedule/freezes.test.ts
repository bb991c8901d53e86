import assert from 'node:assert/strict';
import { activeFreeze, freezeAt } from '../../../../src/domain/schedule/freezes';
import type { Schedule } from '../../../../src/domain/schedule/schedule';
import { judgeSchedule } from '../../../../src/domain/schedule/schedule-verdict';
import { BERLIN, FRI, MON_FRI, SAT, SUN, iso, oneOff, span, weekly } from './schedule-fixtures';

const at = Date.parse;

describe('freezes', () => {
  describe('a one-off freeze: from inclusive, to exclusive', () => {
    const schedule: Schedule = {
      timeZone: 'Europe/Berlin',
      windows: {},
      freezes: [oneOff('2026-12-19T23:00:00Z', '2027-01-03T23:00:00Z', 'holiday freeze')],
    };
    const ROWS: [string, string, boolean][] = [
      ['the last millisecond before it', '2026-12-19T22:59:59.999Z', true],
      ['its first instant', '2026-12-19T23:00:00.000Z', false],
      ['its last millisecond', '2027-01-03T22:59:59.999Z', false],
      ['its end', '2027-01-03T23:00:00.000Z', true],
    ];
    for (const [what, instant, allowed] of ROWS) {
      it(`${allowed ? 'lets' : 'stops'} a hotfix at ${what}`, () => {
        assert.equal(judgeSchedule(schedule, 'hotfix', at(instant), 'production').allowed, allowed);
      });
    }

    it('says the reason and the end on the clock of the schedule', () => {
      const verdict = judgeSchedule(schedule, 'hotfix', at('2026-12-24T12:00:00Z'), 'production');
      assert.deepEqual(verdict, {
        allowed: false,
        kind: 'freeze',
        rule: 'freeze: holiday freeze (until Mon 4 Jan 00:00 Europe/Berlin)',
        nextAllowedAt: at('2027-01-03T23:00:00Z'),
      });
    });
  });

  describe('a recurring Friday freeze from 15:00', () => {
    it('stops a minor release from 15:00 Berlin time on Friday until the window opens on Monday', () => {
      const friday = (time: string) => at(`2026-12-04T${time}+01:00`);
      assert.deepEqual(judgeSchedule(BERLIN, 'minor', friday('14:59:59.999'), 'production'), {
        allowed: true,
      });
      const verdict = judgeSchedule(BERLIN, 'minor', friday('15:00:00'), 'production');
      assert.deepEqual(verdict, {
        allowed: false,
        kind: 'freeze',
        rule: 'freeze: no Friday-afternoon deploys (until Sat 00:00 Europe/Berlin)',
        nextAllowedAt: at('2026-12-07T09:00:00+01:00'),
      });
    });

    it('lets a hotfix through, as the freeze lists it under except', () => {
      assert.deepEqual(judgeSchedule(BERLIN, 'hotfix', at('2026-12-04T16:00:00+01:00'), 'production'), {
        allowed: true,
      });
    });

    it('follows the local clock across DST: Friday 15:00 is 13:00 UTC in July and 14:00 UTC in December', () => {
      const summer: Schedule = { ...BERLIN, windows: {} };
      assert.equal(freezeAt(summer, at('2026-07-03T12:59:59Z'), 'minor'), undefined);
      assert.equal(
        freezeAt(summer, at('2026-07-03T13:00:00Z'), 'minor')?.reason,
        'no Friday-afternoon deploys',
      );
      assert.equal(freezeAt(summer, at('2026-12-04T13:30:00Z'), 'minor'), undefined);
      assert.ok(freezeAt(summer, at('2026-12-04T14:00:00Z'), 'minor'));
    });
  });

  it('stops a release in the middle of its window, and lets it start when the freeze ends', () => {
    const schedule: Schedule = {
      timeZone: 'America/New_York',
      windows: { minor: [span(MON_FRI, '09:00', '17:00')] },
      freezes: [oneOff('2026-12-02T12:00:00-05:00', '2026-12-02T13:00:00-05:00', 'payments migration')],
    };
    assert.deepEqual(judgeSchedule(schedule, 'minor', at('2026-12-02T11:59:00-05:00'), 'production'), {
      allowed: true,
    });
    const verdict = judgeSchedule(schedule, 'minor', at('2026-12-02T12:30:00-05:00'), 'production');
    assert.equal(verdict.allowed, false);
    assert.equal(!verdict.allowed && verdict.kind, 'freeze');
    assert.equal(!verdict.allowed && iso(verdict.nextAllowedAt), '2026-12-02T18:00:00.000Z');
  });

  describe('the freeze in force, for the team view', () => {
    const schedule: Schedule = {
      timeZone: 'Australia/Sydney',
      windows: {},
      freezes: [
        weekly(FRI, '15:00', '24:00', 'no Friday-afternoon deploys'),
        weekly([...SAT, ...SUN], '00:00', '24:00', 'weekend'),
      ],
    };

    it('tells none without a schedule or outside every freeze', () => {
      assert.equal(activeFreeze(undefined, at('2026-12-04T05:00:00Z')), undefined);
      assert.equal(activeFreeze(schedule, at('2026-12-03T03:00:00Z')), undefined);
    });

    it('lifts when no freeze follows on: Friday afternoon runs into the weekend until Monday 00:00', () => {
      // Fri 4 Dec 16:00 AEDT (UTC+11)
      assert.deepEqual(activeFreeze(schedule, at('2026-12-04T05:00:00Z')), {
        reason: 'no Friday-afternoon deploys',
        until: at('2026-12-07T00:00:00+11:00'),
      });
    });

    it('tells the reason of the freeze lasting longest when several hold', () => {
      const both: Schedule = {
        ...schedule,
        freezes: [
          ...schedule.freezes,
          oneOff('2026-12-05T00:00:00Z', '2026-12-17T00:00:00Z', 'summer freeze'),
        ],
      };
      assert.deepEqual(activeFreeze(both, at('2026-12-06T00:00:00Z')), {
        reason: 'summer freeze',
        // Thu 17 Dec 11:00 in Sydney: no weekend to run into
        until: at('2026-12-17T00:00:00Z'),
      });
    });

    it('shows a freeze that stops some types even when it lets hotfixes through', () => {
      assert.equal(
        activeFreeze(BERLIN, at('2026-12-04T16:00:00+01:00'))?.reason,
        'no Friday-afternoon deploys',
      );
    });
  });
});
