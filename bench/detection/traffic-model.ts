import { type TrafficCounts } from '../../src/domain/traffic';
import { type BucketTable, type LogNormal, bucketTable, drawRequests, scaled } from './latency';
import type { Random } from './random';

/**
 * A service's ordinary traffic around one deploy, from 15 minutes before it
 * (the baseline) to 15 minutes after (the monitoring window). Time is in
 * seconds from the deploy. Everything that varies between services and between
 * moments is drawn once per window here; simulating a span only draws counts.
 */
export interface TrafficProfile {
  /** The level's average requests per second. */
  rps: number;
  /** Share of requests answered 5xx in ordinary operation (0.1–1 %). */
  errorShare: number;
  latency: LogNormal;
  drift: Drift;
  /** Tasks behind the load balancer: a replaced task carries 1/tasks of the requests. */
  tasks: number;
  replacements: readonly Replacement[];
  /** ERROR log lines a minute that are not a 5xx (retries, warnings logged as errors). */
  logLinesPerMinute: number;
}

/**
 * Rate multiplier 1 + amplitude·sin(2πt/period + phase) + walk(t): a smooth
 * daily-pattern-like swing plus a slow random walk (knots a minute apart,
 * linearly joined), together within ±30 % of the average.
 */
export interface Drift {
  amplitude: number;
  periodS: number;
  phase: number;
  /** walk[i] is the walk at t = WALK_FROM_S + 60·i. */
  walk: readonly number[];
}

/** A task being replaced: for a few seconds its requests see 502s and slower answers. */
export interface Replacement {
  fromS: number;
  toS: number;
  /** Extra share of the replaced task's requests answered 502 while it drains. */
  errorShare: number;
}

/** What a release changes from the deploy on (t ≥ 0); nothing for a healthy one. */
export interface ReleaseEffect {
  /** The release's share of 5xx, instead of the background's. */
  errorShare?: number;
  /** Every latency multiplied by this (so p99 is this times the baseline's). */
  latencyFactor?: number;
}

export const BASELINE_S = 15 * 60;
export const WINDOW_S = 15 * 60;
const WALK_FROM_S = -BASELINE_S;
const WALK_STEP = 0.025;
const WALK_LIMIT = 0.12;
/** The replaced task's latency factor while it drains. */
export const REPLACEMENT_SLOWDOWN = 1.5;
/** On average one task replacement per five minutes. */
const REPLACEMENT_EVERY_S = 300;

export function drawProfile(rng: Random, rps: number): TrafficProfile {
  const walk = [0];
  for (let t = WALK_FROM_S + 60; t <= WINDOW_S + 60; t += 60) {
    const previous = walk[walk.length - 1] as number;
    walk.push(Math.max(-WALK_LIMIT, Math.min(WALK_LIMIT, previous + WALK_STEP * rng.normal())));
  }
  const replacements: Replacement[] = [];
  for (
    let t = -BASELINE_S + rng.exponential(REPLACEMENT_EVERY_S);
    t < WINDOW_S;
    t += rng.exponential(REPLACEMENT_EVERY_S)
  )
    replacements.push({ fromS: t, toS: t + rng.between(10, 20), errorShare: rng.between(0.02, 0.1) });
  return {
    rps,
    errorShare: rng.between(0.001, 0.01),
    latency: { medianMs: rng.between(25, 35), sigma: rng.between(0.4, 0.6) },
    drift: {
      amplitude: rng.between(0.08, 0.18),
      periodS: rng.between(10 * 60, 40 * 60),
      phase: rng.between(0, 2 * Math.PI),
      walk,
    },
    tasks: rng.integer(2, 6),
    replacements,
    logLinesPerMinute: rng.between(0.2, 2),
  };
}

export function driftAt(d: Drift, t: number): number {
  const x = (t - WALK_FROM_S) / 60;
  const i = Math.max(0, Math.min(d.walk.length - 2, Math.floor(x)));
  const left = d.walk[i] as number;
  const right = d.walk[i + 1] as number;
  const walk = left + (right - left) * Math.min(1, Math.max(0, x - i));
  return 1 + d.amplitude * Math.sin((2 * Math.PI * t) / d.periodS + d.phase) + walk;
}

/** What one span of time served: its requests and its ERROR log lines. */
export interface Served {
  traffic: TrafficCounts;
  errorLogs: number;
}

/**
 * Draws the traffic of spans of one window. Invariant: a span lies wholly
 * before the deploy or wholly after it (the release changes things at t = 0).
 */
export class TrafficSimulator {
  private readonly healthy: { steady: BucketTable; draining: BucketTable };
  private readonly released: { steady: BucketTable; draining: BucketTable };

  constructor(
    private readonly rng: Random,
    readonly profile: TrafficProfile,
    readonly release: ReleaseEffect = {},
  ) {
    const tables = (d: LogNormal) => ({
      steady: bucketTable(d),
      draining: bucketTable(scaled(d, REPLACEMENT_SLOWDOWN)),
    });
    this.healthy = tables(profile.latency);
    this.released =
      release.latencyFactor === undefined
        ? this.healthy
        : tables(scaled(profile.latency, release.latencyFactor));
  }

  /** The span [fromS, toS): the rate taken at its middle, replacements by their exact overlap. */
  span(fromS: number, toS: number): Served {
    const p = this.profile;
    const seconds = toS - fromS;
    const requests = p.rps * driftAt(p.drift, (fromS + toS) / 2) * seconds;
    const afterDeploy = fromS >= 0;
    const errorShare = afterDeploy ? (this.release.errorShare ?? p.errorShare) : p.errorShare;
    const tables = afterDeploy ? this.released : this.healthy;

    // The replaced task's share of the span's requests, and its extra 502s (weighted by overlap).
    let drainingShare = 0;
    let drainingErrors = 0;
    for (const r of p.replacements) {
      const overlap = Math.min(toS, r.toS) - Math.max(fromS, r.fromS);
      if (overlap <= 0) continue;
      const share = overlap / seconds / p.tasks;
      drainingShare += share;
      drainingErrors += share * r.errorShare;
    }
    drainingShare = Math.min(1, drainingShare);
    const drainingErrorShare =
      drainingShare > 0 ? Math.min(1, errorShare + drainingErrors / drainingShare) : 0;

    const traffic: TrafficCounts = { requests: 0, errors: 0, latency: {} };
    const serve = (mean: number, share: number, table: BucketTable) => {
      const failed = drawRequests(this.rng, mean * share, table, traffic.latency);
      traffic.requests += failed + drawRequests(this.rng, mean * (1 - share), table, traffic.latency);
      traffic.errors += failed;
    };
    serve(requests * (1 - drainingShare), errorShare, tables.steady);
    if (drainingShare > 0) serve(requests * drainingShare, drainingErrorShare, tables.draining);
    // One ERROR line per 5xx, plus the app's ordinary error lines.
    const errorLogs = traffic.errors + this.rng.poisson((p.logLinesPerMinute * seconds) / 60);
    return { traffic, errorLogs };
  }
}
