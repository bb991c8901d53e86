import type { ActionsBlock, KnownBlock, SectionBlock } from '@slack/types';
import type { Release, ReleaseReview } from '../../domain/release';
import { REVIEW_QUESTIONS } from '../../domain/review';
import { FALLBACK_TEXT_MAX } from './block';
import { LIMITS } from './limits';
import { titleMrkdwn, titlePlain, who } from './release-format';
import { escapeTruncated, truncate, truncateMrkdwn } from './text';

/** The thread posts of the post-deployment review: the prompt with its button, and "recorded". */

/** The prompt's button: its value is the release id, which the modal is opened for. */
export const REVIEW_OPEN_ACTION = 'review_open';
export const REVIEW_PROMPT_BLOCK = 'review_prompt';

export interface ReviewThreadPost {
  text: string;
  blocks: KnownBlock[];
}

/**
 * The runbook's questions in the release's thread, with a button that opens
 * the review modal. The questions are listed too, so the thread says what is
 * asked even before anyone opens it.
 */
export function reviewPromptMessage(release: Release): ReviewThreadPost {
  const questions = REVIEW_QUESTIONS.map((q) => `• ${q.label}`).join('\n');
  const intro = `:memo: *Post-deployment review* of ${titleMrkdwn(release)} (runbook "Continuous Improvement"):`;
  const section: SectionBlock = {
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: truncateMrkdwn(
        `${intro}\n${questions}\nUpdate the runbook, scripts or monitoring with what you learned.`,
        LIMITS.sectionText,
      ),
    },
  };
  const actions: ActionsBlock = {
    type: 'actions',
    block_id: REVIEW_PROMPT_BLOCK,
    elements: [
      {
        type: 'button',
        text: { type: 'plain_text', text: 'Write the review', emoji: true },
        action_id: REVIEW_OPEN_ACTION,
        value: truncate(release.id, LIMITS.buttonValue),
        style: 'primary',
      },
    ],
  };
  return {
    text: truncate(`Post-deployment review: ${titlePlain(release, 200)}`, FALLBACK_TEXT_MAX),
    blocks: [section, actions],
  };
}

/** Said in the thread once a review is stored; the answers themselves are in the deployment log. */
export function reviewRecordedMessage(
  release: Release,
  review: ReleaseReview,
  replaced?: ReleaseReview,
): ReviewThreadPost {
  const again = replaced ? ` (replacing the one by ${who(replaced.by)})` : '';
  const line = `:memo: Review recorded by ${who(review.by)}${again} — \`/deploy log ${escapeTruncated(release.id.replace(/`/g, "'"), 60)}\` shows it.`;
  return {
    text: truncate(`Post-deployment review of ${titlePlain(release, 200)} recorded`, FALLBACK_TEXT_MAX),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(line, LIMITS.sectionText) } }],
  };
}
