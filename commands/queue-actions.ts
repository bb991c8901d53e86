import type { App, BlockAction, RespondFn } from '@slack/bolt';
import { resolveTarget } from '../src/config/target';
import type { Engine } from '../src/engine/engine';
import { noticeReply, refusedReply } from '../src/slack/blocks';
import { CANCEL_QUEUED_ACTION, QUEUE_IT_ACTION, RUN_ANYWAY_ACTION } from '../src/slack/blocks/queue-blocks';
import { parseQueueItValue } from '../src/slack/queue-it-request';
import { isFirstDelivery } from '../src/redis/slack-pacing';
import type { SlackDeps } from '../src/slack/slack-deps';
import { ephemeral, refusedWhileDown, replyWithError } from './deploy';

/** SlackDeps whose engine has the deploy queue. */
export type QueueActionDeps = SlackDeps & { engine: SlackDeps['engine'] & Pick<Engine, 'releaseQueue'> };

type Json = Record<string, unknown>;

/**
 * The deploy queue's buttons: "Queue it" on a busy or out-of-window refusal,
 * and the answers to "a newer version overtook it". Each acks at once; the
 * outcome or refusal goes to the clicker alone.
 */
export function registerQueueActions(app: App, deps: QueueActionDeps): void {
  app.action<BlockAction>(QUEUE_IT_ACTION, async ({ ack, body, action, respond }) => {
    await ack();
    if (await refusedWhileDown(respond, deps, QUEUE_IT_ACTION)) return;
    try {
      const request = parseQueueItValue((action as unknown as Json).value, deps.config);
      // Two clicks on one offer (a double click: each its own action_ts, so not a replay) queue one release.
      const offer = (body.container as { message_ts?: string } | undefined)?.message_ts ?? body.trigger_id;
      if (!(await isFirstDelivery(deps.redis, deps.prefix, `queue-it-${body.user.id}-${offer}`))) return;
      const target = resolveTarget(deps.config, request.app, request.environment);
      // Whoever clicks asks for the release: they must be allowed to, as if they had typed it.
      const decision = await deps.authorizer.check('deploy', body.user.id, target);
      if (!decision.allowed) return void (await respond(refusal(decision.because)));
      const queued = await deps.engine.releaseQueue.enqueue({ ...request, requestedBy: body.user.id });
      const where = `${queued.app}/${queued.environment}`;
      const said =
        queued.state === 'queued'
          ? `Queued ${queued.version} for ${where} (\`${queued.id}\`); you will be mentioned in its thread when its turn comes.`
          : `${where} was free: ${queued.version} (\`${queued.id}\`) is up now.`;
      // The notice replaces the refusal it answers: the button must not be pressed twice.
      await respond({ ...ephemeral(noticeReply(said)), replace_original: true });
    } catch (error) {
      await replyWithError(respond, error, deps, QUEUE_IT_ACTION);
    }
  });

  app.action<BlockAction>(RUN_ANYWAY_ACTION, async ({ ack, body, action, respond }) => {
    await ack();
    if (await refusedWhileDown(respond, deps, RUN_ANYWAY_ACTION)) return;
    try {
      const id = String((action as unknown as Json).value);
      if (!(await mayAnswer(deps, id, body.user.id, respond))) return;
      await deps.engine.releaseQueue.answerSuperseded(id, body.user.id, true);
      await respond({
        ...ephemeral(noticeReply(`Release \`${id}\` runs when the scope is free.`)),
        replace_original: false,
      });
    } catch (error) {
      await replyWithError(respond, error, deps, RUN_ANYWAY_ACTION);
    }
  });

  app.action<BlockAction>(CANCEL_QUEUED_ACTION, async ({ ack, body, action, respond }) => {
    await ack();
    if (await refusedWhileDown(respond, deps, CANCEL_QUEUED_ACTION)) return;
    try {
      const id = String((action as unknown as Json).value);
      if (!(await mayAnswer(deps, id, body.user.id, respond))) return;
      await deps.engine.releaseQueue.answerSuperseded(id, body.user.id, false);
    } catch (error) {
      await replyWithError(respond, error, deps, CANCEL_QUEUED_ACTION);
    }
  });
}

/** The question is its requester's to answer, or an approver's. */
async function mayAnswer(
  deps: QueueActionDeps,
  id: string,
  user: string,
  respond: RespondFn,
): Promise<boolean> {
  const release = await deps.engine.service.get(id);
  if (release.requestedBy === user) return true;
  const target = resolveTarget(deps.config, release.app, release.environment);
  const decision = await deps.authorizer.check('approve', user, target, release.id);
  if (decision.allowed) return true;
  await respond(refusal(`only whoever queued it, or an approver, may answer for release ${id}`));
  return false;
}

function refusal(because: string): Parameters<RespondFn>[0] {
  return { ...ephemeral(refusedReply(because)), replace_original: false };
}
