/**
 * DORA's performance bands, from the 2023 Accelerate State of DevOps Report
 * (the software delivery performance clusters, Elite / High / Medium / Low).
 *
 * The report describes each cluster by a range ("between once per day and
 * once per week") or, for change failure rate, by the cluster's typical rate
 * (5 %, 10 %, 15 %, 64 %). Its Low cluster overlaps Medium on frequency and lead
 * time, so the ranges are turned into cut points: each band starts where the
 * better one's range ends, and Low is everything worse than Medium.
 *
 * | band   | deployments      | lead time  | change failure rate | time to restore |
 * |--------|------------------|------------|---------------------|-----------------|
 * | elite  | daily or more    | < 1 day    | ≤ 5 %               | < 1 hour        |
 * | high   | weekly or more   | < 1 week   | ≤ 10 %              | < 1 day         |
 * | medium | monthly or more  | < 1 month  | ≤ 15 %              | < 1 week        |
 * | low    | less often       | longer     | more                | longer          |
 */
export const BANDS = ['elite', 'high', 'medium', 'low'] as const;
export type Band = (typeof BANDS)[number];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
/** The report's "month": 30 days. */
const MONTH = 30 * DAY;

/** `perDay`: deployments a day of one app to one environment. */
export function frequencyBand(perDay: number): Band {
  if (perDay >= 1) return 'elite';
  if (perDay >= 1 / 7) return 'high';
  if (perDay >= 1 / 30) return 'medium';
  return 'low';
}

export function leadTimeBand(ms: number): Band {
  if (ms < DAY) return 'elite';
  if (ms < WEEK) return 'high';
  if (ms < MONTH) return 'medium';
  return 'low';
}

/** `rate`: failed changes over deployments, 0 to 1. */
export function changeFailureBand(rate: number): Band {
  if (rate <= 0.05) return 'elite';
  if (rate <= 0.1) return 'high';
  if (rate <= 0.15) return 'medium';
  return 'low';
}

export function restoreBand(ms: number): Band {
  if (ms < HOUR) return 'elite';
  if (ms < DAY) return 'high';
  if (ms < WEEK) return 'medium';
  return 'low';
}
