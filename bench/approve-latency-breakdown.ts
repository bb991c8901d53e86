/**
 * Turns the spans of many clicks into figures a person can read: each span's
 * typical start and duration (the same span found again in every click by its
 * flow, label and occurrence), and the critical path cut at named milestones.
 * Pure: the spans come from bench/approve-latency-trace.ts, times relative to
 * each click.
 */
import { summarize } from './percentiles';
import type { Span } from './approve-latency-trace';

export interface BreakdownRow {
  context: string;
  /** Unique within a click and flow: the second "store.get" of the web flow is "store.get #2". */
  label: string;
  /** How many spans of the same flow enclose it (in the first click that has it). */
  depth: number;
  /** In how many clicks it occurred. */
  n: number;
  /** Median start, ms after the click was sent. */
  start: number;
  duration: number;
  durationP99: number;
}

/** Spans in start order (an enclosing span before what it encloses), repeated labels numbered. */
export function numbered(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const seen = new Map<string, number>();
  return sorted.map((span) => {
    const key = `${span.context}\u0000${span.label}`;
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    return count === 1 ? span : { ...span, label: `${span.label} #${count}` };
  });
}

/** For spans in `numbered` order: how many earlier spans of the same flow end no earlier than each. */
export function depths(ordered: readonly Span[]): number[] {
  return ordered.map(
    (span, i) =>
      ordered.slice(0, i).filter((outer) => outer.context === span.context && outer.end >= span.end).length,
  );
}

/** Every span seen in any click, by median start. */
export function breakdown(clicks: readonly (readonly Span[])[]): BreakdownRow[] {
  const rows = new Map<
    string,
    { context: string; label: string; depth: number; starts: number[]; durations: number[] }
  >();
  for (const click of clicks) {
    const ordered = numbered(click);
    const levels = depths(ordered);
    ordered.forEach((span, i) => {
      const key = `${span.context}\u0000${span.label}`;
      let row = rows.get(key);
      if (!row) {
        row = { context: span.context, label: span.label, depth: levels[i] ?? 0, starts: [], durations: [] };
        rows.set(key, row);
      }
      row.starts.push(span.start);
      row.durations.push(span.end - span.start);
    });
  }
  return [...rows.values()]
    .map((row) => {
      const durations = summarize(row.durations);
      return {
        context: row.context,
        label: row.label,
        depth: row.depth,
        n: row.starts.length,
        start: summarize(row.starts).p50,
        duration: durations.p50,
        durationP99: durations.p99,
      };
    })
    .sort((a, b) => a.start - b.start || a.depth - b.depth);
}

/** A point on the click's way to AWS: when it happened in a click's spans, if it did. */
export interface Milestone {
  name: string;
  at(spans: readonly Span[]): number | undefined;
}

export interface PathRow {
  from: string;
  to: string;
  /** Clicks in which both milestones were found. */
  n: number;
  p50: number;
  p99: number;
  max: number;
}

/** The time between consecutive milestones, over all clicks; the first milestone is the click itself (0). */
export function criticalPath(
  clicks: readonly (readonly Span[])[],
  milestones: readonly Milestone[],
): PathRow[] {
  const points: Milestone[] = [{ name: 'click sent', at: () => 0 }, ...milestones];
  return points.slice(1).map((to, i) => {
    const from = points[i] as Milestone;
    const gaps: number[] = [];
    for (const click of clicks) {
      const a = from.at(click);
      const b = to.at(click);
      if (a !== undefined && b !== undefined) gaps.push(b - a);
    }
    const s = summarize(gaps);
    return { from: from.name, to: to.name, n: s.n, p50: s.p50, p99: s.p99, max: s.max };
  });
}

/** The first span of `context` whose label starts with `label`: where it began, or with `edge: 'end'` where it ended. */
export function first(context: string, label: string, edge: 'start' | 'end' = 'start'): Milestone['at'] {
  return (spans) => {
    const found = [...spans]
      .sort((a, b) => a.start - b.start)
      .find((s) => s.context === context && s.label.startsWith(label));
    return found === undefined ? undefined : found[edge];
  };
}
