import { shortTaskDefinition } from '../../domain/image';
import { mention } from '../../domain/authorization';
import type { Release } from '../../domain/release';
import { LIMITS } from './limits';
import { actions, button, context, divider, header, section, type Message } from './block';
import { clockTime, fitParts, outcomeText, stepLine, who } from './release-format';
import { escapeMrkdwn, truncate } from './text';

export const APPROVE_ROLLBACK_ACTION = 'rollback_approve';
export const REJECT_ROLLBACK_ACTION = 'rollback_reject';

export interface RollbackView {
  release: Release;
  /** Who may approve (user and group ids), mentioned so they see the proposal. */
  approvers: readonly string[];
  now: number;
}

/**
 * A rollback's message: the proposal with Approve / Keep running buttons while
 * it awaits a decision; once decided, who decided and when, in place of the
 * buttons, then the rollback's steps.
 */
export function rollbackMessage(view: RollbackView): Message {
  const { release, now } = view;
  const of = release.rollbackOf;
  const [app, env, version] = fitParts(
    [release.app, release.environment, of?.version ?? release.version],
    120,
  );
  const title = `↩️ Rollback of ${app} ${version} in ${env}`;
  const targets = Object.entries(release.facts.targetTaskDefinitions).map(
    ([service, td]) =>
      `• ${escapeMrkdwn(truncate(service, 120))} → \`${escapeMrkdwn(truncate(shortTaskDefinition(td), 120))}\``,
  );
  const blocks = [
    header(title),
    section(
      `Proposed by ${who(release.requestedBy)}${of ? ` for release \`${of.releaseId}\` (requested by ${who(of.requestedBy)})` : ''}. ` +
        'It points these services back at the revisions they ran before:\n' +
        targets.slice(0, 20).join('\n') +
        (targets.length > 20 ? `\n… ${targets.length - 20} more` : ''),
    ),
  ];
  if (of?.reason)
    blocks.push(section(`:rotating_light: *Monitoring saw:* ${escapeMrkdwn(truncate(of.reason, 1000))}`));
  if (release.state === 'awaiting_start') {
    const approvers =
      view.approvers.length > 0 ? view.approvers.map(mention).join(' ') : '_no approvers configured_';
    blocks.push(
      context(
        `Approvers: ${approvers}. The database is not touched; a migration downgrade is a separate decision.`,
      ),
      actions('rollback-decision', [
        button('Approve rollback', APPROVE_ROLLBACK_ACTION, release.id, 'danger', {
          title: 'Roll back now?',
          text: truncate(
            `Point ${release.app} in ${release.environment} back at the previous revisions. The app stays locked afterwards.`,
            LIMITS.confirmText,
          ),
          confirm: 'Roll back',
          deny: 'Not yet',
        }),
        button('Keep running', REJECT_ROLLBACK_ACTION, release.id),
      ]),
    );
  } else {
    const decision =
      release.state === 'cancelled' && !release.startedBy
        ? `🛑 Kept running: rejected by ${release.cancelledBy ? who(release.cancelledBy) : 'someone'} at ${clockTime(release.endedAt ?? now)}`
        : `✅ Approved by ${release.startedBy ? who(release.startedBy) : 'someone'} at ${clockTime(release.startedAt ?? now)}`;
    blocks.push(section(decision), divider());
    if (release.startedBy) blocks.push(section(release.steps.map((s) => stepLine(s, now)).join('\n')));
    const outcome = outcomeText(release, now);
    if (outcome) blocks.push(section(outcome.replace('Released', 'Rolled back')));
  }
  blocks.push(context(`Updated ${clockTime(now)}`));
  return { text: truncate(`${title}: ${release.state.replace('_', ' ')}`, 500), blocks };
}
