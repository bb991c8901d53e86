import assert from 'node:assert/strict';
import { inWords, nextAllowedWords } from '../../../../src/domain/schedule/next-allowed-words';

const at = Date.parse;
const MIN = 60_000;

describe('when a refused release could start, in words', () => {
  it('names the day, the wall-clock time, the zone and how long until then', () => {
    // Tue 1 Dec 2026, 11:50 in Berlin; the window opens at 14:00
    assert.equal(
      nextAllowedWords(at('2026-12-01T14:00:00+01:00'), at('2026-12-01T11:50:00+01:00'), 'Europe/Berlin'),
      'next window: Tue 14:00 Europe/Berlin, in 2 h 10 min',
    );
  });

  it('reads the same instant on the requester’s clock of another zone', () => {
    assert.equal(
      nextAllowedWords(at('2026-12-01T14:00:00+01:00'), at('2026-12-01T11:50:00+01:00'), 'Australia/Sydney'),
      'next window: Wed 00:00 Australia/Sydney, in 2 h 10 min',
    );
    assert.equal(
      nextAllowedWords(at('2026-12-04T09:00:00-05:00'), at('2026-12-01T08:00:00-05:00'), 'America/New_York'),
      'next window: Fri 09:00 America/New_York, in 3 days',
    );
  });

  it('adds the date from a week ahead, and the year from half a year ahead', () => {
    const now = at('2026-12-18T18:00:00+01:00');
    assert.equal(
      nextAllowedWords(at('2027-01-04T09:00:00+01:00'), now, 'Europe/Berlin'),
      'next window: Mon 4 Jan 09:00 Europe/Berlin, in 16 days',
    );
    assert.equal(
      nextAllowedWords(at('2027-07-05T09:00:00+02:00'), now, 'Europe/Berlin'),
      'next window: Mon 5 Jul 2027 09:00 Europe/Berlin, in 198 days',
    );
  });

  it('says there is none when no window is configured', () => {
    assert.equal(
      nextAllowedWords(undefined, at('2026-12-01T10:00:00Z'), 'Europe/Berlin'),
      'no window for this type is configured',
    );
  });

  const DURATIONS: [number, string][] = [
    [0, 'now'],
    [1, 'in 1 min'],
    [45 * MIN, 'in 45 min'],
    [60 * MIN, 'in 1 h'],
    // rounded up: a release tried at the time said is never early
    [2 * 60 * MIN + 9 * MIN + 30_000, 'in 2 h 10 min'],
    [47 * 60 * MIN + 59 * MIN, 'in 47 h 59 min'],
    [48 * 60 * MIN, 'in 2 days'],
    [3 * 24 * 60 * MIN + 5 * 60 * MIN, 'in 3 days'],
  ];
  for (const [ms, words] of DURATIONS) {
    it(`says ${ms} ms as "${words}"`, () => {
      assert.equal(inWords(ms), words);
    });
  }
});
