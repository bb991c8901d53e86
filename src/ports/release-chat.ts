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

  /**
   * A queued release reached the head of its queue and its preflight ran: its
   * requester is told in its thread (a mention) to press Start, with what the
   * checklist still needs — or that it started by itself, its checklist having
   * been completed while it waited.
   */
  queueTurnCame(release: Release, turn: QueueTurn): Promise<void>;
  /**
   * The release at the head of its queue was overtaken by a newer version while
   * it waited: its requester is asked in its thread whether to run it anyway or
   * cancel it. The queue holds until someone answers.
   */
  queuedReleaseSuperseded(release: Release, newer: { id: string; version: string }): Promise<void>;
}

/** What a release at the head of its queue does once its preflight has run. */
export type QueueTurn =
  /** `missing`: the required checklist items still open, in words. */
  | { kind: 'press_start'; missing: string[] }
  /** Started by deploybot: every required item was ticked while it waited (`tickedBy`: who ticked them). */
  | { kind: 'started'; tickedBy: string[] };
