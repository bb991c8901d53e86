import assert from 'node:assert/strict';
import { trendOf } from '../../../../src/domain/dora/trend';

describe('DORA trend against the previous period', () => {
  it('more deployments is an improvement, a longer lead time is not', () => {
    assert.deepEqual(trendOf(3, 2, 'higher'), { kind: 'up', previous: 2, improved: true });
    assert.deepEqual(trendOf(3, 2, 'lower'), { kind: 'up', previous: 2, improved: false });
    assert.deepEqual(trendOf(1, 2, 'lower'), { kind: 'down', previous: 2, improved: true });
    assert.deepEqual(trendOf(1, 2, 'higher'), { kind: 'down', previous: 2, improved: false });
  });

  it('within 5 % of the previous value is the same', () => {
    assert.deepEqual(trendOf(2.1, 2, 'higher'), { kind: 'same', previous: 2 });
    assert.deepEqual(trendOf(1.9, 2, 'higher'), { kind: 'same', previous: 2 });
    assert.equal(trendOf(2.11, 2, 'higher')?.kind, 'up');
    assert.deepEqual(trendOf(0, 0, 'lower'), { kind: 'same', previous: 0 });
    assert.equal(trendOf(0.01, 0, 'lower')?.kind, 'up');
  });

  it('says when the previous period had nothing to compare, and nothing when there is no figure now', () => {
    assert.deepEqual(trendOf(1, undefined, 'higher'), { kind: 'no-previous' });
    assert.equal(trendOf(undefined, 1, 'higher'), undefined);
  });
});
