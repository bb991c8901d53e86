import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../../../src/domain/duration';

const PARSED: [string, number][] = [
  ['500ms', 500],
  ['0ms', 0],
  ['1s', 1_000],
  ['60s', 60_000],
  ['15m', 900_000],
  ['2h', 7_200_000],
  ['1d', 86_400_000],
  ['1.5s', 1_500],
  ['0.5m', 30_000],
  ['1.0005s', 1_001], // rounded to whole milliseconds
  ['  15m ', 900_000], // surrounding whitespace is ignored
  ['90m', 5_400_000],
];

const NOT_DURATIONS: string[] = [
  '15',
  '15 m',
  '-1s',
  '1y',
  '',
  '   ',
  'm',
  '1.s',
  '.5s',
  '15M',
  '1h30m',
  '15mins',
  '1e3ms',
  '+5s',
  'Infinitys',
];

describe('parseDuration', () => {
  for (const [text, ms] of PARSED) {
    it(`reads ${JSON.stringify(text)} as ${ms}ms`, () => {
      assert.equal(parseDuration(text), ms);
    });
  }

  for (const text of NOT_DURATIONS) {
    it(`answers undefined for ${JSON.stringify(text)}`, () => {
      assert.equal(parseDuration(text), undefined);
    });
  }
});

const FORMATTED: [number, string][] = [
  [0, '0ms'],
  [1, '1ms'],
  [950, '950ms'],
  [999, '999ms'],
  [12.4, '12ms'],
  [1_000, '1s'],
  [1_499, '1s'],
  [1_500, '2s'],
  [42_000, '42s'],
  [59_499, '59s'],
  [59_500, '1m 00s'], // rounds up into the next unit, not "60s"
  [60_000, '1m 00s'],
  [185_000, '3m 05s'],
  [3_599_000, '59m 59s'],
  [3_599_500, '1h 00m'],
  [3_600_000, '1h 00m'],
  [3_720_000, '1h 02m'],
  [86_400_000, '24h 00m'], // no day unit: hours keep counting
  [90_061_000, '25h 01m'],
];

describe('formatDuration', () => {
  for (const [ms, text] of FORMATTED) {
    it(`writes ${ms}ms as ${JSON.stringify(text)}`, () => {
      assert.equal(formatDuration(ms), text);
    });
  }

  it('round-trips configured durations to the same magnitude', () => {
    for (const [text, expected] of [
      ['42s', '42s'],
      ['15m', '15m 00s'],
      ['2h', '2h 00m'],
    ] as const) {
      assert.equal(formatDuration(parseDuration(text) as number), expected);
    }
  });
});
