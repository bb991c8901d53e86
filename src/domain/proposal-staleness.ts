import { shortTaskDefinition } from './image';
import type { Release } from './release';

/**
 * Whether a rollback proposal still describes the world it would act on. Pure:
 * the caller (src/engine/rollback-decisions.ts) reads the history and what ECS
 * runs, this decides.
 */

/** A service that no longer runs the revision the proposal expected. */
export interface ServiceDrift {
  service: string;
  runs: string;
  expected: string;
}

export interface Staleness {
  /** The newest release of the app and environment started since the proposal was made. */
  newer?: Release;
  drift: ServiceDrift[];
}

/**
 * The newest release started since `proposal` was made, from the app and
 * environment's history (newest first). "Since" is either created after the
 * newest release the proposal recorded (order in history, independent of when
 * it started), or started at or after the proposal's creation (a release that
 * was awaiting its start when the proposal was made). The proposal itself never
 * supersedes itself; another rollback that started does.
 */
export function newerStartedRelease(proposal: Release, history: readonly Release[]): Release | undefined {
  const recorded = proposal.proposal?.newestReleaseId;
  const recordedAt = recorded === undefined ? -1 : history.findIndex((r) => r.id === recorded);
  return history.find(
    (r, index) =>
      r.id !== proposal.id &&
      r.startedAt !== undefined &&
      ((recordedAt >= 0 && index < recordedAt) || r.startedAt >= proposal.createdAt),
  );
}

/**
 * Services whose current revision is neither the expected one nor one of
 * `alsoAllowed` (while the reverted release is still in flight, the revision it
 * is moving away from is just as expected). A service ECS did not report is
 * not judged here: describing it fails loudly elsewhere.
 */
export function serviceDrift(
  expects: Readonly<Record<string, string>>,
  running: Readonly<Record<string, string>>,
  alsoAllowed: Readonly<Record<string, string>> = {},
): ServiceDrift[] {
  const drift: ServiceDrift[] = [];
  for (const [service, expected] of Object.entries(expects)) {
    const runs = running[service];
    if (runs === undefined || runs === expected || runs === alsoAllowed[service]) continue;
    drift.push({ service, runs, expected });
  }
  return drift;
}

export function isStale(staleness: Staleness): boolean {
  return staleness.newer !== undefined || staleness.drift.length > 0;
}

/** "superseded by v1.3.0 (r…): backend-service now runs backend:9, not backend:8" */
export function supersededText(staleness: Staleness): string {
  const { newer, drift } = staleness;
  const head = newer ? `superseded by ${describeRelease(newer)}` : 'superseded';
  const changes = drift.map(
    (d) => `${d.service} now runs ${shortTaskDefinition(d.runs)}, not ${shortTaskDefinition(d.expected)}`,
  );
  if (changes.length > 0) return `${head}: ${changes.join('; ')}`;
  return `${head}, started since this proposal`;
}

function describeRelease(release: Release): string {
  if (release.rollbackOf) return `rollback ${release.id} of ${release.version}`;
  return `${release.version} (${release.id})`;
}
