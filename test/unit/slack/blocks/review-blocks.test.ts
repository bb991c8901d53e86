import assert from 'node:assert/strict';
import type { ReleaseReview } from '../../../../src/domain/release';
import { blockKitProblems } from '../../../../src/slack/blocks/limits';
import { modalViewProblems } from '../../../../src/slack/blocks/modal-limits';
import {
  REVIEW_CALLBACK_ID,
  reviewAnswersFromState,
  reviewBlockErrors,
  reviewModal,
  reviewSubmissionError,
} from '../../../../src/slack/blocks/review-modal';
import {
  REVIEW_OPEN_ACTION,
  reviewPromptMessage,
  reviewRecordedMessage,
} from '../../../../src/slack/blocks/review-prompt';
import { T0, aRelease } from './fixtures';

type Json = Record<string, unknown>;

/** Block Kit as plain JSON, for reading fields @slack/types keeps apart by block type. */
const json = (value: unknown): Json => value as Json;
const jsons = (value: unknown): Json[] => value as Json[];

const finished = aRelease({ state: 'succeeded', endedAt: T0 + 600_000 });
const REVIEW: ReleaseReview = {
  by: 'U0CAROL',
  at: T0 + 86_400_000,
  wentWell: 'Canary caught nothing, as hoped',
  couldImprove: '',
  unexpectedIssues: 'p99 rose for 2 minutes',
  followUpActions: 'Alarm on p99',
};

describe('review prompt', () => {
  it('lists the questions and offers a button carrying the release id', () => {
    const message = reviewPromptMessage(finished);
    assert.deepEqual(blockKitProblems(message.blocks, message.text), []);
    const section = json(message.blocks[0]);
    const text = (section.text as Json).text as string;
    assert.match(text, /^:memo: \*Post-deployment review\* of \*backend\* `v1\.2\.0` → \*production\*/);
    for (const question of [
      'What went well?',
      'What could be improved?',
      'Any unexpected issues?',
      'Follow-up actions',
    ]) {
      assert.ok(text.includes(`• ${question}`), question);
    }
    const [button] = json(message.blocks[1]).elements as Json[];
    assert.equal(button?.action_id, REVIEW_OPEN_ACTION);
    assert.equal(button?.value, finished.id);
    assert.equal((button?.text as Json).text, 'Write the review');
    assert.equal(message.text, 'Post-deployment review: backend v1.2.0 → production');
  });

  it('escapes names that look like mrkdwn controls', () => {
    const odd = aRelease({ state: 'failed', app: '<!channel>', version: 'v1&2' });
    const text = JSON.stringify(reviewPromptMessage(odd).blocks);
    assert.ok(!text.includes('<!channel>'));
    assert.ok(text.includes('&lt;!channel&gt;'));
  });

  it('says who recorded the review, and whose it replaced', () => {
    const first = reviewRecordedMessage(finished, REVIEW);
    assert.deepEqual(blockKitProblems(first.blocks, first.text), []);
    assert.equal(
      (json(first.blocks[0]).text as Json).text,
      ':memo: Review recorded by <@U0CAROL> — `/deploy log r20261127t171340-3f9a` shows it.',
    );
    const again = reviewRecordedMessage(finished, { ...REVIEW, by: 'U0DAVE' }, REVIEW);
    assert.match(
      (json(again.blocks[0]).text as Json).text as string,
      /by <@U0DAVE> \(replacing the one by <@U0CAROL>\)/,
    );
  });
});

describe('review modal', () => {
  it("is a modal within Slack's limits, named by its callback id and carrying the release id", () => {
    const view = reviewModal(finished);
    assert.deepEqual(modalViewProblems(view), []);
    assert.equal(view.type, 'modal');
    assert.equal(view.callback_id, REVIEW_CALLBACK_ID);
    assert.equal(view.private_metadata, finished.id);
    for (const label of [view.title, view.submit, view.close]) assert.ok((label?.text.length ?? 99) <= 24);
  });

  it('has one optional multiline answer of up to 3000 characters per question, empty the first time', () => {
    const inputs = jsons(reviewModal(finished).blocks).filter((b) => b.type === 'input');
    assert.deepEqual(
      inputs.map((b) => b.block_id),
      ['review:wentWell', 'review:couldImprove', 'review:unexpectedIssues', 'review:followUpActions'],
    );
    for (const input of inputs) {
      assert.equal(input.optional, true);
      assert.deepEqual(input.element, {
        type: 'plain_text_input',
        action_id: 'answer',
        multiline: true,
        max_length: 3000,
      });
    }
  });

  it('holds the answers stored so far, and says whose they are', () => {
    const view = reviewModal({ ...finished, review: REVIEW });
    const initial = Object.fromEntries(
      jsons(view.blocks)
        .filter((b) => b.type === 'input')
        .map((b) => [b.block_id, (b.element as Json).initial_value]),
    );
    assert.deepEqual(initial, {
      'review:wentWell': REVIEW.wentWell,
      'review:couldImprove': undefined,
      'review:unexpectedIssues': REVIEW.unexpectedIssues,
      'review:followUpActions': REVIEW.followUpActions,
    });
    assert.match(JSON.stringify(view.blocks[0]), /Last saved by <@U0CAROL> .*; saving replaces it\./);
    assert.deepEqual(modalViewProblems(view), []);
  });

  it('reads the answers back from view_submission state, an empty input being null', () => {
    const answers = reviewAnswersFromState({
      'review:wentWell': { answer: { value: 'fine' } },
      'review:couldImprove': { answer: { value: null } },
      'review:followUpActions': { other: { value: 'ignored' } },
      'somebody:else': { answer: { value: 'ignored' } },
    });
    assert.deepEqual(answers, { wentWell: 'fine' });
  });

  it('puts field errors on their blocks, and whole-submission errors on the first', () => {
    assert.deepEqual(reviewBlockErrors({ couldImprove: 'too long' }), { 'review:couldImprove': 'too long' });
    assert.deepEqual(reviewSubmissionError('not saved'), { 'review:wentWell': 'not saved' });
  });
});

describe('modalViewProblems', () => {
  const good = reviewModal(finished) as unknown as Json;

  it('finds what Slack refuses: a long title, inputs without submit, an answer beyond max_length', () => {
    assert.deepEqual(
      modalViewProblems({ ...good, title: { type: 'plain_text', text: 'A title of twenty-five ch' } }),
      ['title has 25 characters (max 24)'],
    );
    const { submit: _submit, ...noSubmit } = good;
    assert.deepEqual(modalViewProblems(noSubmit), ['a view with input blocks needs submit']);
    const blocks = structuredClone(good.blocks) as Json[];
    (blocks[1]?.element as Json).initial_value = 'x'.repeat(3001);
    assert.deepEqual(modalViewProblems({ ...good, blocks }), [
      'blocks[1] (input).element.initial_value has 3001 characters (max 3000)',
    ]);
  });

  it('checks the other blocks as messages are checked, and duplicate block ids', () => {
    const blocks = structuredClone(good.blocks) as Json[];
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } });
    blocks.push({ ...(blocks[1] as Json) });
    assert.deepEqual(modalViewProblems({ ...good, blocks }), [
      'blocks[5] (section): section text has 3001 characters (max 3000)',
      'blocks[6] (input): duplicate block_id review:wentWell',
    ]);
    assert.deepEqual(modalViewProblems({ ...good, type: 'home' }), ['view type home is not modal']);
  });
});
