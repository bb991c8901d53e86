import type { Baseline, Sample } from '../../src/domain/monitoring';
import { perMinute } from '../../src/domain/monitoring';
import { sumTraffic, trafficPercentile } from '../../src/domain/traffic';
import { Random } from './random';
import {
  BASELINE_S,
  type ReleaseEffect,
  type Served,
  TrafficSimulator,
  WINDOW_S,
  drawProfile,
} from './traffic-model';

/**
 * One deploy as the monitor sees it: the baseline taken from the 15 minutes
 * before it, and the 15-minute window after it, drawn in 5-second ticks. A
 * monitor sampling every 5 s sees the ticks; one sampling every 60 s sees
 * sums of 12 (counts of adjacent spans add up exactly), so both intervals
 * judge the very same traffic.
 */
export interface SimulatedWindow {
  /** Epoch ms of the deploy: the window's start. */
  startMs: number;
  baseline: Baseline;
  /** What [5i, 5i + 5) s after the deploy served. */
  ticks: Served[];
}

export const TICK_S = 5;
/** The baseline is drawn minute by minute: only its totals matter. */
const BASELINE_SPAN_S = 60;
/** A fixed epoch, so a window's samples carry the same times in every run. */
export const DEPLOY_AT_MS = Date.UTC(2026, 0, 5, 10, 0, 0);

export function simulateWindow(seed: number, rps: number, release: ReleaseEffect = {}): SimulatedWindow {
  const rng = new Random(seed);
  const simulator = new TrafficSimulator(rng, drawProfile(rng, rps), release);
  const before: Served[] = [];
  for (let t = -BASELINE_S; t < 0; t += BASELINE_SPAN_S) before.push(simulator.span(t, t + BASELINE_SPAN_S));
  const ticks: Served[] = [];
  for (let t = 0; t < WINDOW_S; t += TICK_S) ticks.push(simulator.span(t, t + TICK_S));
  return { startMs: DEPLOY_AT_MS, baseline: baselineOf(before, DEPLOY_AT_MS), ticks };
}

/** The Baseline the monitor would have taken from these minutes before the deploy. */
export function baselineOf(before: readonly Served[], at: number): Baseline {
  const traffic = sumTraffic(before.map((s) => s.traffic));
  const count = before.reduce((sum, s) => sum + s.errorLogs, 0);
  const minutes = (before.length * BASELINE_SPAN_S) / 60;
  const p50 = trafficPercentile(traffic, 50);
  const p95 = trafficPercentile(traffic, 95);
  const p99 = trafficPercentile(traffic, 99);
  return {
    requests: traffic.requests,
    failures: traffic.errors,
    errorRate: traffic.requests === 0 ? 0 : traffic.errors / traffic.requests,
    ...(p50 !== undefined && { p50 }),
    ...(p95 !== undefined && { p95 }),
    ...(p99 !== undefined && { p99 }),
    errorLogsPerMinute: count / minutes,
    errorLogs: { count, minutes },
    at,
    traffic,
  };
}

/** The window's samples for a monitor sampling every `intervalS` seconds (a multiple of the tick). */
export function samplesOf(window: SimulatedWindow, intervalS: number): Sample[] {
  if (intervalS % TICK_S !== 0) throw new RangeError(`the interval must be a multiple of ${TICK_S} s`);
  const perSample = intervalS / TICK_S;
  const samples: Sample[] = [];
  for (let first = 0; first + perSample <= window.ticks.length; first += perSample) {
    const ticks = window.ticks.slice(first, first + perSample);
    const slot = first / perSample;
    const from = window.startMs + slot * intervalS * 1000;
    const to = from + intervalS * 1000;
    const errorLogs = ticks.reduce((sum, s) => sum + s.errorLogs, 0);
    samples.push({
      slot,
      from,
      to,
      errorLogs,
      errorLogsPerMinute: perMinute(errorLogs, from, to),
      traffic: sumTraffic(ticks.map((s) => s.traffic)),
    });
  }
  return samples;
}
