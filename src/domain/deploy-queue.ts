import type { Release } from './release';
import { compareVersions } from './version';

/**
 * The deploy queue of one lock scope (an app and environment, or a lock
 * group), without I/O: who is next, where each waiting release stands, and
 * whether a queued version has been overtaken while it waited.
 *
 * Order is first come, first served by `queuedAt`, ties broken by release id
 * (ids sort by time, and a fixed tie-break makes every process agree). A
 * release queued with `--at` is not eligible before `notBefore`; until then it
 * does not hold up the releases behind it, and once its time has come it takes
 * the place its `queuedAt` gives it.
 */

/** What the queue needs to know of a queued release. */
export interface QueueEntry {
  id: string;
  app: string;
  environment: string;
  version: string;
  requestedBy: string;
  queuedAt: number;
  /** `--at`: not eligible before this time (epoch ms). */
  notBefore?: number;
}

/** Where a waiting release stands, for its message and `/deploy queue`. */
export interface QueueSlot {
  entry: QueueEntry;
  /** 1 for the next to run; scheduled releases are counted after the waiting ones. */
  position: number;
  /** The release it waits behind: the one before it, or for the first the release holding the lock. */
  ahead?: { id: string; version: string };
  /** Set while a `--at` release's time has not come. */
  scheduledFor?: number;
}

/** One lock scope's queue as shown: its places, and the release holding the scope if any. */
export interface QueueListing {
  scope: { app: string; environment: string };
  holder?: { id: string; version: string };
  slots: QueueSlot[];
}

/** A queued release's entry, or undefined for a release that is not queued. */
export function queueEntryOf(release: Release): QueueEntry | undefined {
  if (release.state !== 'queued' || !release.queue) return undefined;
  const { queuedAt, notBefore } = release.queue;
  return {
    id: release.id,
    app: release.app,
    environment: release.environment,
    version: release.version,
    requestedBy: release.requestedBy,
    queuedAt,
    ...(notBefore !== undefined ? { notBefore } : {}),
  };
}

/** First come, first served; the id breaks ties. */
export function compareQueued(a: QueueEntry, b: QueueEntry): number {
  if (a.queuedAt !== b.queuedAt) return a.queuedAt - b.queuedAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function isEligible(entry: QueueEntry, now: number): boolean {
  return entry.notBefore === undefined || entry.notBefore <= now;
}

/** The eligible entries in the order they run. */
export function runOrder(entries: readonly QueueEntry[], now: number): QueueEntry[] {
  return entries.filter((e) => isEligible(e, now)).sort(compareQueued);
}

/** The release that runs next, or undefined when none is eligible now. */
export function headOf(entries: readonly QueueEntry[], now: number): QueueEntry | undefined {
  return runOrder(entries, now)[0];
}

/** When the next scheduled entry becomes eligible, so that something wakes the queue then. */
export function nextEligibleAt(entries: readonly QueueEntry[], now: number): number | undefined {
  const times = entries.flatMap((e) => (e.notBefore !== undefined && e.notBefore > now ? [e.notBefore] : []));
  return times.length > 0 ? Math.min(...times) : undefined;
}

/**
 * Every entry's place: the eligible ones in run order, each behind the one
 * before it (the first behind `holder`, the release holding the lock, if any),
 * then the scheduled ones by the time they become eligible.
 */
export function queueSlots(
  entries: readonly QueueEntry[],
  now: number,
  holder?: { id: string; version: string },
): QueueSlot[] {
  const waiting = runOrder(entries, now);
  const scheduled = entries
    .filter((e) => !isEligible(e, now))
    .sort((a, b) => (a.notBefore ?? 0) - (b.notBefore ?? 0) || compareQueued(a, b));
  const slots: QueueSlot[] = [];
  let ahead = holder;
  for (const entry of waiting) {
    slots.push({ entry, position: slots.length + 1, ...(ahead ? { ahead } : {}) });
    ahead = { id: entry.id, version: entry.version };
  }
  for (const entry of scheduled) {
    slots.push({ entry, position: slots.length + 1, scheduledFor: entry.notBefore ?? now });
  }
  return slots;
}

/** `1st`, `2nd`, `3rd`, `4th`, `11th`, `21st`. */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  const suffix = ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/**
 * The release that overtook a queued one, if any: a newer version of the same
 * app and environment that succeeded after it was queued, or was requested
 * after it was queued and not withdrawn (cancelled). Running the queued one
 * then would deploy an older version over a newer one, so its requester is
 * asked first. Rollbacks do not count: they restore, they do not move on.
 */
export function supersedingRelease(queued: QueueEntry, others: readonly Release[]): Release | undefined {
  const newer = others.filter(
    (r) =>
      r.id !== queued.id &&
      r.app === queued.app &&
      r.environment === queued.environment &&
      r.rollbackOf === undefined &&
      compareVersions(r.version, queued.version) > 0 &&
      ((r.state === 'succeeded' && (r.endedAt ?? r.createdAt) > queued.queuedAt) ||
        (r.createdAt > queued.queuedAt && r.state !== 'cancelled')),
  );
  return newer.sort((a, b) => compareVersions(b.version, a.version))[0];
}
