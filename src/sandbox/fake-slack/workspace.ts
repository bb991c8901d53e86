import type {
  FakeChannel,
  FakeEphemeral,
  FakeMessage,
  FakeSlackChange,
  FakeSlackOptions,
  FakeUser,
  FakeVia,
} from './types';

/** Who the fake says the bot is (auth.test, and the author of every message it stores). */
export const BOT = {
  userId: 'U0DEPLOYBOT',
  botId: 'B0DEPLOYBOT',
  appId: 'A0DEPLOYBOT',
  name: 'deploybot',
  teamId: 'T0SANDBOX',
  teamName: 'Deploybot Sandbox',
  teamDomain: 'deploybot-sandbox',
} as const;

export const DEFAULT_CHANNELS: FakeChannel[] = [{ id: 'C0ENGINEER', name: 'engineering' }];

export const DEFAULT_USERS: FakeUser[] = [
  { id: 'U0REQUESTER', name: 'riley', realName: 'Riley Requester' },
  { id: 'U0APPROVER', name: 'alex', realName: 'Alex Approver' },
  { id: 'U0OUTSIDER', name: 'sam', realName: 'Sam Outsider' },
  { id: 'U0DEPLOYER', name: 'dana', realName: 'Dana Deployer' },
];

export const DEFAULT_USERGROUPS: Record<string, string[]> = { S0APPROVERS: ['U0APPROVER'] };

export interface MessageContent {
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: unknown;
}

/** The state of the fake workspace: channels, people, groups, and everything posted. */
export class Workspace {
  readonly channels: FakeChannel[];
  readonly users: FakeUser[];
  readonly usergroups: Record<string, string[]>;
  private history = new Map<string, FakeMessage[]>();
  private ephemeralList: FakeEphemeral[] = [];
  private lastMicros = 0;

  constructor(
    options: FakeSlackOptions,
    private readonly emit: (change: FakeSlackChange) => void,
  ) {
    this.channels = (options.channels ?? DEFAULT_CHANNELS).map((c) => ({ ...c }));
    const users = (options.users ?? DEFAULT_USERS).map((u) => ({ ...u }));
    if (!users.some((u) => u.id === BOT.userId)) {
      users.push({ id: BOT.userId, name: BOT.name, realName: 'Deploybot', isBot: true });
    }
    this.users = users;
    this.usergroups = Object.fromEntries(
      Object.entries(options.usergroups ?? DEFAULT_USERGROUPS).map(([id, members]) => [id, [...members]]),
    );
  }

