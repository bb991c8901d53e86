import assert from 'node:assert/strict';
import type { Release } from '../../../src/domain/release';
import {
  REVIEW_ANSWER_MAX,
  REVIEW_QUESTIONS,
  releaseReview,
  reviewRefusal,
  validateReviewAnswers,
} from '../../../src/domain/review';

function releaseIn(state: Release['state']): Release {
  return {
    id: 'r20261127t171340-3f9a',
    app: 'backend',
    environment: 'production',
    version: 'v1.2.0',
    type: 'minor',
    requestedBy: 'U0DEPLOYER',
    state,
    createdAt: 0,
    updatedAt: 0,
    revision: 1,
    steps: [],
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    checklist: {},
  };
}

describe('post-deployment review', () => {
  it("asks the runbook's three questions and the follow-up actions, in that order", () => {
    assert.deepEqual(
      REVIEW_QUESTIONS.map((q) => [q.field, q.label]),
      [
        ['wentWell', 'What went well?'],
        ['couldImprove', 'What could be improved?'],
        ['unexpectedIssues', 'Any unexpected issues?'],
        ['followUpActions', 'Follow-up actions'],
      ],
    );
  });

  it('trims answers, makes line ends \\n, and keeps unanswered questions as empty strings', () => {
    const result = validateReviewAnswers({
      wentWell: '  fast rollout \r\nno pages\r  ',
      unexpectedIssues: '\n',
    });
    assert.deepEqual(result, {
      ok: true,
      answers: {
        wentWell: 'fast rollout \nno pages',
        couldImprove: '',
        unexpectedIssues: '',
        followUpActions: '',
      },
    });
  });

  it('refuses a review with nothing in it, naming the first question', () => {
    assert.deepEqual(validateReviewAnswers({ wentWell: '   ', couldImprove: '\n\t' }), {
      ok: false,
      errors: { wentWell: 'Answer at least one question.' },
    });
    assert.deepEqual(validateReviewAnswers({}), {
      ok: false,
      errors: { wentWell: 'Answer at least one question.' },
    });
  });

  it('reads what is not text as unanswered', () => {
    const result = validateReviewAnswers({
      wentWell: 42,
      couldImprove: ['a'],
      followUpActions: 'add an alarm',
    });
    assert.equal(result.ok, true);
    assert.deepEqual(result.ok && result.answers, {
      wentWell: '',
      couldImprove: '',
      unexpectedIssues: '',
      followUpActions: 'add an alarm',
    });
  });

  it("accepts an answer of Slack's 3000 characters and refuses one longer, saying how long it is", () => {
    const full = 'a'.repeat(REVIEW_ANSWER_MAX);
    assert.equal(REVIEW_ANSWER_MAX, 3000);
    assert.equal(validateReviewAnswers({ couldImprove: `  ${full}  ` }).ok, true);
    assert.deepEqual(validateReviewAnswers({ wentWell: 'ok', couldImprove: `${full}b` }), {
      ok: false,
      errors: { couldImprove: 'Keep it to 3000 characters (this has 3001).' },
    });
  });

  it('opens a review only once the release has ended, whatever its outcome', () => {
    for (const state of ['succeeded', 'failed', 'cancelled', 'rolled_back'] as const) {
      assert.equal(reviewRefusal(releaseIn(state)), undefined, state);
    }
    for (const state of ['queued', 'awaiting_start', 'running'] as const) {
      assert.match(reviewRefusal(releaseIn(state)) ?? '', /has not finished yet/, state);
    }
    assert.equal(
      reviewRefusal(releaseIn('awaiting_start')),
      'Release r20261127t171340-3f9a has not finished yet (awaiting start); review it once it has.',
    );
  });

  it('stores the answers with who gave them and when', () => {
    const answers = { wentWell: 'a', couldImprove: '', unexpectedIssues: 'b', followUpActions: '' };
    assert.deepEqual(releaseReview(answers, 'U0CAROL', 1234), { by: 'U0CAROL', at: 1234, ...answers });
  });
});
