import assert from 'node:assert/strict';
import { bucketRefusals, maxInWindow } from '../../../bench/scale/rates';

describe('scale bench rates', () => {
  it('counts what a token bucket refuses: a full bucket passes its burst, then only the refill', () => {
    // 25 requests at one instant against 20/s with room for 20: 5 refused.
    assert.equal(bucketRefusals(Array(25).fill(1_000), 20, 20), 5);
    // One every 50 ms (20/s) for 10 s: never refused.
    assert.equal(
      bucketRefusals(
        Array.from({ length: 200 }, (_, i) => i * 50),
        20,
        20,
      ),
      0,
    );
    // Two bursts of 20 one second apart: the bucket has refilled in between.
    assert.equal(bucketRefusals([...Array(20).fill(0), ...Array(20).fill(1_000)], 20, 20), 0);
    // …but not half a second apart.
    assert.equal(bucketRefusals([...Array(20).fill(0), ...Array(20).fill(500)], 20, 20), 10);
  });

  it('finds the busiest sliding window, not a clock-aligned one', () => {
    assert.equal(maxInWindow([900, 950, 1_050, 1_100, 2_200], 1_000), 4);
    assert.equal(maxInWindow([], 1_000), 0);
  });
});
