/**
 * Things to do long after a release step: the runbook's summaries after an
 * hour, a day and a week, the review questions, the post-mortem reminder after
 * a rollback, reminding approvers of a proposal nobody decided, and closing a
 * proposal made by hand that nobody decided within rollback.proposalTtl. Scheduled
 * as delayed jobs (src/queue/), so they survive restarts and happen once.
 */
export type FollowUpKind = 'summary' | 'review' | 'postmortem' | 'remind-approvers' | 'expire-proposal';

export interface FollowUp {
  releaseId: string;
  kind: FollowUpKind;
  /** Milliseconds after the event that scheduled it; part of the job's identity. */
  afterMs: number;
  /** For reminders: how many were sent before this one. */
  round?: number;
}

export interface FollowUpScheduler {
  /** Idempotent: the same follow-up scheduled twice is one job. */
  schedule(followUp: FollowUp): Promise<void>;
}
