import assert from 'node:assert/strict';
import type { ReleaseType } from '../../../../src/domain/release';
import type { DailySpan, Schedule, Weekday } from '../../../../src/domain/schedule/schedule';
import { HOUR } from '../../../../src/domain/schedule/wall-clock';
import { spanWords, windowIntervals, windowRuleWords } from '../../../../src/domain/schedule/windows';

const SUN: Weekday[] = [0];
const SAT: Weekday[] = [6];
const MON_FRI: Weekday[] = [1, 2, 3, 4, 5];
const DAILY: Weekday[] = [0, 1, 2, 3, 4, 5, 6];

/** A window from `from` to `to`, both "HH:MM". */
function span(days: Weekday[], from: string, to: string): DailySpan {
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  return { days, from: minutes(from), to: minutes(to) };
}

function scheduleIn(timeZone: string, minor: DailySpan[]): Schedule {
  return { timeZone, windows: { minor }, freezes: [] };
}

/** The window instants in [from, to), both given as ISO instants, as [ISO, ISO] pairs. */
function openings(
  schedule: Schedule,
  from: string,
  to: string,
  type: ReleaseType = 'minor',
): [string, string][] {
  return windowIntervals(schedule, type, Date.parse(from), Date.parse(to)).map((i) => [
    new Date(i.start).toISOString(),
    new Date(i.end).toISOString(),
  ]);
}

