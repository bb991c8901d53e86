import { BUCKETS_PER_E, latencyBucket } from '../../src/domain/traffic';
import type { Random } from './random';

/**
 * Response times of a service as a log-normal distribution (what web latency
 * looks like away from its far tail), and the share of it that falls in each
 * latency bucket of src/domain/traffic.ts, so a slot's histogram can be drawn
 * as one Poisson count per bucket instead of one draw per request.
 */
export interface LogNormal {
  /** Median latency, ms (e^mu). */
  medianMs: number;
  /** Standard deviation of ln(latency). */
  sigma: number;
}

/** z with Φ(z) = 0.99: the p99 of a log-normal is median · e^(sigma · Z99). */
export const Z99 = 2.3263478740408408;

export function p99Of(d: LogNormal): number {
  return d.medianMs * Math.exp(d.sigma * Z99);
}

/** The same distribution with every latency multiplied by `factor` (so is every percentile). */
export function scaled(d: LogNormal, factor: number): LogNormal {
  return { medianMs: d.medianMs * factor, sigma: d.sigma };
}

/**
 * erfc(x) by Numerical Recipes' Chebyshev fit (erfcc): relative error below
 * 1.2e-7 everywhere, tails included, which is where the p99 lives.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Φ(z), the standard normal's cumulative distribution. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/**
 * The buckets a distribution reaches, with the probability of each: bucket b
 * holds (e^((b-1)/10), e^(b/10)] ms, bucket 0 everything up to 1 ms. Buckets
 * beyond 7 sigma (probability ~1e-12 together) are left out.
 */
export interface BucketTable {
  distribution: LogNormal;
  first: number;
  probabilities: Float64Array;
  /** The bucket keys as TrafficCounts spells them, so drawing does not format numbers. */
  keys: string[];
}

export function bucketTable(d: LogNormal): BucketTable {
  const mu = Math.log(d.medianMs);
  const first = Math.max(0, Math.floor((mu - 7 * d.sigma) * BUCKETS_PER_E));
  const last = Math.max(first, Math.ceil((mu + 7 * d.sigma) * BUCKETS_PER_E));
  const cdfAtUpperEdge = (b: number) => normalCdf((b / BUCKETS_PER_E - mu) / d.sigma);
  const probabilities = new Float64Array(last - first + 1);
  const keys: string[] = [];
  for (let b = first; b <= last; b++) {
    const below = b === 0 ? 0 : cdfAtUpperEdge(b - 1);
    probabilities[b - first] = cdfAtUpperEdge(b) - below;
    keys.push(String(b));
  }
  return { distribution: d, first, probabilities, keys };
}

/**
 * Adds the requests a Poisson process with `mean` requests puts in each bucket
 * to `histogram`, and returns how many there were. Per bucket (independent
 * Poisson counts, by the process's splitting property) when there are more
 * requests than buckets; one latency per request otherwise, which is the same
 * distribution, only cheaper for a handful.
 */
export function drawRequests(
  rng: Random,
  mean: number,
  table: BucketTable,
  histogram: Record<string, number>,
): number {
  if (!(mean > 0)) return 0;
  const { probabilities, keys } = table;
  let total = 0;
  if (mean > probabilities.length) {
    for (let i = 0; i < probabilities.length; i++) {
      const n = rng.poisson(mean * (probabilities[i] as number));
      if (n > 0) {
        const key = keys[i] as string;
        histogram[key] = (histogram[key] ?? 0) + n;
        total += n;
      }
    }
    return total;
  }
  const n = rng.poisson(mean);
  const mu = Math.log(table.distribution.medianMs);
  for (let i = 0; i < n; i++) {
    const key = String(latencyBucket(Math.exp(mu + table.distribution.sigma * rng.normal())));
    histogram[key] = (histogram[key] ?? 0) + 1;
  }
  return n;
}
