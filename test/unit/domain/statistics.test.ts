import { strict as assert } from 'node:assert';
import { binomialUpperTail, logGamma, rateIncreasePValue } from '../../../src/domain/statistics';

/** P(X >= k) summed term by term: the reference for small n. */
function exactTail(k: number, n: number, p: number): number {
  let sum = 0;
  for (let i = Math.max(0, k); i <= n; i++) {
    sum += Math.exp(
      logGamma(n + 1) - logGamma(i + 1) - logGamma(n - i + 1) + i * Math.log(p) + (n - i) * Math.log(1 - p),
    );
  }
  return sum;
}

describe('statistics', () => {
  it('logGamma matches factorials', () => {
    for (const n of [1, 2, 5, 10, 20]) {
      let f = 1;
      for (let i = 2; i < n; i++) f *= i;
      assert.ok(Math.abs(logGamma(n) - Math.log(f)) < 1e-10, `Γ(${n})`);
    }
  });

  it('binomial upper tail agrees with the term-by-term sum', () => {
    const cases: [number, number, number][] = [
      [3, 10, 0.5],
      [0, 10, 0.2],
      [1, 50, 0.01],
      [16, 300, 0.01],
      [40, 500, 0.05],
      [30, 250, 0.12],
      [250, 250, 0.9],
    ];
    for (const [k, n, p] of cases) {
      const got = binomialUpperTail(k, n, p);
      const want = exactTail(k, n, p);
      assert.ok(Math.abs(got - want) <= 1e-9 + 1e-7 * want, `P(X>=${k}|${n},${p}) = ${got}, want ${want}`);
    }
  });

  it('binomial tail edges: k <= 0 is certain, k > n impossible, p at the ends', () => {
    assert.equal(binomialUpperTail(0, 10, 0.3), 1);
    assert.equal(binomialUpperTail(11, 10, 0.3), 0);
    assert.equal(binomialUpperTail(1, 10, 0), 0);
    assert.equal(binomialUpperTail(10, 10, 1), 1);
  });

  it('stays finite and monotone for millions of trials', () => {
    const a = binomialUpperTail(1_000, 1_000_000, 0.001);
    const b = binomialUpperTail(1_100, 1_000_000, 0.001);
    assert.ok(a > 0.4 && a < 0.6, String(a));
    assert.ok(b < 0.002 && b > 0, String(b));
  });

  it('rate increase: the same rate is not significant, ten times the rate is', () => {
    // 0.2 % of 30,000 at baseline; 0.2 % of 1,000 now.
    assert.ok(rateIncreasePValue(60, 30_000, 2, 1_000) > 0.3);
    // 6 % of 1,000 now.
    assert.ok(rateIncreasePValue(60, 30_000, 60, 1_000) < 1e-10);
  });

  it('rate increase against a factor: three times the baseline is the null hypothesis', () => {
    // 6/min at baseline over 15 min; 18 in one minute is exactly 3x: not beyond it.
    assert.ok(rateIncreasePValue(90, 15, 18, 1, 3) > 0.3);
    assert.ok(rateIncreasePValue(90, 15, 60, 1, 3) < 1e-6);
  });

  it('a small baseline is weak evidence: no events in a short baseline proves little', () => {
    assert.ok(rateIncreasePValue(0, 10, 1, 10) > 0.4);
  });
});
