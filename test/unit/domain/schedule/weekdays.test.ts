import assert from 'node:assert/strict';
import { formatTimeOfDay, parseTimeOfDay } from '../../../../src/domain/schedule/time-of-day';
import { describeDays, parseDays } from '../../../../src/domain/schedule/weekdays';

describe('days of the week and times of day, as a schedule writes them', () => {
  const DAYS: [string | string[], number[] | string][] = [
    ['mon-fri', [1, 2, 3, 4, 5]],
    ['Sat', [6]],
    ['daily', [0, 1, 2, 3, 4, 5, 6]],
    [
      ['mon', 'wednesday'],
      [1, 3],
    ],
    // across the weekend
    ['fri-mon', [0, 1, 5, 6]],
    [
      ['mon-tue', 'fri', 'tue'],
      [1, 2, 5],
    ],
    ['mon-fir', "'fir' is not a day"],
    ['mon-wed-fri', "'mon-wed-fri' is not a day or a range of days"],
    [[], 'no days listed'],
  ];
  for (const [written, expected] of DAYS) {
    it(`reads ${JSON.stringify(written)}`, () => {
      const parsed = parseDays(written);
      assert.deepEqual(parsed, typeof expected === 'string' ? { problem: expected } : { days: expected });
    });
  }

  const WORDS: [number[], string][] = [
    [[1, 2, 3, 4, 5], 'Mon–Fri'],
    [[0, 6], 'Sat, Sun'],
    [[1, 2, 3, 5], 'Mon–Wed, Fri'],
    [[0, 1, 2, 3, 4, 5, 6], 'daily'],
    [[5, 6, 0], 'Fri–Sun'],
  ];
  for (const [days, words] of WORDS) {
    it(`says ${JSON.stringify(days)} as "${words}"`, () => {
      assert.equal(describeDays(days as Parameters<typeof describeDays>[0]), words);
    });
  }

  it('reads times of day on a 24-hour clock, 24:00 only as an end', () => {
    assert.equal(parseTimeOfDay('09:00'), 540);
    assert.equal(parseTimeOfDay('9:05'), 545);
    assert.equal(parseTimeOfDay('23:59'), 1439);
    assert.equal(parseTimeOfDay('24:00'), undefined);
    assert.equal(parseTimeOfDay('24:00', { endOfDay: true }), 1440);
    assert.equal(parseTimeOfDay('24:30', { endOfDay: true }), undefined);
    assert.equal(parseTimeOfDay('12:60'), undefined);
    assert.equal(parseTimeOfDay('9am'), undefined);
    assert.equal(formatTimeOfDay(540), '09:00');
    assert.equal(formatTimeOfDay(1440), '24:00');
  });
});
