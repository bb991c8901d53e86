import { contentError, flag, readContent, str, type Params } from './content';
import { homeViewProblems } from '../../slack/home/home-view-limits';
import type { FakeModals } from './modals';
import type { FakeMessage, FakeView } from './types';
import { BOT, type Workspace } from './workspace';

export type MethodResult = Record<string, unknown> & { ok: boolean; error?: string };

export interface MethodContext {
  workspace: Workspace;
  views: Map<string, FakeView>;
  /** Modals opened with views.open, and the trigger ids that may open them. */
  modals: FakeModals;
  now: () => number;
}

type Method = (ctx: MethodContext, params: Params) => MethodResult;

const fail = (error: string): MethodResult => ({ ok: false, error });

function userJson(ctx: MethodContext, id: string): Record<string, unknown> | undefined {
  const user = ctx.workspace.user(id);
  if (!user) return undefined;
  const realName = user.realName ?? user.name;
  return {
    id: user.id,
    team_id: BOT.teamId,
    name: user.name,
    real_name: realName,
    deleted: false,
    is_bot: user.isBot ?? false,
    is_app_user: false,
    tz: 'Etc/UTC',
    profile: { real_name: realName, display_name: user.name, team: BOT.teamId },
  };
}

/**
 * A stored message as the Web API shows it: no `replies`, `via` or `channel`; a
 * broadcast reply carries its thread's parent as `root`, as in conversations.history.
 */
function messageJson(ctx: MethodContext, message: FakeMessage): Record<string, unknown> {
  const { replies: _replies, via: _via, channel: _channel, ...json } = message;
  if (message.subtype !== 'thread_broadcast') return json;
  const root = ctx.workspace.threadRoot(message);
  if (!root || root === message) return json;
  const { replies: _r, via: _v, channel: _c, ...rootJson } = root;
  return { ...json, root: rootJson };
}

const postMessage: Method = (ctx, params) => {
  const channel = ctx.workspace.channel(str(params, 'channel'));
  if (!channel) return fail('channel_not_found');
  const read = readContent(params);
  if (!read.ok) return contentError(read);
  const threadTs = str(params, 'thread_ts');
  let root;
  if (threadTs) {
    const parent = ctx.workspace.findMessage(threadTs, channel.id);
    root = parent && ctx.workspace.threadRoot(parent);
    if (!root) return fail('thread_not_found');
  }
  const broadcast = root !== undefined && flag(params, 'reply_broadcast');
  const message = ctx.workspace.post(channel.id, read.content, 'api', root, broadcast);
  return { ok: true, channel: channel.id, ts: message.ts, message: messageJson(ctx, message) };
};

const update: Method = (ctx, params) => {
  const channel = ctx.workspace.channelById(str(params, 'channel'));
  if (!channel) return fail('channel_not_found');
  const ts = str(params, 'ts');
  const message = ts ? ctx.workspace.findMessage(ts, channel.id) : undefined;
  if (!message) return fail('message_not_found');
  const read = readContent(params);
  if (!read.ok) return contentError(read);
  ctx.workspace.update(message, read.content, true);
  return {
    ok: true,
    channel: channel.id,
    ts: message.ts,
    text: message.text,
    message: messageJson(ctx, message),
  };
};

const postEphemeral: Method = (ctx, params) => {
  const channel = ctx.workspace.channel(str(params, 'channel'));
  if (!channel) return fail('channel_not_found');
  const user = ctx.workspace.user(str(params, 'user'));
  if (!user) return fail('user_not_found');
  const read = readContent(params);
  if (!read.ok) return contentError(read);
  const ephemeral = ctx.workspace.postEphemeral(
    channel.id,
    user.id,
    read.content,
    'api',
    str(params, 'thread_ts'),
  );
  return { ok: true, message_ts: ephemeral.ts };
};

const getPermalink: Method = (ctx, params) => {
  const channel = ctx.workspace.channelById(str(params, 'channel'));
  if (!channel) return fail('channel_not_found');
  const ts = str(params, 'message_ts');
  const message = ts ? ctx.workspace.findMessage(ts, channel.id) : undefined;
  if (!message) return fail('message_not_found');
  return { ok: true, channel: channel.id, permalink: ctx.workspace.permalink(message) };
};

