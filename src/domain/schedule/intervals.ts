/**
 * Sets of instants as sorted, disjoint, half-open intervals [start, end) of
 * epoch ms: what windows open and freezes close, combined by plain set
 * arithmetic.
 */
export interface Interval {
  start: number;
  end: number;
}

/** The same set as sorted, disjoint intervals; touching ones become one, empty ones go. */
export function merged(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const interval of sorted) {
    const last = out[out.length - 1];
    if (last && interval.start <= last.end) last.end = Math.max(last.end, interval.end);
    else out.push({ ...interval });
  }
  return out;
}

/** The instants of `kept` that are in none of `removed`; both sorted and disjoint (see merged). */
export function without(kept: readonly Interval[], removed: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const interval of kept) {
    let start = interval.start;
    for (const hole of removed) {
      if (hole.end <= start || hole.start >= interval.end) continue;
      if (hole.start > start) out.push({ start, end: hole.start });
      start = Math.max(start, hole.end);
      if (start >= interval.end) break;
    }
    if (start < interval.end) out.push({ start, end: interval.end });
  }
  return out;
}

/** The interval of a sorted, disjoint set that holds `instant`, if any. */
export function intervalHolding(intervals: readonly Interval[], instant: number): Interval | undefined {
  return intervals.find((i) => i.start <= instant && instant < i.end);
}
