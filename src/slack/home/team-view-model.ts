import type { Release } from '../../domain/release';
import type { RunningVersion } from '../../domain/running-version';

/**
 * What the App Home tab shows one person: plain data, gathered by
 * src/engine/team-view.ts and drawn by home-view.ts. Nothing here is
 * formatted yet except `dora`, whose figures come pre-rendered.
 */
export interface TeamView {
  /** The Slack user the view is for: `pendingApprovals` are theirs. */
  viewer: string;
  /** When it was gathered (epoch ms). */
  now: number;
  /** Every configured app, in configuration order. */
  apps: AppRow[];
  /** Rollback proposals this viewer may approve, oldest first. */
  pendingApprovals: Release[];
  /** The newest releases of every app, newest first (at most LAST_RELEASES). */
  lastReleases: Release[];
  /**
   * By id: the rollback of a listed reverted release, so that the last
   * releases read "rolled back" rather than "succeeded".
   */
  related: Record<string, Release>;
  /** DORA figures, one mrkdwn line each; absent until a source is plugged in. */
  dora?: DoraLines;
}

export interface DoraLines {
  /** E.g. "Last 30 days, all apps". */
  title: string;
  lines: string[];
}

export interface AppRow {
  app: string;
  environments: EnvironmentRow[];
}

export interface EnvironmentRow {
  environment: string;
  /** Undefined when the releases read do not say (none succeeded yet, or all too old). */
  running?: RunningVersion;
  lock?: LockState;
  freeze?: FreezeState;
  /** Releases awaiting their start, running, or proposals awaiting a decision: oldest first. */
  inFlight: Release[];
  /** Queued releases, in queue order. */
  queued: Release[];
}

export type LockState =
  | { kind: 'manual'; by: string; reason: string; since: number }
  | { kind: 'release'; releaseId: string; since: number };

export interface FreezeState {
  reason: string;
  /** When it lifts (epoch ms), when known. */
  until?: number;
}

/** How many of the newest releases the Home tab lists. */
export const LAST_RELEASES = 10;
