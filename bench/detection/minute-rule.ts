import type { Baseline } from '../../src/domain/monitoring';
import { type TrafficCounts, addTraffic, emptyTraffic, trafficPercentile } from '../../src/domain/traffic';
import type { Watcher } from './watcher';

/**
 * The once-a-minute threshold rule: what a CloudWatch alarm on 1-minute
 * periods with 1 of 1 datapoints, or Flagger's default 60-s analysis, gives.
 * At the end of each whole minute after the deploy it judges that minute
 * alone: 5xx share above 5 %, or p99 above 2x the baseline's p99.
 *
 * Its proposals are timed at the minute's end, i.e. without CloudWatch's
 * publication delay (about a minute for ALB metrics): Flagger's case, the
 * alarm's best one.
 */
export interface MinuteThresholds {
  errorRate: number;
  latencyFactor: number;
}

export const MINUTE_THRESHOLDS: MinuteThresholds = { errorRate: 0.05, latencyFactor: 2 };

const MINUTE_MS = 60_000;

export function minuteWatcher(baseline: Baseline, t: MinuteThresholds = MINUTE_THRESHOLDS): Watcher {
  let minute: TrafficCounts = emptyTraffic();
  return {
    observe(sample) {
      if (sample.traffic) minute = addTraffic(minute, sample.traffic);
      // Samples tile the window from the deploy, so a minute ends exactly at a sample's end.
      if ((sample.to - baseline.at) % MINUTE_MS !== 0) return {};
      const judged = minute;
      minute = emptyTraffic();
      const proposal = minuteProposal(judged, baseline, t);
      return proposal === undefined ? {} : { proposal };
    },
  };
}

/** Why one minute's traffic breaches the thresholds; undefined when it does not. */
export function minuteProposal(
  minute: TrafficCounts,
  baseline: Baseline,
  t: MinuteThresholds,
): string | undefined {
  if (minute.requests > 0 && minute.errors / minute.requests > t.errorRate)
    return `error-rate: 5xx ${((100 * minute.errors) / minute.requests).toFixed(1)}% of ${minute.requests} requests in the last minute`;
  const p99 = trafficPercentile(minute, 99);
  if (p99 !== undefined && baseline.p99 !== undefined && p99 > t.latencyFactor * baseline.p99)
    return `latency: p99 ${Math.round(p99)}ms > ${t.latencyFactor}x baseline ${Math.round(baseline.p99)}ms in the last minute`;
  return undefined;
}
