import { StaleWriteError } from '../domain/errors';
import type { Release } from '../domain/release';
import type { ReleaseStore } from '../ports/release-store';

const MAX_TRIES = 5;

/**
 * Load, change, save — again from a fresh copy when someone else wrote in
 * between. `change` decides on the copy it is given, so a cancel that lands
 * during a step is seen rather than overwritten. It may return undefined to
 * write nothing.
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
    }
  }
}
