/**
 * Requests into the bot exactly as Slack sends them: signed form bodies for slash
 * commands and `block_actions` interactions, with Slack's retry headers on demand.
 * Shared by the tests (test/support/slack-requests.ts re-exports it) and the local
 * workspace page, so both speak to the bot in the very same way.
 */
import { createHmac, randomBytes, randomInt } from 'node:crypto';

export const TEAM = { id: 'T0SANDBOX', domain: 'deploybot-sandbox' } as const;
export const APP_ID = 'A0DEPLOYBOT';
/** The legacy verification token Slack still puts in every payload (Bolt ignores it). */
export const VERIFICATION_TOKEN = 'fake-verification-token';

const KNOWN_NAMES: Record<string, string> = {
  U0REQUESTER: 'riley',
  U0APPROVER: 'alex',
  U0OUTSIDER: 'sam',
  U0DEPLOYER: 'dana',
};
const CHANNEL_NAMES: Record<string, string> = { C0ENGINEER: 'engineering' };

/** Slack's v0 request signature over `v0:<timestamp>:<raw body>`. */
export function signSlackRequest(
  signingSecret: string,
  rawBody: string,
  timestampSeconds: number,
): { 'x-slack-signature': string; 'x-slack-request-timestamp': string } {
  const digest = createHmac('sha256', signingSecret)
    .update(`v0:${timestampSeconds}:${rawBody}`)
    .digest('hex');
  return { 'x-slack-signature': `v0=${digest}`, 'x-slack-request-timestamp': String(timestampSeconds) };
}

/** A trigger_id shaped like Slack's: `<digits>.<digits>.<hex>`. */
export function randomTriggerId(): string {
  return `${randomInt(1e9, 1e10)}.${randomInt(1e11, 1e12)}.${randomBytes(16).toString('hex')}`;
}

/** An action_ts/message ts shaped like Slack's: "1764262000.123456". */
function nowTs(): string {
  const micros = Date.now() * 1000 + randomInt(0, 1000);
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
}

export interface SlashCommandFields {
  command: string;
  text: string;
  user_id: string;
  response_url: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  trigger_id?: string;
  team_id?: string;
  team_domain?: string;
  api_app_id?: string;
  token?: string;
  /** Anything else Slack may add (enterprise_id, ...), appended at the end. */
  [extra: string]: string | undefined;
}

/** The form-urlencoded body Slack POSTs for a slash command, fields in Slack's order. */
export function slashCommandBody(fields: SlashCommandFields): string {
  const channelId = fields.channel_id ?? 'C0ENGINEER';
  const ordered: Record<string, string> = {
    token: fields.token ?? VERIFICATION_TOKEN,
    team_id: fields.team_id ?? TEAM.id,
    team_domain: fields.team_domain ?? TEAM.domain,
    channel_id: channelId,
    channel_name: fields.channel_name ?? CHANNEL_NAMES[channelId] ?? 'general',
    user_id: fields.user_id,
    user_name: fields.user_name ?? KNOWN_NAMES[fields.user_id] ?? fields.user_id.toLowerCase(),
    command: fields.command,
    text: fields.text,
    api_app_id: fields.api_app_id ?? APP_ID,
    is_enterprise_install: 'false',
    response_url: fields.response_url,
    trigger_id: fields.trigger_id ?? randomTriggerId(),
  };
  const params = new URLSearchParams(ordered);
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined && !(key in ordered)) params.append(key, value);
  }
  return params.toString();
}

/** The clicked message, as the fake Slack stores it (or any object with ts and blocks). */
export interface InteractionMessage {
  ts: string;
  text?: string;
  blocks?: unknown[];
  thread_ts?: string;
}

export interface InteractionBase {
  user_id: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  message: InteractionMessage;
  response_url: string;
  trigger_id?: string;
  team_id?: string;
  /** Overrides `state.values`, which otherwise mirrors the message's checkboxes. */
  stateValues?: Record<string, Record<string, unknown>>;
  /** The message is an ephemeral one: Slack then marks the container and sends no `message`. */
  ephemeral?: boolean;
}

export interface ButtonClick extends InteractionBase {
  action_id: string;
  block_id: string;
  value?: string;
  /** The button label; read from the message's blocks when left out. */
  text?: string;
}

export interface CheckboxesChange extends InteractionBase {
  action_id: string;
  block_id: string;
  /** The ticked options after the change: values (text read from the message) or full options. */
  selected: (string | { text: string; value: string })[];
}

type Json = Record<string, unknown>;

function elementsOf(blocks: unknown[] | undefined): { block_id: string; element: Json }[] {
  const found: { block_id: string; element: Json }[] = [];
  for (const raw of blocks ?? []) {
    const block = raw as Json;
    const blockId = typeof block.block_id === 'string' ? block.block_id : '';
    const elements = Array.isArray(block.elements) ? (block.elements as Json[]) : [];
    const accessory = block.accessory ? [block.accessory as Json] : [];
    for (const element of [...elements, ...accessory]) found.push({ block_id: blockId, element });
  }
  return found;
}

/** The interactive element `actionId` of block `blockId` (in `elements` or the `accessory`). */
export function findElement(
  message: InteractionMessage,
  blockId: string,
  actionId: string,
): Json | undefined {
  return elementsOf(message.blocks).find((e) => e.block_id === blockId && e.element.action_id === actionId)
    ?.element;
}

