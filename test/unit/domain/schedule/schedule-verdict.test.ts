import assert from 'node:assert/strict';
import { nextAllowedAt } from '../../../../src/domain/schedule/next-allowed';
import type { Schedule } from '../../../../src/domain/schedule/schedule';
import { judgeSchedule, nextAllowedWords } from '../../../../src/domain/schedule/schedule-verdict';
import { BERLIN, MON_FRI, SAT, SUN, iso, oneOff, span } from './schedule-fixtures';

const at = Date.parse;

describe('judging a release against its schedule', () => {
  it('allows anything when the environment has no schedule', () => {
    assert.deepEqual(judgeSchedule(undefined, 'major', at('2026-12-25T03:00:00Z'), 'production'), {
      allowed: true,
    });
  });

  it('allows a type without a windows key at any hour (hotfix at Sunday 03:00)', () => {
    assert.deepEqual(judgeSchedule(BERLIN, 'hotfix', at('2026-12-06T03:00:00+01:00'), 'production'), {
      allowed: true,
    });
  });

  it('refuses a minor release before office hours with the rule and the window opening', () => {
    // Tue 1 Dec 2026 03:41 in Berlin
    const now = at('2026-12-01T02:41:00Z');
    const verdict = judgeSchedule(BERLIN, 'minor', now, 'production');
    assert.deepEqual(verdict, {
      allowed: false,
      kind: 'window',
      rule: 'minor releases to production run Mon–Fri 09:00–17:00 Europe/Berlin',
      nextAllowedAt: at('2026-12-01T09:00:00+01:00'),
    });
    assert.equal(
      nextAllowedWords(verdict.allowed ? undefined : verdict.nextAllowedAt, now, BERLIN.timeZone),
      'next window: Tue 09:00 Europe/Berlin, in 5 h 19 min',
    );
  });

  it('opens at the window’s first instant and closes at its end', () => {
    const open = at('2026-12-01T09:00:00+01:00');
    const close = at('2026-12-01T17:00:00+01:00');
    assert.equal(judgeSchedule(BERLIN, 'minor', open - 1, 'production').allowed, false);
    assert.equal(judgeSchedule(BERLIN, 'minor', open, 'production').allowed, true);
    assert.equal(judgeSchedule(BERLIN, 'minor', close - 1, 'production').allowed, true);
    assert.equal(judgeSchedule(BERLIN, 'minor', close, 'production').allowed, false);
  });

  it('never allows a type listed with no windows, and says so', () => {
    const closed: Schedule = { ...BERLIN, windows: { major: [] } };
    const now = at('2026-12-01T10:00:00Z');
    const verdict = judgeSchedule(closed, 'major', now, 'production');
    assert.deepEqual(verdict, {
      allowed: false,
      kind: 'window',
      rule: 'major releases to production have no window: none is configured',
    });
    assert.equal(nextAllowedWords(undefined, now, closed.timeZone), 'no window for this type is configured');
  });

  it('finds the next window past a holiday freeze that covers weeks of windows', () => {
    // Fri 18 Dec, 18:00 Berlin: the window is shut, then two weeks of freeze
    const now = at('2026-12-18T18:00:00+01:00');
    const verdict = judgeSchedule(BERLIN, 'minor', now, 'production');
    assert.equal(!verdict.allowed && iso(verdict.nextAllowedAt), '2027-01-04T08:00:00.000Z');
    assert.equal(
      nextAllowedWords(!verdict.allowed ? verdict.nextAllowedAt : undefined, now, BERLIN.timeZone),
      'next window: Mon 4 Jan 09:00 Europe/Berlin, in 16 days',
    );
  });

  it('finds a window that opens partway, when a freeze covers its start', () => {
    const schedule: Schedule = {
      ...BERLIN,
      freezes: [oneOff('2026-12-01T06:00:00Z', '2026-12-01T10:30:00+01:00', 'database maintenance')],
    };
    assert.equal(
      iso(nextAllowedAt(schedule, 'minor', at('2026-12-01T07:00:00Z'))),
      '2026-12-01T09:30:00.000Z',
    );
  });

  it('gives up after about 400 days and reports no next time', () => {
    const schedule: Schedule = {
      ...BERLIN,
      freezes: [oneOff('2026-01-01T00:00:00Z', '2028-06-01T00:00:00Z', 'moratorium')],
    };
    const verdict = judgeSchedule(schedule, 'minor', at('2026-12-01T10:00:00Z'), 'production');
    assert.equal(verdict.allowed, false);
    assert.equal(!verdict.allowed && verdict.nextAllowedAt, undefined);
  });

  describe('a window that a DST jump shortens or lengthens', () => {
    const night = (timeZone: string): Schedule => ({
      timeZone,
      windows: { major: [span(SUN, '02:00', '04:00')] },
      freezes: [],
    });
    // [zone, now, next allowed, last allowed instant + 1 ms, the window after]
    const ROWS: [string, string, string, string, string][] = [
      // Berlin, 29 Mar 2026: 02:00 does not happen; the window is 03:00–04:00 CEST
      [
        'Europe/Berlin',
        '2026-03-28T12:00:00Z',
        '2026-03-29T01:00:00Z',
        '2026-03-29T02:00:00Z',
        '2026-04-05T00:00:00Z',
      ],
      // Berlin, 25 Oct 2026: 02:00–04:00 lasts from 02:00 CEST to 04:00 CET, three hours
      [
        'Europe/Berlin',
        '2026-10-24T12:00:00Z',
        '2026-10-25T00:00:00Z',
        '2026-10-25T03:00:00Z',
        '2026-11-01T01:00:00Z',
      ],
      // New York, 8 Mar 2026: 03:00–04:00 EDT
      [
        'America/New_York',
        '2026-03-07T12:00:00Z',
        '2026-03-08T07:00:00Z',
        '2026-03-08T08:00:00Z',
        '2026-03-15T06:00:00Z',
      ],
      // New York, 1 Nov 2026: clocks go back at 02:00, so 02:00–04:00 EST is unaffected: two hours
      [
        'America/New_York',
        '2026-10-31T12:00:00Z',
        '2026-11-01T07:00:00Z',
        '2026-11-01T09:00:00Z',
        '2026-11-08T07:00:00Z',
      ],
      // Sydney, 4 Oct 2026 (spring): 03:00–04:00 AEDT
      [
        'Australia/Sydney',
        '2026-10-03T00:00:00Z',
        '2026-10-03T16:00:00Z',
        '2026-10-03T17:00:00Z',
        '2026-10-10T15:00:00Z',
      ],
      // Sydney, 5 Apr 2026 (autumn): 02:00 AEDT to 04:00 AEST, three hours
      [
        'Australia/Sydney',
        '2026-04-04T00:00:00Z',
        '2026-04-04T15:00:00Z',
        '2026-04-04T18:00:00Z',
        '2026-04-11T16:00:00Z',
      ],
    ];
    for (const [zone, now, next, end, after] of ROWS) {
      it(`${zone}: from ${now} the window opens ${next}, closes ${end}, then opens ${after}`, () => {
        const schedule = night(zone);
        assert.equal(iso(nextAllowedAt(schedule, 'major', at(now))), new Date(next).toISOString());
        assert.equal(judgeSchedule(schedule, 'major', at(end) - 1, 'production').allowed, true);
        const closed = judgeSchedule(schedule, 'major', at(end), 'production');
        assert.equal(!closed.allowed && iso(closed.nextAllowedAt), new Date(after).toISOString());
      });
    }
  });

  it('judges an overnight window on both sides of midnight', () => {
    const schedule: Schedule = {
      timeZone: 'America/New_York',
      windows: { major: [span(SAT, '22:00', '02:00')], minor: [span(MON_FRI, '09:00', '17:00')] },
      freezes: [],
    };
    assert.equal(
      judgeSchedule(schedule, 'major', at('2026-12-05T21:59:00-05:00'), 'production').allowed,
      false,
    );
    assert.equal(
      judgeSchedule(schedule, 'major', at('2026-12-05T23:30:00-05:00'), 'production').allowed,
      true,
    );
    assert.equal(
      judgeSchedule(schedule, 'major', at('2026-12-06T01:59:00-05:00'), 'production').allowed,
      true,
    );
    const after = judgeSchedule(schedule, 'major', at('2026-12-06T02:00:00-05:00'), 'production');
    assert.equal(!after.allowed && iso(after.nextAllowedAt), '2026-12-13T03:00:00.000Z');
  });
});
