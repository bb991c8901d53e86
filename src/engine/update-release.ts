import { StaleWriteError } from '../domain/errors';
import type { Release } from '../domain/release';
import type { ReleaseStore } from '../ports/release-store';

/**
 * Enough for a burst of concurrent writers to one release (clicks, a step,
 * preflight's ticks): every round one of them wins, so n writers need at most
 * n rounds.
 */
const MAX_TRIES = 12;
/** Losers wait a few random milliseconds so that they do not collide again in lockstep. */
const MAX_BACKOFF_MS = 8;

/**
 * Load, change, save — again from a fresh copy when someone else wrote in
 * between. `change` decides on the copy it is given, so a cancel that lands
 * during a step is seen rather than overwritten. It may return undefined to
 * write nothing.
 *
 * Exactly-once decisions rest on this: `change` is called anew on every try,
 * so a caller that records "I applied it" inside `change` must reset that at
 * its start; the copy returned is then either the one this call stored (it
 * won) or the current one it declined to change (it lost, or had nothing to do).
 */
export async function updateRelease(
  store: ReleaseStore,
  id: string,
  change: (current: Release) => Release | undefined,
): Promise<Release> {
  for (let attempt = 1; ; attempt++) {
    const current = await store.get(id);
    if (!current) throw new Error(`release ${id} does not exist`);
    const next = change(structuredClone(current));
    if (!next) return current;
    try {
      return await store.save(next);
    } catch (error) {
      if (!(error instanceof StaleWriteError) || attempt >= MAX_TRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * MAX_BACKOFF_MS));
    }
  }
}