/** What Slack reports as `state.values`: each checkboxes element's current ticks. */
function stateOf(message: InteractionMessage): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const { block_id, element } of elementsOf(message.blocks)) {
    if (element.type !== 'checkboxes' || typeof element.action_id !== 'string') continue;
    values[block_id] = {
      ...values[block_id],
      [element.action_id]: { type: 'checkboxes', selected_options: element.initial_options ?? [] },
    };
  }
  return values;
}

/** A `block_actions` payload for `action` taken on a message in a channel. */
export function blockActionsPayload(base: InteractionBase, action: Json): Json {
  const channelId = base.channel_id ?? 'C0ENGINEER';
  const teamId = base.team_id ?? TEAM.id;
  const userName = base.user_name ?? KNOWN_NAMES[base.user_id] ?? base.user_id.toLowerCase();
  const ephemeral = base.ephemeral ?? false;
  const payload: Json = {
    type: 'block_actions',
    user: { id: base.user_id, username: userName, name: userName, team_id: teamId },
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    container: {
      type: 'message',
      message_ts: base.message.ts,
      channel_id: channelId,
      is_ephemeral: ephemeral,
      ...(base.message.thread_ts ? { thread_ts: base.message.thread_ts } : {}),
    },
    trigger_id: base.trigger_id ?? randomTriggerId(),
    team: { id: teamId, domain: TEAM.domain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channelId, name: base.channel_name ?? CHANNEL_NAMES[channelId] ?? 'general' },
  };
  // Slack keeps no copy of an ephemeral message, so it cannot send one back.
  if (!ephemeral) {
    payload.message = {
      type: 'message',
      user: 'U0DEPLOYBOT',
      bot_id: 'B0DEPLOYBOT',
      app_id: APP_ID,
      team: teamId,
      text: base.message.text ?? '',
      ts: base.message.ts,
      ...(base.message.thread_ts ? { thread_ts: base.message.thread_ts } : {}),
      blocks: base.message.blocks ?? [],
    };
  }
  payload.state = { values: base.stateValues ?? stateOf(base.message) };
  payload.response_url = base.response_url;
  payload.actions = [{ ...action, action_ts: nowTs() }];
  return payload;
}

/** A click on a button of the message. */
export function buttonClickPayload(click: ButtonClick): Json {
  const element = findElement(click.message, click.block_id, click.action_id);
  const text =
    click.text ?? ((element?.text as Json | undefined)?.text as string | undefined) ?? click.action_id;
  const action: Json = {
    type: 'button',
    action_id: click.action_id,
    block_id: click.block_id,
    text: { type: 'plain_text', text, emoji: true },
  };
  const value = click.value ?? (element?.value as string | undefined);
  if (value !== undefined) action.value = value;
  if (element?.style !== undefined) action.style = element.style;
  return blockActionsPayload(click, action);
}

/** Ticking or unticking checkboxes of the message: `selected` is the new selection. */
export function checkboxesChangePayload(change: CheckboxesChange): Json {
  const element = findElement(change.message, change.block_id, change.action_id);
  const options = (element?.options as Json[] | undefined) ?? [];
  const selected = change.selected.map((s) => {
    if (typeof s !== 'string')
      return { text: { type: 'mrkdwn', text: s.text, verbatim: false }, value: s.value };
    const option = options.find((o) => o.value === s);
    return option
      ? { text: option.text, value: s }
      : { text: { type: 'mrkdwn', text: s, verbatim: false }, value: s };
  });
  const state = change.stateValues ?? stateOf(change.message);
  const values = {
    ...state,
    [change.block_id]: {
      ...state[change.block_id],
      [change.action_id]: { type: 'checkboxes', selected_options: selected },
    },
  };
  const action = {
    type: 'checkboxes',
    action_id: change.action_id,
    block_id: change.block_id,
    selected_options: selected,
  };
  return blockActionsPayload({ ...change, stateValues: values }, action);
}

/** The form body Slack POSTs for an interaction: `payload=<url-encoded JSON>`. */
export function interactionBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface PostOptions {
  /** Seconds; now unless given (a stale one checks replay protection). */
  timestamp?: number;
  retryNum?: number;
  retryReason?: string;
  /** Signs with a different secret, as a forged request would be. */
  badSignature?: boolean;
  /** Defaults to JSON for a body starting with `{`, form-urlencoded otherwise. */
  contentType?: string;
  /** Gives up (the fetch rejects) after this long, as Slack does after 3 seconds. */
  timeoutMs?: number;
}

/** POSTs a signed request to the bot as Slack does; answers status, body and parsed JSON if any. */
export async function postToBolt(
  url: string,
  signingSecret: string,
  body: string,
  options: PostOptions = {},
): Promise<{ status: number; body: string; json?: unknown }> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const secret = options.badSignature ? `${signingSecret}-forged` : signingSecret;
  const contentType =
    options.contentType ??
    (body.trimStart().startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded');
  const headers: Record<string, string> = {
    'content-type': contentType,
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...signSlackRequest(secret, body, timestamp),
  };
  if (options.retryNum !== undefined) headers['x-slack-retry-num'] = String(options.retryNum);
  if (options.retryReason !== undefined) headers['x-slack-retry-reason'] = options.retryReason;
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body,
    ...(options.timeoutMs !== undefined ? { signal: AbortSignal.timeout(options.timeoutMs) } : {}),
  });
  const text = await response.text();
  const result: { status: number; body: string; json?: unknown } = { status: response.status, body: text };
  if (text.trim() !== '') {
    try {
      result.json = JSON.parse(text) as unknown;
    } catch {
      // not JSON: Bolt answers some acknowledgements with an empty or plain body
    }
  }
  return result;
}
