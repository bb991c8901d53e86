import { PLAN_RULES } from './plan';
import { nextRunnableStep, type Release, type StepName } from './release';
import { SHOWN_WORDS, shownState } from './release-status';

/**
 * A busy app as a refusal describes it: what its release is doing
 * ("monitoring"), when it frees up where that is known, and durations said
 * the way a person reads them ("in about 12 min", "3 min ago").
 *
 * Only the monitoring window has a known end: it starts when the monitor step
 * records `progress.windowStart` and lasts the configured window. Every other
 * step ends when AWS is done, and a release awaiting its start ends when
 * someone presses Start; for those nothing is said rather than a guess.
 */

/** The monitoring settings that decide how long a release watches itself. */
export interface MonitoringWindows {
  window: number;
  extendedWindow: number;
  rollbackWindow: number;
}

/** How long `release` monitors: a rollback its rollback window, a major release the extended one. */
export function monitoringWindowOf(release: Release, windows: MonitoringWindows): number {
  if (release.rollbackOf) return windows.rollbackWindow;
  return PLAN_RULES[release.type].monitoring === 'extended' ? windows.extendedWindow : windows.window;
}

/**
 * The moment `release`'s monitoring window ends, when it is running its
 * monitor step and the window has begun; otherwise undefined (not known).
 */
export function freeAt(release: Release, windows: MonitoringWindows): number | undefined {
  if (release.state !== 'running') return undefined;
  const monitor = release.steps.find((s) => s.name === 'monitor');
  if (monitor?.state !== 'running' && monitor?.state !== 'waiting') return undefined;
  const start = monitor.progress.windowStart;
  if (typeof start !== 'number' || !Number.isFinite(start)) return undefined;
  return start + monitoringWindowOf(release, windows);
}

/** What a running release is doing, by its current step, as a busy refusal says it. */
const STEP_DOING: Record<StepName, string> = {
  preflight: 'in preflight',
  backup: 'backing up the database',
  baseline: 'measuring its baseline',
  migrate: 'migrating the database',
  deploy: 'deploying',
  verify: 'verifying',
  monitor: 'monitoring',
  migrate_down: 'rolling back its migration',
  restore: 'restoring a snapshot',
};

/** What a busy release is doing, as a refusal names it: "monitoring", "awaiting approval". */
export function busyDoing(release: Release): string {
  const shown = shownState(release);
  if (shown !== 'running') return SHOWN_WORDS[shown];
  const step =
    release.steps.find((s) => s.state === 'running' || s.state === 'waiting') ?? nextRunnableStep(release);
  return step ? STEP_DOING[step.name] : SHOWN_WORDS.running;
}

const MINUTE = 60_000;

/** "in about 12 min", "in about 2 h 5 min", "in less than a minute", or "any moment now" once due. */
export function untilWords(at: number, now: number): string {
  const ms = at - now;
  if (ms <= 0) return 'any moment now';
  const minutes = Math.round(ms / MINUTE);
  if (minutes < 1) return 'in less than a minute';
  return `in about ${hoursAndMinutes(minutes)}`;
}

/** "just now", "12 min ago", "2 h 5 min ago", "3 days ago". */
export function agoWords(at: number, now: number): string {
  const minutes = Math.floor((now - at) / MINUTE);
  if (minutes < 1) return 'just now';
  if (minutes >= 48 * 60) return `${Math.floor(minutes / (24 * 60))} days ago`;
  return `${hoursAndMinutes(minutes)} ago`;
}

function hoursAndMinutes(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} h${rest ? ` ${rest} min` : ''}`;
}
