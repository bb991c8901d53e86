import type { Release, StepName } from '../domain/release';

/**
 * Where people follow a release. The Slack adapter keeps one message per release
 * up to date and posts details in its thread; until it exists a logging adapter
 * (src/engine/log-chat.ts) lets the engine run headless.
 *
 * Chat is best effort for the engine: an implementation may throw, and the engine
 * logs and carries on, because a Slack outage must not stop a rollout mid-way.
 */
export interface ReleaseChat {
  releaseCreated(release: Release): Promise<void>;
  /** The release or one of its steps changed state; implementations coalesce. */
  releaseUpdated(release: Release): Promise<void>;
  /** A detail for the release's thread: a step's findings, an error, a log tail. */
  stepDetail(release: Release, step: StepName, lines: string[]): Promise<void>;
  /**
   * The release ended. For a rollback, the reverted release's message changes
   * with it (from "rolling back" to "rolled back" or "rollback failed").
   */
  releaseFinished(release: Release): Promise<void>;
  /**
   * The app and environment were locked by hand after `release` (a service
   * rollback) ended: nobody deploys again until a person unlocks. Said where the
   * channel sees it, with the command that unlocks.
   */
  appLocked(release: Release, lock: { by: string; reason: string; at: number }): Promise<void>;

  /**
   * The release was requested against the release policy by someone allowed to
   * override it (break-glass, `release.override`): said in its thread and to
   * the channel, beside the banner its message carries.
   */
  policyOverridden(release: Release): Promise<void>;
  /**
   * The runbook's post-deployment review is due: ask for it in the release's
   * thread, with a way to answer (the Slack adapter opens a modal).
   */
  reviewRequested(release: Release): Promise<void>;
}
