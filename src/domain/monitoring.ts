import type { TrafficCounts } from './traffic';

/**
 * What monitoring measures: a baseline before the deploy and one sample per
 * slot of the monitoring window after it (runbook "Step 4: Monitor").
 */
export interface ProbeStats {
  requests: number;
  /** Answers that were 5xx or no answer at all. */
  failures: number;
  errorRate: number;
  p50?: number;
  p95?: number;
  p99?: number;
}

export interface Baseline extends ProbeStats {
  /** ERROR lines per minute in the log group over the window before the deploy. */
  errorLogsPerMinute: number;
  /** The lines and minutes behind that rate: how much evidence the baseline is. */
  errorLogs?: { count: number; minutes: number };
  at: number;
  /** The users' requests over the window before the deploy, from access logs. */
  traffic?: TrafficCounts;
  /** The load balancer over the complete minutes before the deploy. */
  loadBalancer?: LoadBalancerBaseline;
  /** Average database connections over the complete minutes before the deploy. */
  dbConnections?: number;
  /** Alarm name -> its state when the baseline was taken. */
  alarms?: Record<string, string>;
  /** Signals the baseline could not read, with why (they are then judged without a baseline). */
  unread?: string[];
  /** The load balancer's target groups found for the app (their metrics' dimension values). */
  loadBalancerTargets?: { targetGroup: string; loadBalancer: string }[];
}

export interface LoadBalancerBaseline {
  requests: number;
  errors: number;
  /** The median of the minutes' p99 target response times, in ms. */
  p99?: number;
  minutes: number;
}

/**
 * One complete minute of CloudWatch metrics (they come per minute and about a
 * minute late): the load balancer's traffic and the database's connections.
 */
export interface MinuteFigures {
  /** Start of the minute, epoch ms. */
  at: number;
  loadBalancer?: {
    requests: number;
    /** HTTPCode_Target_5XX_Count + HTTPCode_ELB_5XX_Count. */
    errors: number;
    /** TargetResponseTime percentiles, ms. */
    p50?: number;
    p99?: number;
  };
  /** Average DatabaseConnections over the minute. */
  dbConnections?: number;
}

/** A task of the release's revision that stopped on its own: a crash, not a replacement. */
export interface Crash {
  arn: string;
  service: string;
  stoppedAt: number;
  /** ECS's stoppedReason and the essential container's exit, in words. */
  reason: string;
}

export interface Sample {
  /** Slot k covers [start + k·interval, start + (k+1)·interval). */
  slot: number;
  from: number;
  to: number;
  errorLogs: number;
  errorLogsPerMinute: number;
  /** The users' requests in the slot, from access logs; undefined when not configured or not read. */
  traffic?: TrafficCounts;
  /** Undefined when the slot passed while no worker could probe (backfilled from logs only). */
  probes?: ProbeStats;
  /** The probes as traffic (for judging when they are the only source). */
  probeTraffic?: TrafficCounts;
  /** Signals that could not be read for this slot, with why: not measured, never a failure of the release. */
  unread?: string[];
  /** Undefined when not measured. */
  tasks?: { running: number; desired: number };
  /** CloudWatch's average over the slot, of the busiest service; undefined when not measured. */
  cpu?: Utilization;
  memory?: Utilization;
}

/** A percent of what the tasks reserved, and which of the app's services it is from. */
export interface Utilization {
  percent: number;
  service: string;
}

/**
 * The busiest service for CPU and for memory (each may be a different service):
 * the app is as saturated as its most saturated service. Services without a
 * figure are skipped; none with one is "not measured".
 */
export function peakUtilization(perService: readonly { service: string; cpu?: number; memory?: number }[]): {
  cpu?: Utilization;
  memory?: Utilization;
} {
  const peak = (figure: 'cpu' | 'memory'): Utilization | undefined => {
    let best: Utilization | undefined;
    for (const s of perService) {
      const percent = s[figure];
      if (percent !== undefined && (best === undefined || percent > best.percent))
        best = { percent, service: s.service };
    }
    return best;
  };
  const cpu = peak('cpu');
  const memory = peak('memory');
  return { ...(cpu && { cpu }), ...(memory && { memory }) };
}

/** Nearest-rank percentile of sorted values; undefined for none. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  // Multiply first: (55 / 100) * 100 is 55.00000000000001 in floating point.
  const rank = Math.ceil((p * sorted.length) / 100);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Latency percentiles over answered probes, and the share of probes that failed. */
export function probeStats(results: readonly { status: number; latencyMs: number }[]): ProbeStats {
  const failures = results.filter((r) => r.status === 0 || r.status >= 500).length;
  const latencies = results
    .filter((r) => r.status !== 0)
    .map((r) => r.latencyMs)
    .sort((a, b) => a - b);
  const p50 = percentile(latencies, 50);
  const p95 = percentile(latencies, 95);
  const p99 = percentile(latencies, 99);
  return {
    requests: results.length,
    failures,
    errorRate: results.length === 0 ? 0 : failures / results.length,
    ...(p50 !== undefined ? { p50 } : {}),
    ...(p95 !== undefined ? { p95 } : {}),
    ...(p99 !== undefined ? { p99 } : {}),
  };
}

export function perMinute(count: number, fromMs: number, toMs: number): number {
  const minutes = (toMs - fromMs) / 60_000;
  return minutes <= 0 ? 0 : count / minutes;
}

/** "+12%" style change of `after` against `before`, for summaries. */
export function change(before: number | undefined, after: number | undefined): string {
  if (before === undefined || after === undefined) return 'n/a';
  if (before === 0) return after === 0 ? '±0%' : 'new';
  const pct = Math.round(((after - before) / before) * 100);
  if (pct === 0) return '±0%';
  return `${pct > 0 ? '+' : ''}${pct}%`;
}
