import type { Sample } from './monitoring';
import { MAX_JUDGE_WINDOW_MS } from './rules/rule';
import { addTraffic, type TrafficCounts } from './traffic';

/**
 * What a monitoring window keeps of its samples. The judge never looks further
 * back than its longest window, so older samples keep their counts but lose
 * their latency histograms, and the window's totals (for the summary's p99)
 * are kept as running sums: the release record stays about the same size
 * however long the window (a 24-hour watch is 144 samples; a 5-s one, 180 a
 * quarter hour), instead of growing with every slot and being rewritten whole.
 */
export interface WindowTotals {
  traffic?: TrafficCounts;
  probeTraffic?: TrafficCounts;
}

export function addToTotals(totals: WindowTotals, sample: Sample): WindowTotals {
  return {
    ...totals,
    ...(sample.traffic
      ? { traffic: totals.traffic ? addTraffic(totals.traffic, sample.traffic) : sample.traffic }
      : {}),
    ...(sample.probeTraffic
      ? {
          probeTraffic: totals.probeTraffic
            ? addTraffic(totals.probeTraffic, sample.probeTraffic)
            : sample.probeTraffic,
        }
      : {}),
  };
}

/** Samples older than the judge can reach (`judgeWindowMs` or five minutes) without their histograms. */
export function compactSamples(samples: Sample[], judgeWindowMs: number): Sample[] {
  const newest = samples.at(-1);
  if (!newest) return samples;
  const keepFrom = newest.to - Math.max(judgeWindowMs, MAX_JUDGE_WINDOW_MS);
  return samples.map((s) => {
    if (s.from >= keepFrom || (!s.traffic?.latency && !s.probeTraffic?.latency)) return s;
    const lean = { ...s };
    if (s.traffic) lean.traffic = { ...s.traffic, latency: {} };
    if (s.probeTraffic) lean.probeTraffic = { ...s.probeTraffic, latency: {} };
    return lean;
  });
}
