/**
 * Times of day as a schedule writes them, `09:00` or `9:00` on a 24-hour
 * clock, kept as minutes after midnight. `24:00` is the end of a day: a span
 * may end there, nothing may start there.
 */

const TIME = /^(\d{1,2}):(\d{2})$/;

/** Minutes after midnight for `text`, or undefined; 24:00 (1440) only when `endOfDay` is allowed. */
export function parseTimeOfDay(text: string, options: { endOfDay?: boolean } = {}): number | undefined {
  const match = TIME.exec(text.trim());
  if (!match) return undefined;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (hours === 24 && minutes === 0 && options.endOfDay) return 24 * 60;
  if (hours > 23 || minutes > 59) return undefined;
  return hours * 60 + minutes;
}

/** 540 → "09:00", 1440 → "24:00". */
export function formatTimeOfDay(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  return `${String(hours).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
