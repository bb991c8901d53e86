import type { App, BlockAction, RespondFn } from '@slack/bolt';
import { resolveTarget } from '../src/config/target';
import { InvalidRequestError } from '../src/domain/errors';
import type { Release } from '../src/domain/release';
import { refusedReply } from '../src/slack/blocks';
import type { SlackDeps } from '../src/slack/slack-deps';
import { ephemeral, refusedToWithdraw, refusedWhileDown, replyWithError } from './deploy';

type Json = Record<string, unknown>;

/**
 * Clicks on a release message: checklist ticks, Start and Cancel. Each acks at
 * once; refusals and errors go to the clicker alone (ephemeral), and the
 * message itself changes through the engine's chat updates.
 */
export function registerReleaseActions(app: App, deps: SlackDeps): void {
  app.action<BlockAction>(/^checklist:/, async ({ ack, body, action, respond }) => {
    await ack();
    if (await refusedWhileDown(respond, deps, 'checklist')) return;
    try {
      const release = await releaseOf(body, deps);
      const target = resolveTarget(deps.config, release.app, release.environment);
      const decision = await deps.authorizer.check('tick', body.user.id, target, release.id);
      if (!decision.allowed) return void (await respond(refusal(decision.because)));
      const selected = new Set(
        ((action as unknown as Json).selected_options as Json[] | undefined)?.map((o) => String(o.value)),
      );
      const offered = optionValues(body, (action as unknown as Json).action_id as string);
      const changes = Object.fromEntries(offered.map((id) => [id, selected.has(id)]));
      await deps.engine.service.tick(release.id, body.user.id, changes);
    } catch (error) {
      await replyWithError(respond, error, deps, 'checklist');
    }
  });

  app.action<BlockAction>('release_start', async ({ ack, body, action, respond }) => {
    await ack();
    if (await refusedWhileDown(respond, deps, 'release_start')) return;
    try {
      const release = await deps.engine.service.get(String((action as unknown as Json).value));
      const target = resolveTarget(deps.config, release.app, release.environment);
      const decision = await deps.authorizer.check('deploy', body.user.id, target, release.id);
      if (!decision.allowed) return void (await respond(refusal(decision.because)));
      await deps.engine.service.start(release.id, body.user.id);
    } catch (error) {
      await replyWithError(respond, error, deps, 'release_start');
    }
  });

  app.action<BlockAction>('release_cancel', async ({ ack, body, action, respond }) => {
    await ack();
    if (await refusedWhileDown(respond, deps, 'release_cancel')) return;
    try {
      const release = await deps.engine.service.get(String((action as unknown as Json).value));
      const target = resolveTarget(deps.config, release.app, release.environment);
      // Whoever asked for a release may always withdraw it; a queued one also an approver, anyone else's a deployer.
      // A queued release leaves its queue too, so the places of those behind it move up at once.
      if (release.state === 'queued') {
        const rule = await refusedToWithdraw(deps, body.user.id, release, target);
        if (rule) return void (await respond(refusal(rule)));
        await deps.engine.releaseQueue.cancel(release.id, body.user.id);
        return;
      }
      const refused = await refusedToWithdraw(deps, body.user.id, release, target);
      if (refused) return void (await respond(refusal(refused)));
      await deps.engine.service.cancel(release.id, body.user.id);
    } catch (error) {
      await replyWithError(respond, error, deps, 'release_cancel');
    }
  });
}

function refusal(because: string): Parameters<RespondFn>[0] {
  return { ...ephemeral(refusedReply(because)), replace_original: false };
}

/** The release a clicked message belongs to: its Start or Cancel button carries the id. */
async function releaseOf(body: BlockAction, deps: SlackDeps): Promise<Release> {
  for (const block of (body.message?.blocks as Json[] | undefined) ?? []) {
    for (const element of (block.elements as Json[] | undefined) ?? []) {
      if (element.action_id === 'release_start' || element.action_id === 'release_cancel') {
        return deps.engine.service.get(String(element.value));
      }
    }
  }
  // Not a message deploybot posted (or one from a much older version): nothing to act on.
  throw new InvalidRequestError('release_not_found', 'That message names no release of deploybot’s.');
}

/** The item ids a checkbox element offers, from the message as Slack shows it. */
function optionValues(body: BlockAction, actionId: string): string[] {
  for (const block of (body.message?.blocks as Json[] | undefined) ?? []) {
    for (const element of (block.elements as Json[] | undefined) ?? []) {
      if (element.action_id === actionId)
        return ((element.options as Json[] | undefined) ?? []).map((o) => String(o.value));
    }
  }
  return [];
}