/** Up to `limit` (default 100, at most 999) of what the channel shows, newest first; no cursors. */
const conversationsHistory: Method = (ctx, params) => {
  const channel = ctx.workspace.channelById(str(params, 'channel'));
  if (!channel) return fail('channel_not_found');
  const limit = Math.min(Math.max(Number(str(params, 'limit') ?? 100) || 100, 1), 999);
  const all = ctx.workspace.timeline(channel.id).reverse();
  return {
    ok: true,
    messages: all.slice(0, limit).map((m) => messageJson(ctx, m)),
    has_more: all.length > limit,
    pin_count: 0,
  };
};

/** A thread, oldest first: its parent, then every reply (broadcast or not); no cursors. */
const conversationsReplies: Method = (ctx, params) => {
  const channel = ctx.workspace.channelById(str(params, 'channel'));
  if (!channel) return fail('channel_not_found');
  const ts = str(params, 'ts');
  const found = ts ? ctx.workspace.findMessage(ts, channel.id) : undefined;
  const root = found && ctx.workspace.threadRoot(found);
  if (!root) return fail('thread_not_found');
  return { ok: true, messages: [root, ...root.replies].map((m) => messageJson(ctx, m)), has_more: false };
};

const usersInfo: Method = (ctx, params) => {
  const user = userJson(ctx, str(params, 'user') ?? '');
  return user ? { ok: true, user } : fail('user_not_found');
};

const usergroupUsers: Method = (ctx, params) => {
  const members = ctx.workspace.usergroups[str(params, 'usergroup') ?? ''];
  return members ? { ok: true, users: [...members] } : fail('no_such_subteam');
};

const conversationsInfo: Method = (ctx, params) => {
  const channel = ctx.workspace.channelById(str(params, 'channel'));
  if (!channel) return fail('channel_not_found');
  return {
    ok: true,
    channel: {
      id: channel.id,
      name: channel.name,
      name_normalized: channel.name,
      is_channel: true,
      is_group: false,
      is_im: false,
      is_private: false,
      is_archived: false,
      is_general: false,
      is_member: true,
      created: 1_700_000_000,
      context_team_id: BOT.teamId,
    },
  };
};

const viewsPublish: Method = (ctx, params) => {
  const user = ctx.workspace.user(str(params, 'user_id'));
  if (!user) return fail('user_not_found');
  const view = params.view;
  if (!view || typeof view !== 'object' || Array.isArray(view)) return fail('invalid_arguments');
  const record = view as Record<string, unknown>;
  if (record.type !== 'home') return fail('invalid_arguments');
  if (!Array.isArray(record.blocks)) return fail('invalid_arguments');
  // Slack refuses a Home view over its limits (100 blocks, each block's own) whole.
  if (homeViewProblems(record).length > 0) return fail('invalid_blocks');
  ctx.views.set(user.id, { user: user.id, view: record, at: ctx.now() });
  return {
    ok: true,
    view: { id: `V0${user.id}`, team_id: BOT.teamId, app_id: BOT.appId, bot_id: BOT.botId, ...record },
  };
};

const authTest: Method = () => ({
  ok: true,
  url: `https://${BOT.teamDomain}.slack.com/`,
  team: BOT.teamName,
  user: BOT.name,
  team_id: BOT.teamId,
  user_id: BOT.userId,
  bot_id: BOT.botId,
  is_enterprise_install: false,
});

export const METHODS: Record<string, Method> = {
  'auth.test': authTest,
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.postEphemeral': postEphemeral,
  'chat.getPermalink': getPermalink,
  'users.info': usersInfo,
  'usergroups.users.list': usergroupUsers,
  'conversations.info': conversationsInfo,
  'conversations.history': conversationsHistory,
  'conversations.replies': conversationsReplies,
  'views.publish': viewsPublish,
  'views.open': (ctx, params) => ctx.modals.viewsOpen(params, ctx.now()),
};