  /** A new message timestamp, strictly greater than every one before, like "1764262000.000100". */
  nextTs(): string {
    const micros = Math.max(Date.now() * 1000, this.lastMicros + 1);
    this.lastMicros = micros;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  /** A channel by id, by name, or by `#name`. */
  channel(idOrName: string | undefined): FakeChannel | undefined {
    if (!idOrName) return undefined;
    const name = idOrName.startsWith('#') ? idOrName.slice(1) : idOrName;
    return this.channels.find((c) => c.id === idOrName) ?? this.channels.find((c) => c.name === name);
  }

  channelById(id: string | undefined): FakeChannel | undefined {
    return this.channels.find((c) => c.id === id);
  }

  user(id: string | undefined): FakeUser | undefined {
    return this.users.find((u) => u.id === id);
  }

  /**
   * Top-level messages of a channel (id or name), oldest first, each with its `replies`;
   * a broadcast reply is only in its thread's `replies` here (`timeline` lists it too).
   */
  messages(channel: string): FakeMessage[] {
    const id = this.channel(channel)?.id;
    return id ? (this.history.get(id) ?? []) : [];
  }

  /**
   * What the channel itself shows, oldest first: its top-level messages and the
   * replies also sent to the channel (`subtype: 'thread_broadcast'`), as
   * conversations.history lists them. The broadcasts are the thread's own reply
   * objects, so an update or a delete shows in both places.
   */
  timeline(channel: string): FakeMessage[] {
    const list: FakeMessage[] = [];
    for (const message of this.messages(channel)) {
      list.push(message);
      for (const reply of message.replies) if (reply.subtype === 'thread_broadcast') list.push(reply);
    }
    return list.sort((a, b) => compareTs(a.ts, b.ts));
  }

  /** A message anywhere (top level or in a thread), optionally only in one channel. */
  findMessage(ts: string, channelId?: string): FakeMessage | undefined {
    for (const [id, messages] of this.history) {
      if (channelId !== undefined && id !== channelId) continue;
      for (const message of messages) {
        if (message.ts === ts) return message;
        const reply = message.replies.find((r) => r.ts === ts);
        if (reply) return reply;
      }
    }
    return undefined;
  }

  /** The top-level message a reply belongs to (or the message itself when it is top level). */
  threadRoot(message: FakeMessage): FakeMessage | undefined {
    if (!message.thread_ts || message.thread_ts === message.ts) return message;
    return this.findMessage(message.thread_ts, message.channel);
  }

  /** `broadcast` (a reply's `reply_broadcast`) also shows the reply in the channel; ignored at top level. */
  post(
    channelId: string,
    content: MessageContent,
    via: FakeVia,
    threadRoot?: FakeMessage,
    broadcast = false,
  ): FakeMessage {
    const ts = this.nextTs();
    const message: FakeMessage = {
      type: 'message',
      ...(threadRoot && broadcast ? { subtype: 'thread_broadcast' as const } : {}),
      channel: channelId,
      ts,
      text: content.text ?? '',
      user: BOT.userId,
      bot_id: BOT.botId,
      app_id: BOT.appId,
      team: BOT.teamId,
      replies: [],
      via,
    };
    if (content.blocks !== undefined) message.blocks = content.blocks;
    if (content.attachments !== undefined) message.attachments = content.attachments;
    if (content.metadata !== undefined) message.metadata = content.metadata;
    if (threadRoot) {
      message.thread_ts = threadRoot.ts;
      threadRoot.replies.push(message);
      threadRoot.thread_ts = threadRoot.ts;
      threadRoot.reply_count = threadRoot.replies.length;
      threadRoot.latest_reply = ts;
      threadRoot.reply_users = [...new Set(threadRoot.replies.map((r) => r.user))];
    } else {
      const list = this.history.get(channelId) ?? [];
      list.push(message);
      this.history.set(channelId, list);
    }
    this.emit({
      kind: 'message',
      channel: channelId,
      ts,
      ...(threadRoot ? { thread_ts: threadRoot.ts } : {}),
    });
    return message;
  }

  /** Replaces what is given; Slack keeps blocks and attachments that an update leaves out. */
  update(message: FakeMessage, content: MessageContent, markEdited: boolean): FakeMessage {
    if (content.text !== undefined) message.text = content.text;
    if (content.blocks !== undefined) message.blocks = content.blocks;
    if (content.attachments !== undefined) message.attachments = content.attachments;
    if (content.metadata !== undefined) message.metadata = content.metadata;
    if (markEdited) message.edited = { user: BOT.userId, ts: this.nextTs() };
    this.emit({ kind: 'update', channel: message.channel, ts: message.ts });
    return message;
  }

  delete(message: FakeMessage): void {
    const root = this.threadRoot(message);
    if (root && root !== message) {
      root.replies = root.replies.filter((r) => r !== message);
      root.reply_count = root.replies.length;
      root.latest_reply = root.replies.at(-1)?.ts;
    } else {
      const list = this.history.get(message.channel) ?? [];
      this.history.set(
        message.channel,
        list.filter((m) => m !== message),
      );
    }
    this.emit({ kind: 'delete', channel: message.channel, ts: message.ts });
  }

  postEphemeral(
    channelId: string,
    userId: string,
    content: MessageContent,
    via: FakeVia,
    threadTs?: string,
  ): FakeEphemeral {
    const ephemeral: FakeEphemeral = {
      channel: channelId,
      user: userId,
      ts: this.nextTs(),
      text: content.text ?? '',
      via,
    };
    if (content.blocks !== undefined) ephemeral.blocks = content.blocks;
    if (content.attachments !== undefined) ephemeral.attachments = content.attachments;
    if (threadTs !== undefined) ephemeral.thread_ts = threadTs;
    this.ephemeralList.push(ephemeral);
    this.emit({ kind: 'ephemeral', channel: channelId, user: userId, ts: ephemeral.ts });
    return ephemeral;
  }

  replaceEphemeral(ephemeral: FakeEphemeral, content: MessageContent): void {
    if (content.text !== undefined) ephemeral.text = content.text;
    if (content.blocks !== undefined) ephemeral.blocks = content.blocks;
    if (content.attachments !== undefined) ephemeral.attachments = content.attachments;
    this.emit({ kind: 'ephemeral', channel: ephemeral.channel, user: ephemeral.user, ts: ephemeral.ts });
  }

  deleteEphemeral(ephemeral: FakeEphemeral): void {
    ephemeral.deleted = true;
    this.emit({ kind: 'ephemeral', channel: ephemeral.channel, user: ephemeral.user, ts: ephemeral.ts });
  }

  /** Ephemeral messages still shown (optionally only one user's), oldest first. */
  ephemerals(userId?: string): FakeEphemeral[] {
    return this.ephemeralList.filter((e) => !e.deleted && (userId === undefined || e.user === userId));
  }

  findEphemeral(ts: string): FakeEphemeral | undefined {
    return this.ephemeralList.find((e) => e.ts === ts);
  }

  permalink(message: FakeMessage): string {
    const base = `https://${BOT.teamDomain}.slack.com/archives/${message.channel}/p${message.ts.replace('.', '')}`;
    if (message.thread_ts && message.thread_ts !== message.ts) {
      return `${base}?thread_ts=${message.thread_ts}&cid=${message.channel}`;
    }
    return base;
  }

  /** Forgets every message (timestamps keep increasing across resets). */
  clear(): void {
    this.history = new Map();
    this.ephemeralList = [];
  }
}

/** Orders Slack timestamps ("seconds.micros") numerically. */
export function compareTs(a: string, b: string): number {
  const [aSeconds = '0', aMicros = '0'] = a.split('.');
  const [bSeconds = '0', bMicros = '0'] = b.split('.');
  return (
    Number(aSeconds) - Number(bSeconds) || Number(aMicros.padEnd(6, '0')) - Number(bMicros.padEnd(6, '0'))
  );
}
