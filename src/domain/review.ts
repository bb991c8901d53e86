import { isFinished, type Release, type ReleaseReview } from './release';

/**
 * The runbook's post-deployment review ("Continuous Improvement", within 24
 * hours of each deployment): its three questions, plus the follow-up actions
 * its "Update Documentation" and "Automation" items ask people to name.
 */

/** The answers a review holds: every field of ReleaseReview but who and when. */
export type ReviewAnswers = Omit<ReleaseReview, 'by' | 'at'>;
export type ReviewField = keyof ReviewAnswers;

export interface ReviewQuestion {
  field: ReviewField;
  /** The question as the runbook asks it. */
  label: string;
  /** What a good answer mentions, shown under the field. */
  hint: string;
}

/**
 * Slack's plain_text_input holds at most 3000 characters; an answer is kept
 * whole or refused, never cut, so that what was written is what is stored.
 */
export const REVIEW_ANSWER_MAX = 3000;

export const REVIEW_QUESTIONS: readonly ReviewQuestion[] = [
  {
    field: 'wentWell',
    label: 'What went well?',
    hint: 'Steps, checks or habits worth keeping.',
  },
  {
    field: 'couldImprove',
    label: 'What could be improved?',
    hint: 'Slow, manual or confusing parts of the release.',
  },
  {
    field: 'unexpectedIssues',
    label: 'Any unexpected issues?',
    hint: 'Errors, alarms, surprises in monitoring, user reports.',
  },
  {
    field: 'followUpActions',
    label: 'Follow-up actions',
    hint: 'Runbook or script updates, monitoring to add, manual steps to automate, tests to write.',
  },
];

export type ReviewValidation =
  { ok: true; answers: ReviewAnswers } | { ok: false; errors: Partial<Record<ReviewField, string>> };

/**
 * Checks what someone typed: answers are trimmed (line ends made `\n`), each
 * must fit REVIEW_ANSWER_MAX, and at least one must say something — a review
 * of four blanks records nothing worth reading. Errors are per field, worded
 * for the person, ready to show beside the field.
 */
export function validateReviewAnswers(raw: Partial<Record<ReviewField, unknown>>): ReviewValidation {
  const errors: Partial<Record<ReviewField, string>> = {};
  const answers = {} as ReviewAnswers;
  for (const { field } of REVIEW_QUESTIONS) {
    const value = raw[field];
    const text = typeof value === 'string' ? value.replace(/\r\n?/g, '\n').trim() : '';
    if (text.length > REVIEW_ANSWER_MAX) {
      errors[field] = `Keep it to ${REVIEW_ANSWER_MAX} characters (this has ${text.length}).`;
    }
    answers[field] = text;
  }
  const first = REVIEW_QUESTIONS[0];
  if (first && REVIEW_QUESTIONS.every(({ field }) => answers[field] === '')) {
    errors[first.field] = 'Answer at least one question.';
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, answers };
}

/**
 * Why `release` cannot be reviewed yet, or undefined when it can: a review
 * looks back on a release, so it opens once the release has ended, whatever
 * its outcome (a failed or rolled-back release is the one most worth reviewing).
 */
export function reviewRefusal(release: Release): string | undefined {
  if (isFinished(release)) return undefined;
  return `Release ${release.id} has not finished yet (${release.state.replace('_', ' ')}); review it once it has.`;
}

/** The review as stored: the answers, who gave them and when. */
export function releaseReview(answers: ReviewAnswers, by: string, at: number): ReleaseReview {
  return { by, at, ...answers };
}

/**
 * Whether `review` already holds these answers from this person: the same
 * submission delivered twice (a replayed request, Save pressed twice), which is
 * recorded once, not as a review replacing itself.
 */
export function isSameReview(review: ReleaseReview | undefined, answers: ReviewAnswers, by: string): boolean {
  return (
    review !== undefined &&
    review.by === by &&
    REVIEW_QUESTIONS.every(({ field }) => review[field] === answers[field])
  );
}
