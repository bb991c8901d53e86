import assert from 'node:assert/strict';
import {
  changeFailureBand,
  frequencyBand,
  leadTimeBand,
  restoreBand,
} from '../../../../src/domain/dora/bands';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('DORA bands (2023 report cut points)', () => {
  it('deployment frequency: daily is elite, weekly high, monthly medium, rarer low', () => {
    assert.equal(frequencyBand(3), 'elite');
    assert.equal(frequencyBand(1), 'elite');
    assert.equal(frequencyBand(0.99), 'high');
    assert.equal(frequencyBand(1 / 7), 'high');
    assert.equal(frequencyBand(1 / 8), 'medium');
    assert.equal(frequencyBand(1 / 30), 'medium');
    assert.equal(frequencyBand(1 / 31), 'low');
    assert.equal(frequencyBand(0), 'low');
  });

  it('lead time: under a day elite, a week high, a month medium, longer low', () => {
    assert.equal(leadTimeBand(DAY - 1), 'elite');
    assert.equal(leadTimeBand(DAY), 'high');
    assert.equal(leadTimeBand(7 * DAY - 1), 'high');
    assert.equal(leadTimeBand(7 * DAY), 'medium');
    assert.equal(leadTimeBand(30 * DAY - 1), 'medium');
    assert.equal(leadTimeBand(30 * DAY), 'low');
  });

  it('change failure rate: 5 % elite, 10 % high, 15 % medium, more low', () => {
    assert.equal(changeFailureBand(0), 'elite');
    assert.equal(changeFailureBand(0.05), 'elite');
    assert.equal(changeFailureBand(0.051), 'high');
    assert.equal(changeFailureBand(0.1), 'high');
    assert.equal(changeFailureBand(0.15), 'medium');
    assert.equal(changeFailureBand(0.16), 'low');
  });

  it('time to restore: under an hour elite, a day high, a week medium, longer low', () => {
    assert.equal(restoreBand(HOUR - 1), 'elite');
    assert.equal(restoreBand(HOUR), 'high');
    assert.equal(restoreBand(DAY - 1), 'high');
    assert.equal(restoreBand(DAY), 'medium');
    assert.equal(restoreBand(7 * DAY - 1), 'medium');
    assert.equal(restoreBand(7 * DAY), 'low');
  });
});
