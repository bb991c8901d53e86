import assert from 'node:assert/strict';
import {
  HOUR,
  canonicalTimeZone,
  instantOf,
  localTime,
  offsetAt,
  offsetSegments,
} from '../../../../src/domain/schedule/wall-clock';

/** A wall-clock reading as local ms, written the way the tests think of it. */
const reading = (iso: string) => Date.parse(`${iso}Z`);

describe('wall clock: time-zone arithmetic with Intl', () => {
  const OFFSETS: [string, string, number][] = [
    ['Europe/Berlin', '2026-01-15T12:00:00Z', 1],
    ['Europe/Berlin', '2026-07-15T12:00:00Z', 2],
    ['America/New_York', '2026-01-15T12:00:00Z', -5],
    ['America/New_York', '2026-07-15T12:00:00Z', -4],
    // Southern hemisphere: summer time in January.
    ['Australia/Sydney', '2026-01-15T12:00:00Z', 11],
    ['Australia/Sydney', '2026-07-15T12:00:00Z', 10],
    ['Asia/Kolkata', '2026-07-15T12:00:00Z', 5.5],
  ];
  for (const [zone, instant, hours] of OFFSETS) {
    it(`knows ${zone} is UTC${hours >= 0 ? '+' : ''}${hours} at ${instant}`, () => {
      assert.equal(offsetAt(Date.parse(instant), zone), hours * HOUR);
    });
  }

  const CHANGES: [string, string, string, number][] = [
    ['Europe/Berlin', 'spring forward', '2026-03-29T01:00:00Z', 2],
    ['Europe/Berlin', 'fall back', '2026-10-25T01:00:00Z', 1],
    ['America/New_York', 'spring forward', '2026-03-08T07:00:00Z', -4],
    ['America/New_York', 'fall back', '2026-11-01T06:00:00Z', -5],
    ['Australia/Sydney', 'fall back', '2026-04-04T16:00:00Z', 10],
    ['Australia/Sydney', 'spring forward', '2026-10-03T16:00:00Z', 11],
  ];
  for (const [zone, what, change, after] of CHANGES) {
    it(`cuts a year of ${zone} at its ${what}, to the second`, () => {
      const segments = offsetSegments(Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1), zone);
      assert.equal(segments.length, 3);
      const cut = segments.find((s) => s.start === Date.parse(change));
      assert.ok(cut, `no segment starts at ${change}`);
      assert.equal(cut.offset, after * HOUR);
      assert.equal(segments[segments.indexOf(cut) - 1]?.end, Date.parse(change));
    });
  }

  it('reads an instant as the wall clock there shows it', () => {
    assert.equal(
      localTime(Date.parse('2026-12-01T02:41:00Z'), 'Europe/Berlin'),
      reading('2026-12-01T03:41:00'),
    );
    assert.equal(
      localTime(Date.parse('2026-12-01T02:41:00Z'), 'Australia/Sydney'),
      reading('2026-12-01T13:41:00'),
    );
  });

  const READINGS: [string, string, string, string][] = [
    ['Europe/Berlin', 'an ordinary reading', '2026-06-01T09:00:00', '2026-06-01T07:00:00Z'],
    [
      'Europe/Berlin',
      'a skipped reading, moved forward by the jump',
      '2026-03-29T02:30:00',
      '2026-03-29T01:30:00Z',
    ],
    [
      'Europe/Berlin',
      'a repeated reading, at its first showing',
      '2026-10-25T02:30:00',
      '2026-10-25T00:30:00Z',
    ],
    ['America/New_York', 'a skipped reading', '2026-03-08T02:15:00', '2026-03-08T07:15:00Z'],
    ['America/New_York', 'a repeated reading', '2026-11-01T01:30:00', '2026-11-01T05:30:00Z'],
    ['Australia/Sydney', 'a skipped reading', '2026-10-04T02:30:00', '2026-10-03T16:30:00Z'],
    ['Australia/Sydney', 'a repeated reading', '2026-04-05T02:30:00', '2026-04-04T15:30:00Z'],
  ];
  for (const [zone, what, local, instant] of READINGS) {
    it(`places ${what} in ${zone}: ${local} is ${instant}`, () => {
      assert.equal(instantOf(reading(local), zone), Date.parse(instant));
    });
  }

  it('knows IANA names in any case and refuses fixed offsets and unknown names', () => {
    assert.equal(canonicalTimeZone('europe/berlin'), 'Europe/Berlin');
    assert.equal(canonicalTimeZone('Australia/Sydney'), 'Australia/Sydney');
    assert.equal(canonicalTimeZone('+01:00'), undefined);
    assert.equal(canonicalTimeZone('Europe/Berln'), undefined);
  });
});