describe('release windows on the wall clock, across time zones and DST', () => {
  // [what, zone, window, search from, search to, expected real-time openings, real hours]
  const TABLE: [string, string, DailySpan, string, string, [string, string][], number][] = [
    [
      'Berlin 02:00–04:00 on the spring-forward day lasts one hour, 03:00–04:00 CEST',
      'Europe/Berlin',
      span(SUN, '02:00', '04:00'),
      '2026-03-28T12:00:00Z',
      '2026-03-29T12:00:00Z',
      [['2026-03-29T01:00:00.000Z', '2026-03-29T02:00:00.000Z']],
      1,
    ],
    [
      'Berlin 02:00–04:00 on the fall-back day lasts three hours, the repeated hour twice',
      'Europe/Berlin',
      span(SUN, '02:00', '04:00'),
      '2026-10-24T12:00:00Z',
      '2026-10-25T12:00:00Z',
      [['2026-10-25T00:00:00.000Z', '2026-10-25T03:00:00.000Z']],
      3,
    ],
    [
      'Berlin 09:00 is 09:00 CEST on the spring-forward day and 09:00 CET the day before',
      'Europe/Berlin',
      span(DAILY, '09:00', '17:00'),
      '2026-03-28T00:00:00Z',
      '2026-03-30T00:00:00Z',
      [
        ['2026-03-28T08:00:00.000Z', '2026-03-28T16:00:00.000Z'],
        ['2026-03-29T07:00:00.000Z', '2026-03-29T15:00:00.000Z'],
      ],
      16,
    ],
    [
      'Berlin Sat 22:00–03:00 overnight, shortened to four hours by the spring-forward jump',
      'Europe/Berlin',
      span(SAT, '22:00', '03:00'),
      '2026-03-28T00:00:00Z',
      '2026-03-30T00:00:00Z',
      [['2026-03-28T21:00:00.000Z', '2026-03-29T01:00:00.000Z']],
      4,
    ],
    [
      'Berlin Sat 22:00–02:00 overnight on the fall-back night ends at the first 02:00',
      'Europe/Berlin',
      span(SAT, '22:00', '02:00'),
      '2026-10-24T00:00:00Z',
      '2026-10-26T00:00:00Z',
      [['2026-10-24T20:00:00.000Z', '2026-10-25T00:00:00.000Z']],
      4,
    ],
    [
      'New York 02:00–04:00 on the spring-forward day lasts one hour, 03:00–04:00 EDT',
      'America/New_York',
      span(SUN, '02:00', '04:00'),
      '2026-03-07T12:00:00Z',
      '2026-03-08T12:00:00Z',
      [['2026-03-08T07:00:00.000Z', '2026-03-08T08:00:00.000Z']],
      1,
    ],
    [
      'New York 00:00–06:00 on the fall-back day lasts seven hours',
      'America/New_York',
      span(SUN, '00:00', '06:00'),
      '2026-10-31T12:00:00Z',
      '2026-11-01T18:00:00Z',
      [['2026-11-01T04:00:00.000Z', '2026-11-01T11:00:00.000Z']],
      7,
    ],
    [
      'Sydney 02:00–04:00 on the October spring-forward day lasts one hour',
      'Australia/Sydney',
      span(SUN, '02:00', '04:00'),
      '2026-10-03T00:00:00Z',
      '2026-10-04T00:00:00Z',
      [['2026-10-03T16:00:00.000Z', '2026-10-03T17:00:00.000Z']],
      1,
    ],
    [
      'Sydney 02:00–04:00 on the April fall-back day lasts three hours',
      'Australia/Sydney',
      span(SUN, '02:00', '04:00'),
      '2026-04-04T00:00:00Z',
      '2026-04-05T00:00:00Z',
      [['2026-04-04T15:00:00.000Z', '2026-04-04T18:00:00.000Z']],
      3,
    ],
    [
      'Sydney Mon–Fri 09:00–17:00 is UTC 22:00–06:00 the evening before in summer',
      'Australia/Sydney',
      span(MON_FRI, '09:00', '17:00'),
      '2026-12-06T00:00:00Z',
      '2026-12-08T00:00:00Z',
      [
        ['2026-12-06T22:00:00.000Z', '2026-12-07T06:00:00.000Z'],
        ['2026-12-07T22:00:00.000Z', '2026-12-08T00:00:00.000Z'],
      ],
      10,
    ],
    [
      'a window to 24:00 runs up to midnight on each of its days',
      'Europe/Berlin',
      span([5, 6], '18:00', '24:00'),
      '2026-12-04T00:00:00Z',
      '2026-12-07T00:00:00Z',
      [
        ['2026-12-04T17:00:00.000Z', '2026-12-04T23:00:00.000Z'],
        ['2026-12-05T17:00:00.000Z', '2026-12-05T23:00:00.000Z'],
      ],
      12,
    ],
  ];

  for (const [what, zone, window, from, to, expected, hours] of TABLE) {
    it(what, () => {
      const found = openings(scheduleIn(zone, [window]), from, to);
      assert.deepEqual(found, expected);
      const total = found.reduce((sum, [s, e]) => sum + Date.parse(e) - Date.parse(s), 0);
      assert.equal(total, hours * HOUR);
    });
  }

  it('joins a window ending 24:00 to one starting 00:00 the next day', () => {
    const schedule = scheduleIn('Europe/Berlin', [span([5], '18:00', '24:00'), span(SAT, '00:00', '06:00')]);
    assert.deepEqual(openings(schedule, '2026-12-04T00:00:00Z', '2026-12-06T00:00:00Z'), [
      ['2026-12-04T17:00:00.000Z', '2026-12-05T05:00:00.000Z'],
    ]);
  });

  it('keeps an overnight window every day open all but the hour between its end and the next start', () => {
    const schedule = scheduleIn('Europe/Berlin', [span(DAILY, '12:00', '11:00')]);
    assert.deepEqual(openings(schedule, '2026-12-01T00:00:00Z', '2026-12-02T00:00:00Z'), [
      ['2026-12-01T00:00:00.000Z', '2026-12-01T10:00:00.000Z'],
      ['2026-12-01T11:00:00.000Z', '2026-12-02T00:00:00.000Z'],
    ]);
  });

  it('leaves a type without a windows key open all the time, and a type with an empty list never', () => {
    const schedule: Schedule = { timeZone: 'Europe/Berlin', windows: { minor: [] }, freezes: [] };
    assert.deepEqual(openings(schedule, '2026-12-01T00:00:00Z', '2026-12-02T00:00:00Z', 'hotfix'), [
      ['2026-12-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z'],
    ]);
    assert.deepEqual(openings(schedule, '2026-12-01T00:00:00Z', '2026-12-02T00:00:00Z', 'minor'), []);
  });

  it('says the policy in words', () => {
    const schedule = scheduleIn('Europe/Berlin', [
      span(MON_FRI, '09:00', '17:00'),
      span(SAT, '22:00', '02:00'),
    ]);
    assert.equal(
      windowRuleWords(schedule, 'minor', 'production'),
      'minor releases to production run Mon–Fri 09:00–17:00 and Sat 22:00–02:00 (into the next day) Europe/Berlin',
    );
    assert.equal(
      windowRuleWords({ ...schedule, windows: { minor: [] } }, 'minor', 'production'),
      'minor releases to production have no window: none is configured',
    );
    assert.equal(spanWords(span([1, 3], '18:00', '24:00')), 'Mon, Wed 18:00–24:00');
  });
});
