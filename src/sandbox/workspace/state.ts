import {
  FAKE_BOT,
  type FakeChannel,
  type FakeEphemeral,
  type FakeMessage,
  type FakeSlackApi,
} from '../fake-slack-api';
import type { Persona } from './personas';

/** What the page needs to draw the channel as one person sees it. */
export interface WorkspaceState {
  channel: FakeChannel;
  channels: FakeChannel[];
  /** The user the state is for: their ephemerals are included, nobody else's. */
  me: string;
  bot: { id: string; name: string };
  personas: Persona[];
  /** For mentions: `<@U0REQUESTER>` shows as `@riley`. */
  users: Record<string, { name: string; realName: string }>;
  /** For mentions: `<!subteam^S0APPROVERS>` shows as `@approvers`. */
  usergroups: Record<string, { handle: string; members: string[] }>;
  /**
   * Top-level messages, oldest first, each with its thread in `replies`; a reply with
   * `subtype: 'thread_broadcast'` (sent with reply_broadcast) shows in the channel too.
   */
  messages: FakeMessage[];
  /** This user's ephemerals in the channel, oldest first (`thread_ts` set for ones in a thread). */
  ephemerals: FakeEphemeral[];
  /** The modal the bot opened for this user (views.open), while it is open. */
  modal?: { id: string; view: Record<string, unknown> };
}

/**
 * The fake keeps only usergroup ids and members, no handles; Slack's own ids carry
 * no name either, so the handle is read off our ids (`S0APPROVERS` → `approvers`).
 * A mention that brings its label (`<!subteam^S1|@ops>`) shows that label instead.
 */
export function usergroupHandle(id: string): string {
  const name = id.replace(/^S0?/, '').toLowerCase();
  return name === '' ? id : name;
}

export function workspaceState(
  slack: FakeSlackApi,
  channel: FakeChannel,
  personas: readonly Persona[],
  me: string,
): WorkspaceState {
  return {
    channel,
    channels: [...slack.channels],
    me,
    bot: { id: FAKE_BOT.userId, name: FAKE_BOT.name },
    personas: [...personas],
    users: Object.fromEntries(
      slack.users.map((u) => [u.id, { name: u.name, realName: u.realName ?? u.name }]),
    ),
    usergroups: Object.fromEntries(
      Object.entries(slack.usergroups).map(([id, members]) => [
        id,
        { handle: usergroupHandle(id), members: [...members] },
      ]),
    ),
    messages: slack.messages(channel.id),
    ephemerals: slack.ephemerals(me).filter((e) => e.channel === channel.id),
    ...modalOf(slack, me),
  };
}

function modalOf(slack: FakeSlackApi, me: string): Pick<WorkspaceState, 'modal'> {
  const modal = slack.modal(me);
  return modal ? { modal: { id: modal.id, view: modal.view } } : {};
}
