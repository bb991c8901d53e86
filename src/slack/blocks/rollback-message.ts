import { shortTaskDefinition } from '../../domain/image';
import { mention } from '../../domain/authorization';
import { releaseKind, type Release } from '../../domain/release';
import { LIMITS } from './limits';
import { actions, button, context, divider, header, section, type Message } from './block';
import { claimedBy, closingLine, closingOf } from './proposal-closing';
import { fitParts, releaseId, slackTime, stepLines, who } from './release-format';
import { notificationText, outcomeLine, stateLabel } from './shown-status';
import { escapeMrkdwn, truncate } from './text';

export const APPROVE_ROLLBACK_ACTION = 'rollback_approve';
export const REJECT_ROLLBACK_ACTION = 'rollback_reject';
/** The second confirmation a snapshot restore needs; its own button, so a double click is not both. */
export const CONFIRM_RESTORE_ACTION = 'rollback_restore_confirm';

export interface RollbackView {
  release: Release;
  /** Who may approve (user and group ids), mentioned so they see the proposal. */
  approvers: readonly string[];
  now: number;
  /** The migration's rollback command, for a migration rollback's message. */
  rollbackCommand?: string;
  /** The live database a restore leaves alone. */
  liveDatabase?: string;
}

/**
 * A rollback's message: the proposal with Approve / Keep running buttons while
 * it awaits a decision; once decided, who decided and when, in place of the
 * buttons, then the rollback's steps. A proposal closed undecided (superseded,
 * withdrawn, expired) keeps its text and says so, without buttons.
 */
