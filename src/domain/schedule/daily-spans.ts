import { merged, type Interval } from './intervals';
import type { DailySpan, Weekday } from './schedule';
import { DAY, MINUTE, offsetSegments } from './wall-clock';

/**
 * The instants in [from, to) at which the clock in `timeZone` reads a time
 * inside one of `spans`. Worked out per stretch of constant offset, where a
 * reading and an instant differ by that offset: so the hour skipped when
 * clocks go forward belongs to no span, and the hour repeated when they go
 * back belongs to a span twice — a window 02:00–04:00 lasts one real hour on
 * the spring-forward day and three on the fall-back day.
 */
export function spanIntervals(
  spans: readonly DailySpan[],
  from: number,
  to: number,
  timeZone: string,
): Interval[] {
  if (spans.length === 0 || to <= from) return [];
  const found: Interval[] = [];
  for (const segment of offsetSegments(from, to, timeZone)) {
    const localStart = segment.start + segment.offset;
    const localEnd = segment.end + segment.offset;
    // From the day before: a span crossing midnight reaches into this one.
    const firstDay = Math.floor(localStart / DAY) - 1;
    const lastDay = Math.floor((localEnd - 1) / DAY);
    for (let day = firstDay; day <= lastDay; day++) {
      const midnight = day * DAY;
      const weekday = new Date(midnight).getUTCDay() as Weekday;
      for (const span of spans) {
        if (!span.days.includes(weekday)) continue;
        const start = Math.max(midnight + span.from * MINUTE, localStart);
        const end = Math.min(midnight + spanEnd(span) * MINUTE, localEnd);
        if (end > start) found.push({ start: start - segment.offset, end: end - segment.offset });
      }
    }
  }
  return merged(found);
}

/** Minutes after the start day's midnight at which `span` ends: past 1440 when it crosses midnight. */
function spanEnd(span: DailySpan): number {
  return span.to > span.from ? span.to : span.to + 24 * 60;
}
