import assert from 'node:assert/strict';
import { parseAtTime } from '../../../../src/domain/schedule/at-time';
import { InvalidRequestError } from '../../../../src/domain/errors';

const at = Date.parse;
/** Tue 1 Dec 2026, 03:41 in Berlin. */
const NOW = at('2026-12-01T03:41:00+01:00');

describe('--at: when a requester wants a release to start', () => {
  const ROWS: [string, string, string, number | string][] = [
    ['a time still ahead today', '14:00', 'Europe/Berlin', '2026-12-01T14:00:00+01:00'],
    ['a time already past today, as tomorrow', '02:00', 'Europe/Berlin', '2026-12-02T02:00:00+01:00'],
    ['a one-digit hour', '9:30', 'Europe/Berlin', '2026-12-01T09:30:00+01:00'],
    [
      'today’s weekday while the time is ahead, as today',
      'tue 14:00',
      'Europe/Berlin',
      '2026-12-01T14:00:00+01:00',
    ],
    [
      'today’s weekday once the time is past, as next week',
      'Tue 03:00',
      'Europe/Berlin',
      '2026-12-08T03:00:00+01:00',
    ],
    ['a weekday in full', 'Friday 9:30', 'Europe/Berlin', '2026-12-04T09:30:00+01:00'],
    ['tomorrow', 'tomorrow 09:30', 'Europe/Berlin', '2026-12-02T09:30:00+01:00'],
    ['today', 'today 23:59', 'Europe/Berlin', '2026-12-01T23:59:00+01:00'],
    ['a date and time', '2026-12-02 14:00', 'Europe/Berlin', '2026-12-02T14:00:00+01:00'],
    ['a date and time with an offset', '2026-12-02T14:00+00:00', 'Europe/Berlin', '2026-12-02T14:00:00Z'],
    ['hours from now', 'in 2h', 'Europe/Berlin', NOW + 2 * 3_600_000],
    ['minutes from now', 'in 90m', 'Europe/Berlin', NOW + 90 * 60_000],
    ['hours and minutes from now', 'in 1h 30min', 'Europe/Berlin', NOW + 90 * 60_000],
    // Tue 1 Dec 2026, 21:41 the day before in New York
    ['a time on the New York clock', '14:00', 'America/New_York', '2026-12-01T14:00:00-05:00'],
    // 13:41 in Sydney
    ['a time on the Sydney clock', 'wed 09:00', 'Australia/Sydney', '2026-12-02T09:00:00+11:00'],
  ];
  for (const [what, text, zone, expected] of ROWS) {
    it(`reads ${what}: "${text}"`, () => {
      const want = typeof expected === 'number' ? expected : at(expected);
      assert.equal(new Date(parseAtTime(text, NOW, zone)).toISOString(), new Date(want).toISOString());
    });
  }

  it('moves a time the clock skips forward by the jump, and takes the first of a repeated one', () => {
    const saturday = at('2026-03-28T12:00:00Z');
    assert.equal(parseAtTime('sun 02:30', saturday, 'Europe/Berlin'), at('2026-03-29T03:30:00+02:00'));
    const october = at('2026-10-24T12:00:00Z');
    assert.equal(parseAtTime('sun 02:30', october, 'Europe/Berlin'), at('2026-10-25T02:30:00+02:00'));
  });

  const REFUSED: [string, string, RegExp][] = [
    [
      'words it does not know',
      'next week',
      /^--at takes a time like "14:00", .*; "next week" is none of these$/,
    ],
    ['an hour past 23', '25:00', /"25:00" is none of these/],
    ['a date the calendar lacks', '2026-02-30 10:00', /"2026-02-30 10:00" is none of these/],
    ['nothing at all', 'in 0m', /"in 0m" is none of these/],
    ['a day it does not know', 'someday 10:00', /"someday 10:00" is none of these/],
    [
      'a date in the past',
      '2026-11-30 14:00',
      /^--at "2026-11-30 14:00" is in the past \(it is now Tue 03:41 Europe\/Berlin\): give a later time$/,
    ],
    ['a time today already past', 'today 01:00', /^--at "today 01:00" is in the past/],
  ];
  for (const [what, text, message] of REFUSED) {
    it(`refuses ${what} with one usage line: "${text}"`, () => {
      assert.throws(
        () => parseAtTime(text, NOW, 'Europe/Berlin'),
        (error: unknown) => {
          assert.ok(error instanceof InvalidRequestError);
          assert.equal(error.code, 'usage');
          assert.match(error.message, message);
          assert.doesNotMatch(error.message, /\n/);
          return true;
        },
      );
    });
  }
});
