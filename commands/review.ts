import type { App, BlockAction, ButtonAction, RespondFn, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { orWhenLate } from '../src/deadline';
import { InvalidRequestError } from '../src/domain/errors';
import type { Release, ReleaseReview } from '../src/domain/release';
import { reviewRefusal, validateReviewAnswers } from '../src/domain/review';
import { recordReview, type RecordedReview } from '../src/engine/release-reviews';
import { isKnownDown, isStoreUnreachable, StoreUnreachableError } from '../src/redis/store-outage';
import { errorReply, refusedReply } from '../src/slack/blocks';
import {
  REVIEW_CALLBACK_ID,
  reviewAnswersFromState,
  reviewBlockErrors,
  reviewModal,
  reviewSubmissionError,
} from '../src/slack/blocks/review-modal';
import { REVIEW_OPEN_ACTION, reviewRecordedMessage } from '../src/slack/blocks/review-prompt';
import type { SlackDeps } from '../src/slack/slack-deps';
import { ephemeral, refusedWhileDown, replyWithError } from './deploy';

/**
 * Slack's trigger_id lasts 3 seconds from the click: the release is read
 * within one, so that views.open still has time to use it.
 */
const READ_DEADLINE_MS = 1000;
/**
 * A modal's errors can only be said in the submission's ack, within Slack's 3
 * seconds, so the review is saved before acking, within this. A save that
 * lands after it is stored all the same; the person is told it was not, and
 * saving again replaces it with the same answers.
 */
const SAVE_DEADLINE_MS = 2000;

const NOT_SAVED_STORE_DOWN =
  "deploybot can't reach its store right now, so the review was not saved. Your answers are still here: try Save again in a minute.";

/**
 * The post-deployment review: the prompt's button opens the modal (with the
 * answers stored so far), and its submission is checked, stored with the
 * release and said in the release's thread. Anyone in the channel may review
 * a finished release.
 */
export function registerReview(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(
    REVIEW_OPEN_ACTION,
    async ({ ack, body, action, client, respond }) => {
      await ack();
      if (await refusedWhileDown(respond, deps, REVIEW_OPEN_ACTION)) return;
      let release: Release | undefined;
      try {
        release = await orWhenLate(deps.engine.store.get(action.value ?? ''), READ_DEADLINE_MS, () => {
          throw new StoreUnreachableError();
        });
      } catch (error) {
        return void (await replyWithError(respond, error, deps, REVIEW_OPEN_ACTION));
      }
      if (!release) return void (await respond(refused('That release no longer exists.')));
      const refusal = reviewRefusal(release);
      if (refusal) return void (await respond(refused(refusal)));
      try {
        await client.views.open({ trigger_id: body.trigger_id, view: reviewModal(release) });
      } catch (error) {
        // Most often the trigger expired (Slack was slow to deliver the click): a new click brings a new one.
        deps.logger.warn({ err: error, releaseId: release.id }, 'could not open the review modal');
        await respond({
          ...ephemeral(errorReply('Slack could not open the review form; press *Write the review* again.')),
          replace_original: false,
        });
      }
    },
  );

  app.view<ViewSubmitAction>(REVIEW_CALLBACK_ID, async ({ ack, body, view, client }) => {
    const checked = validateReviewAnswers(reviewAnswersFromState(view.state.values));
    if (!checked.ok)
      return void (await ack({ response_action: 'errors', errors: reviewBlockErrors(checked.errors) }));
    if (isKnownDown(deps.redis)) {
      return void (await ack({
        response_action: 'errors',
        errors: reviewSubmissionError(NOT_SAVED_STORE_DOWN),
      }));
    }
    let saved: RecordedReview;
    try {
      const recording = recordReview(
        deps.engine.store,
        deps.engine.audit,
        view.private_metadata,
        body.user.id,
        checked.answers,
        deps.clock.now(),
      );
      saved = await orWhenLate(recording, SAVE_DEADLINE_MS, () => {
        throw new StoreUnreachableError();
      });
    } catch (error) {
      await ack({ response_action: 'errors', errors: reviewSubmissionError(notSaved(error, deps)) });
      return;
    }
    await ack();
    // A replayed submission was said in the thread by its first delivery.
    if (!saved.unchanged) await sayRecorded(client, saved, deps);
  });
}

function refused(because: string): Parameters<RespondFn>[0] {
  return { ...ephemeral(refusedReply(because)), replace_original: false };
}

/** Why a checked review was not stored, in words for the modal. */
function notSaved(error: unknown, deps: SlackDeps): string {
  if (error instanceof InvalidRequestError) return error.message;
  if (isStoreUnreachable(error)) {
    deps.logger.warn({ request: REVIEW_CALLBACK_ID }, 'request refused: store unreachable');
    return NOT_SAVED_STORE_DOWN;
  }
  deps.logger.error({ err: error }, 'review not saved');
  return 'The review could not be saved because of an error in deploybot. Try Save again.';
}

/** "Review recorded" in the release's thread; best effort: the review is stored whatever Slack says. */
async function sayRecorded(
  client: WebClient,
  saved: { release: Release; replaced?: ReleaseReview },
  deps: SlackDeps,
): Promise<void> {
  const { release, replaced } = saved;
  if (!release.chat || !release.review) return;
  try {
    await client.chat.postMessage({
      channel: release.chat.channel,
      thread_ts: release.chat.ts,
      ...reviewRecordedMessage(release, release.review, replaced),
      unfurl_links: false,
    });
  } catch (error) {
    deps.logger.warn({ err: error, releaseId: release.id }, 'could not say the review was recorded');
  }
}