export function rollbackMessage(view: RollbackView): Message {
  if (view.release.rollbackOf?.database) return databaseRollbackMessage(view);
  const { release, now } = view;
  const of = release.rollbackOf;
  const [app, env, version] = fitParts(
    [release.app, release.environment, of?.version ?? release.version],
    120,
  );
  const title = `↩️ Rollback of ${app} ${version} → ${env}`;
  const targets = Object.entries(release.facts.targetTaskDefinitions).map(
    ([service, td]) =>
      `• ${escapeMrkdwn(truncate(service, 120))} → \`${escapeMrkdwn(truncate(shortTaskDefinition(td), 120))}\``,
  );
  const blocks = [
    header(title),
    stateContext(release),
    section(
      `Proposed by ${who(release.requestedBy)}${of ? ` for release \`${of.releaseId}\` (requested by ${who(of.requestedBy)})` : ''}. ` +
        'It points these services back at the revisions they ran before:\n' +
        targets.slice(0, 20).join('\n') +
        (targets.length > 20 ? `\n… ${targets.length - 20} more` : ''),
    ),
  ];
  if (of?.reason)
    blocks.push(section(`:rotating_light: *Monitoring saw:* ${escapeMrkdwn(truncate(of.reason, 1000))}`));
  if (isOpen(release)) {
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
    blocks.push(...decidedBlocks(release, now, { rejected: '🛑 Kept running: rejected' }));
  }
  blocks.push(context(`Updated ${slackTime(now)}`));
  return { text: notificationText(release, undefined, now), blocks };
}

/** `State: 🗳️ awaiting approval · rollback `r…``: the state in words, the id the thread's posts are labelled with. */
function stateContext(release: Release) {
  return context(`*State:* ${stateLabel(release)} · ${releaseKind(release)} ${releaseId(release)}`);
}

/**
 * A database rollback's message: a migration downgrade, or (last resort) a
 * snapshot restore into a new database, which asks for two confirmations.
 */
function databaseRollbackMessage(view: RollbackView): Message {
  const { release, now } = view;
  const of = release.rollbackOf as NonNullable<Release['rollbackOf']>;
  const database = of.database as NonNullable<NonNullable<Release['rollbackOf']>['database']>;
  const restore = database.action === 'restore';
  const [app, env, version] = fitParts([release.app, release.environment, of.version], 120);
  const title = restore
    ? `🗄️ Snapshot restore of ${app} ${version} → ${env} (last resort)`
    : `🗄️ Migration rollback of ${app} ${version} → ${env}`;
  const code = (text: string) => `\`${escapeMrkdwn(truncate(text, 200))}\``;
  const taskDefinition = Object.values(release.facts.targetTaskDefinitions)[0];
  const live = view.liveDatabase ?? 'the live database';
  const what = restore
    ? `It restores snapshot ${code(database.snapshotId ?? '?')} (taken before ${version}) into a *new* database ${code(database.restoreInto ?? '?')}. ` +
      `${code(live)} is not modified and keeps serving; switching the app to the restored copy is a separate decision made by hand. ` +
      'Anything written since the snapshot is not in the copy.'
    : `It runs ${code(view.rollbackCommand ?? 'the migration rollback command')} as a one-off task of ${version}'s ` +
      `${taskDefinition ? `task definition ${code(shortTaskDefinition(taskDefinition))}` : 'task definition'}, the only code that knows the migration it undoes. The services are not touched.`;
  const blocks = [
    header(title),
    stateContext(release),
    section(
      `Proposed by ${who(release.requestedBy)} for release \`${of.releaseId}\` (requested by ${who(of.requestedBy)}). ${what}`,
    ),
  ];
  if (of.reason) blocks.push(section(`*Why:* ${escapeMrkdwn(truncate(of.reason, 1000))}`));
  if (isOpen(release)) {
    const approvers =
      view.approvers.length > 0 ? view.approvers.map(mention).join(' ') : '_no approvers configured_';
    const reject = restore ? "Don't restore" : 'Keep the schema';
    if (!restore) {
      blocks.push(
        context(`Approvers: ${approvers}.`),
        actions('rollback-decision', [
          button('Approve migration rollback', APPROVE_ROLLBACK_ACTION, release.id, 'danger', {
            title: 'Roll the migration back?',
            text: truncate(
              `Run ${view.rollbackCommand ?? 'the migration rollback'} against ${release.app}'s ${release.environment} database.`,
              LIMITS.confirmText,
            ),
            confirm: 'Run it',
            deny: 'Not yet',
          }),
          button(reject, REJECT_ROLLBACK_ACTION, release.id),
        ]),
      );
    } else if (!database.confirmedBy) {
      blocks.push(
        context(`Approvers: ${approvers}. A restore needs two confirmations.`),
        actions('rollback-decision', [
          button('Restore into a new database…', APPROVE_ROLLBACK_ACTION, release.id, 'danger', {
            title: 'Restore the snapshot?',
            text: truncate(
              `Creates ${database.restoreInto ?? 'a new database'} from ${database.snapshotId ?? 'the snapshot'}. ${live} is not touched. You will be asked once more.`,
              LIMITS.confirmText,
            ),
            confirm: 'Yes, first confirmation',
            deny: 'Not yet',
          }),
          button(reject, REJECT_ROLLBACK_ACTION, release.id),
        ]),
      );
    } else {
      blocks.push(
        section(
          `☑️ First confirmation by ${who(database.confirmedBy.by)} at ${slackTime(database.confirmedBy.at)}. Confirm once more to start the restore.`,
        ),
        actions('rollback-decision', [
          button(
            truncate(`Yes, restore into ${database.restoreInto ?? 'a new database'}`, LIMITS.buttonText),
            CONFIRM_RESTORE_ACTION,
            release.id,
            'danger',
            {
              title: 'Start the restore?',
              text: truncate(
                `Second and final confirmation: restore ${database.snapshotId ?? 'the snapshot'} into ${database.restoreInto ?? 'a new database'}.`,
                LIMITS.confirmText,
              ),
              confirm: 'Start restore',
              deny: 'Not yet',
            },
          ),
          button(reject, REJECT_ROLLBACK_ACTION, release.id),
        ]),
      );
    }
  } else {
    blocks.push(
      ...decidedBlocks(release, now, {
        rejected: '🛑 Not done: declined',
        ...(database.confirmedBy
          ? { approvalNote: ` (first confirmation by ${who(database.confirmedBy.by)})` }
          : {}),
      }),
    );
  }
  blocks.push(context(`Updated ${slackTime(now)}`));
  return { text: notificationText(release, undefined, now), blocks };
}

/** Awaiting a decision that no click has claimed yet: the buttons are shown. */
function isOpen(release: Release): boolean {
  return release.state === 'awaiting_start' && !claimedBy(release);
}

/** A decided proposal: who decided and when, in place of the buttons, then its steps and outcome. */
function decidedBlocks(release: Release, now: number, words: { rejected: string; approvalNote?: string }) {
  const closing = closingOf(release);
  if (closing) return [section(closingLine(closing))];
  const claimed = claimedBy(release);
  const approver = release.startedBy ?? claimed?.by;
  const rejected = release.state === 'cancelled' && !release.startedBy;
  const decision = rejected
    ? `${words.rejected} by ${release.cancelledBy ? who(release.cancelledBy) : 'someone'} at ${slackTime(release.endedAt ?? now)}`
    : `✅ Approved by ${approver ? who(approver) : 'someone'} at ${slackTime(release.startedAt ?? claimed?.at ?? now)}${words.approvalNote ?? ''}${claimed ? '; starting…' : ''}`;
  const blocks = [section(decision), divider()];
  if (release.startedBy) blocks.push(section(stepLines(release, now).join('\n')));
  // A proposal turned down has its decision line; an outcome would say it twice.
  const outcome = rejected ? undefined : outcomeLine(release, undefined, now);
  if (outcome) blocks.push(section(outcome));
  return blocks;
}
