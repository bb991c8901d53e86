import type { ContextBlock, InputBlock, ModalView } from '@slack/types';
import type { Release } from '../../domain/release';
import { REVIEW_ANSWER_MAX, REVIEW_QUESTIONS, type ReviewField } from '../../domain/review';
import { LIMITS } from './limits';
import { MODAL_LIMITS } from './modal-limits';
import { releaseId, slackTime, titleMrkdwn, who } from './release-format';
import { truncate, truncateMrkdwn } from './text';

/** The post-deployment review modal: the runbook's questions, one multiline answer each. */

/** The modal's callback_id: its view_submission listener matches on it. */
export const REVIEW_CALLBACK_ID = 'release_review';
/** Every answer's input has this action id; its block id names the question. */
export const REVIEW_ANSWER_ACTION = 'answer';

const BLOCK_PREFIX = 'review:';

/** The input block of a question: `review:wentWell`. Errors in the submission's answer are keyed by it. */
export function reviewBlockId(field: ReviewField): string {
  return `${BLOCK_PREFIX}${field}`;
}

/**
 * The modal for `release`, its private_metadata the release id. Opened again
 * after someone answered, it holds the stored answers, so a second submission
 * edits the review rather than starting it over.
 */
export function reviewModal(release: Release): ModalView {
  const earlier = release.review;
  const about: ContextBlock = {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: truncateMrkdwn(
          `${titleMrkdwn(release)} · ${release.state.replace('_', ' ')} · ${releaseId(release)}` +
            (earlier
              ? `\nLast saved by ${who(earlier.by)} ${slackTime(earlier.at, 'datetime')}; saving replaces it.`
              : ''),
          LIMITS.sectionText,
        ),
      },
    ],
  };
  const inputs = REVIEW_QUESTIONS.map((question): InputBlock => {
    const answer = earlier?.[question.field] ?? '';
    return {
      type: 'input',
      block_id: reviewBlockId(question.field),
      // Blank answers are allowed one by one; "answer at least one" is checked on submission.
      optional: true,
      label: { type: 'plain_text', text: truncate(question.label, MODAL_LIMITS.inputLabel), emoji: true },
      hint: { type: 'plain_text', text: truncate(question.hint, MODAL_LIMITS.inputHint), emoji: true },
      element: {
        type: 'plain_text_input',
        action_id: REVIEW_ANSWER_ACTION,
        multiline: true,
        max_length: REVIEW_ANSWER_MAX,
        ...(answer !== '' ? { initial_value: truncate(answer, REVIEW_ANSWER_MAX) } : {}),
      },
    };
  });
  return {
    type: 'modal',
    callback_id: REVIEW_CALLBACK_ID,
    private_metadata: truncate(release.id, MODAL_LIMITS.privateMetadata),
    title: { type: 'plain_text', text: 'Post-deployment review', emoji: true },
    submit: { type: 'plain_text', text: 'Save review', emoji: true },
    close: { type: 'plain_text', text: 'Cancel', emoji: true },
    blocks: [about, ...inputs],
  };
}

type StateValues = Record<string, Record<string, { value?: string | null } | undefined> | undefined>;

/**
 * The answers from a submitted view's `state.values`, by question. Slack sends
 * `null` for an input left empty and leaves out blocks it did not show; both
 * come back undefined, for validateReviewAnswers to read as blank.
 */
export function reviewAnswersFromState(values: StateValues): Partial<Record<ReviewField, unknown>> {
  const answers: Partial<Record<ReviewField, unknown>> = {};
  for (const { field } of REVIEW_QUESTIONS) {
    const value = values[reviewBlockId(field)]?.[REVIEW_ANSWER_ACTION]?.value;
    if (typeof value === 'string') answers[field] = value;
  }
  return answers;
}

/** Field errors as a view_submission answer's `errors`: block id to message. */
export function reviewBlockErrors(errors: Partial<Record<ReviewField, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(errors).map(([field, message]) => [reviewBlockId(field as ReviewField), message]),
  );
}

/** An error about the whole submission, shown on the first question (Slack shows errors only beside inputs). */
export function reviewSubmissionError(message: string): Record<string, string> {
  const first = REVIEW_QUESTIONS[0];
  return first ? { [reviewBlockId(first.field)]: truncate(message, 2000) } : {};
}
