import type { App, BlockAction } from '@slack/bolt';
import { resolveTarget } from '../src/config/target';
import { mention, type Decision } from '../src/domain/authorization';
import type { Release } from '../src/domain/release';
import { isFirstDelivery } from '../src/redis/slack-pacing';
import {
  APPROVE_ROLLBACK_ACTION,
  CONFIRM_RESTORE_ACTION,
  noticeReply,
  REJECT_ROLLBACK_ACTION,
  refusedReply,
  usageReply,
} from '../src/slack/blocks';
import { parseRollbackCommand, ROLLBACK_USAGE, configuredNames } from '../src/slack/deploy-command';
import type { SlackDeps } from '../src/slack/slack-deps';
import { isKnownDown } from '../src/redis/store-outage';
import {
  ephemeral,
  refusedForOutage,
  refusedWhileDown,
  replyWithError,
  storeUnreachableReply,
} from './deploy';

type Json = Record<string, unknown>;

/**
 * `/rollback` proposes; an approver decides with a button. The proposal is a
 * message in the channel mentioning the approvers; its buttons are replaced by
 * the decision, and a second click finds the decision already made.
 */
export function registerRollback(app: App, deps: SlackDeps): void {
  const names = configuredNames(deps.config);
  app.command('/rollback', async ({ command, ack, respond }) => {
    let parsed;
    try {
      parsed = parseRollbackCommand(command.text, names);
      resolveTarget(deps.config, parsed.app, parsed.environment);
    } catch (error) {
      await ack(
        ephemeral(usageReply(error instanceof Error ? error.message : String(error), ROLLBACK_USAGE)),
      );
      return;
    }
    if (isKnownDown(deps.redis)) {
      refusedForOutage(deps, '/rollback');
      await ack(storeUnreachableReply());
      return;
    }
    await ack();
    try {
      if (!(await isFirstDelivery(deps.redis, deps.prefix, `rollback-${command.trigger_id}`))) return;
      const target = resolveTarget(deps.config, parsed.app, parsed.environment);
      const decision = await deps.authorizer.check('deploy', command.user_id, target);
      if (!decision.allowed) return void (await respond(ephemeral(refusedReply(decision.because))));
      const proposal = await deps.engine.service.proposeRollback({
        app: target.app,
        environment: target.environment,
        requestedBy: command.user_id,
        ...(parsed.database ? { database: parsed.database } : {}),
      });
      const what =
        parsed.database === 'downgrade'
          ? 'Migration rollback'
          : parsed.database === 'restore'
            ? 'Snapshot restore'
            : 'Rollback';
      await respond(
        ephemeral(
          noticeReply(
            `${what} \`${proposal.id}\` proposed${proposal.chat ? ` in <#${proposal.chat.channel}>` : ''}; ${deciders(target.config.approvers)} decides.`,
          ),
        ),
      );
    } catch (error) {
      await replyWithError(respond, error, deps, '/rollback');
    }
  });

  // Every button is a decision: the same people may press them, then the engine acts.
  const decisions: [string, (rollbackId: string, by: string) => Promise<unknown>][] = [
    [APPROVE_ROLLBACK_ACTION, (id, by) => deps.engine.service.approveRollback(id, by)],
    [REJECT_ROLLBACK_ACTION, (id, by) => deps.engine.service.cancel(id, by)],
    [CONFIRM_RESTORE_ACTION, (id, by) => deps.engine.service.confirmRestore(id, by)],
  ];
  for (const [actionId, act] of decisions) {
    app.action<BlockAction>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      if (await refusedWhileDown(respond, deps, actionId)) return;
      try {
        const rollback = await deps.engine.service.get(String((action as unknown as Json).value));
        const decision = await mayDecide(rollback, body.user.id, deps);
        if (!decision.allowed) {
          return void (await respond({
            ...ephemeral(refusedReply(decision.because)),
            replace_original: false,
          }));
        }
        await act(rollback.id, body.user.id);
      } catch (error) {
        await replyWithError(respond, error, deps, actionId);
      }
    });
  }
}

/** Who decides a proposal, as mentions: "<!subteam^S0LEADS>", or "one of <@U1>, <@U2>". */
function deciders(approvers: readonly string[]): string {
  if (approvers.length === 0) return 'an approver';
  const names = approvers.map(mention);
  return names.length === 1 ? (names[0] as string) : `one of ${names.join(', ')}`;
}

/**
 * Approvers decide; with the two-person rule, not the person whose release is
 * being rolled back. Refusals are audited.
 */
async function mayDecide(rollback: Release, userId: string, deps: SlackDeps): Promise<Decision> {
  const target = resolveTarget(deps.config, rollback.app, rollback.environment);
  const decision = await deps.authorizer.check('approve', userId, target, rollback.id);
  if (!decision.allowed) return decision;
  if (target.config.rollback.twoPersonRule && rollback.rollbackOf?.requestedBy === userId) {
    const because = `two-person rule: <@${userId}> requested ${rollback.rollbackOf.version} and may not approve its rollback`;
    await deps.engine.audit.append({
      at: deps.clock.now(),
      actor: userId,
      action: 'refused.approve',
      app: rollback.app,
      environment: rollback.environment,
      releaseId: rollback.id,
      detail: because,
    });
    return { allowed: false, because };
  }
  return decision;
}
