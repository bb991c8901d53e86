/**
 * The benchmark's only source of chance: a seeded generator, so a run is
 * reproducible figure for figure, and each window draws from a stream of its
 * own (seeded from the run's seed and the window's coordinates), so a window's
 * traffic does not depend on which windows were simulated before it.
 */

/** splitmix32's finalizer: spreads nearby inputs (window 1, window 2) over unrelated seeds. */
function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** One 32-bit seed from several integers (the run's seed, scenario, level, window index). */
export function seedOf(...parts: readonly number[]): number {
  let h = 0x2545f491;
  for (const part of parts) h = mix32(h ^ mix32(part | 0));
  return h;
}

const LOG_FACTORIALS: number[] = [0];
for (let k = 1; k < 256; k++) LOG_FACTORIALS.push((LOG_FACTORIALS[k - 1] as number) + Math.log(k));

/** ln k! — a table below 256, Stirling's series (error < 1e-15 there) above. */
export function logFactorial(k: number): number {
  if (k < 256) return LOG_FACTORIALS[k] as number;
  const x = k + 1;
  return (
    (x - 0.5) * Math.log(x) -
    x +
    0.5 * Math.log(2 * Math.PI) +
    1 / (12 * x) -
    1 / (360 * x ** 3) +
    1 / (1260 * x ** 5)
  );
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128 bits of
 * state, passes PractRand to terabytes, far beyond the ~10^9 draws of a run.
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    this.a = mix32(seed);
    this.b = mix32(seed ^ 0x6a09e667);
    this.c = mix32(seed ^ 0xbb67ae85);
    this.d = 1;
    // The first outputs of a fresh state are correlated with the seed: discard them.
    for (let i = 0; i < 12; i++) this.next32();
  }

  private next32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next32() / 4294967296;
  }

  /** Uniform in [low, high). */
  between(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** An integer in [low, high], each equally likely. */
  integer(low: number, high: number): number {
    return low + Math.floor(this.uniform() * (high - low + 1));
  }

  /** Standard normal (Marsaglia's polar method; the pair's second value is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        this.spareNormal = v * f;
        return u * f;
      }
    }
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.uniform());
  }

  /**
   * Poisson with mean `mean`, exactly (no normal approximation: the tails are
   * what a false-alarm rate is made of). Knuth's product of uniforms for small
   * means, Hörmann's transformed rejection (PTRS, 1993) from 10 on.
   */
  poisson(mean: number): number {
    if (!(mean > 0)) return 0;
    if (mean < 10) {
      const limit = Math.exp(-mean);
      let k = 0;
      let product = this.uniform();
      while (product > limit) {
        k += 1;
        product *= this.uniform();
      }
      return k;
    }
    const sqrtMean = Math.sqrt(mean);
    const logMean = Math.log(mean);
    const b = 0.931 + 2.53 * sqrtMean;
    const a = -0.059 + 0.02483 * b;
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.uniform() - 0.5;
      const v = this.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (
        Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
        -mean + k * logMean - logFactorial(k)
      )
        return k;
    }
  }
}
