/**
 * What Slack can send, checked field by field before Bolt reads it. Bolt's
 * dispatch (App#processEvent, getTypeAndConversation, buildSource) assumes
 * Slack's shapes: `body.user.id` of an interaction without `user` throws (a
 * 500), an `event` that is a string throws on `'channel' in event`, a team id
 * of "__proto__" picks a WebClient pool off Object.prototype. Each check names
 * the first thing wrong, in our words (never echoing the sender's), or answers
 * undefined when the body is one Slack could have sent.
 */
type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Slack ids (U…, W…, T…, E…, C…, G…, D…, B…, V…): upper-case letters and digits. */
const SLACK_ID = /^[A-Z][A-Z0-9]{1,39}$/;
/** action_ts and message ts: "1764262000.123456". */
const SLACK_TS = /^\d{1,12}\.\d{1,9}$/;

const INTERACTION_TYPES = new Set([
  'block_actions',
  'block_suggestion',
  'view_submission',
  'view_closed',
  'shortcut',
  'message_action',
]);

/** Keys Bolt routes on: one in the wrong kind of body sends it down the wrong path. */
const ROUTING_KEYS = ['event', 'command', 'name', 'actions'] as const;

type Problem = string | undefined;

function string(value: unknown, field: string, max = 4096): Problem {
  if (typeof value !== 'string') return `${field} is not a string`;
  if (value.length > max) return `${field} is too long`;
  return undefined;
}

function optionalString(value: unknown, field: string, max = 4096): Problem {
  return value === undefined ? undefined : string(value, field, max);
}

function slackId(value: unknown, field: string): Problem {
  return typeof value === 'string' && SLACK_ID.test(value) ? undefined : `${field} is not a Slack id`;
}

function optionalSlackId(value: unknown, field: string): Problem {
  return value === undefined || value === null ? undefined : slackId(value, field);
}

function url(value: unknown, field: string): Problem {
  if (typeof value !== 'string' || value.length > 2048) return `${field} is not a URL`;
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:' ? undefined : `${field} is not an http(s) URL`;
  } catch {
    return `${field} is not a URL`;
  }
}

function optionalUrl(value: unknown, field: string): Problem {
  return value === undefined ? undefined : url(value, field);
}

function optionalRecord(value: unknown, field: string): Problem {
  return value === undefined || isRecord(value) ? undefined : `${field} is not an object`;
}

function arrayOfRecords(value: unknown, field: string): Problem {
  if (!Array.isArray(value)) return `${field} is not a list`;
  return value.every(isRecord) ? undefined : `${field} holds something other than objects`;
}

function optionalArrayOfRecords(value: unknown, field: string): Problem {
  return value === undefined ? undefined : arrayOfRecords(value, field);
}

/** The first problem among the records of `list` (a list checked to be one beforehand). */
function eachOf(list: unknown, check: (item: Json) => Problem): Problem {
  if (!Array.isArray(list)) return undefined;
  for (const item of list) {
    const found = isRecord(item) ? check(item) : undefined;
    if (found) return found;
  }
  return undefined;
}

function first(...problems: (() => Problem)[]): Problem {
  for (const problem of problems) {
    const found = problem();
    if (found) return found;
  }
  return undefined;
}

/** A slash command's form fields (Bolt hands them to the listener as `command`). */
export function slashCommandProblem(fields: Record<string, unknown>): Problem {
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value !== 'string') return `form field ${fieldName(key)} is repeated`;
  }
  return first(
    () => (/^\/[a-z0-9_-]{1,32}$/i.test(String(fields.command)) ? undefined : 'command is malformed'),
    () => string(fields.text, 'text', 16_000),
    () => slackId(fields.user_id, 'user_id'),
    () => slackId(fields.team_id, 'team_id'),
    () => slackId(fields.channel_id, 'channel_id'),
    () => optionalSlackId(fields.enterprise_id, 'enterprise_id'),
    () => url(fields.response_url, 'response_url'),
    () => string(fields.trigger_id, 'trigger_id', 256),
    () =>
      fields.is_enterprise_install === undefined ||
      /^(true|false)$/.test(String(fields.is_enterprise_install))
        ? undefined
        : 'is_enterprise_install is not true or false',
    () => routingKeyProblem(fields, ['command']),
    () => ('payload' in fields || 'ssl_check' in fields ? 'command mixed with payload' : undefined),
  );
}

/** An interaction's `payload` JSON: block actions, view submissions, shortcuts and option loads. */
export function interactionProblem(payload: unknown): Problem {
  if (!isRecord(payload)) return 'payload is not an object';
  const type = payload.type;
  if (typeof type !== 'string' || !INTERACTION_TYPES.has(type)) return 'payload type is missing or unknown';
  const user = payload.user;
  return first(
    () => (isRecord(user) ? undefined : 'payload has no user'),
    () => slackId((user as Json).id, 'user.id'),
    () => optionalSlackId((user as Json).team_id, 'user.team_id'),
    () => (payload.team === null ? undefined : optionalRecord(payload.team, 'team')),
    () => (isRecord(payload.team) ? slackId(payload.team.id, 'team.id') : undefined),
    () => (payload.enterprise === null ? undefined : optionalRecord(payload.enterprise, 'enterprise')),
    () => (isRecord(payload.enterprise) ? slackId(payload.enterprise.id, 'enterprise.id') : undefined),
    () => optionalRecord(payload.channel, 'channel'),
    () => (isRecord(payload.channel) ? slackId(payload.channel.id, 'channel.id') : undefined),
    () =>
      payload.is_enterprise_install === undefined || typeof payload.is_enterprise_install === 'boolean'
        ? undefined
        : 'is_enterprise_install is not a boolean',
    () => optionalString(payload.api_app_id, 'api_app_id', 64),
    () => optionalString(payload.trigger_id, 'trigger_id', 256),
    () => optionalUrl(payload.response_url, 'response_url'),
    () => optionalRecord(payload.container, 'container'),
    () => optionalRecord(payload.state, 'state'),
    () => messageProblem(payload.message),
    // Bolt takes a workflow function's context (and token) from these when present.
    () => optionalRecord(payload.function_data, 'function_data'),
    () => optionalString(payload.bot_access_token, 'bot_access_token', 256),
    () => routingKeyProblem(payload, type === 'block_actions' ? ['actions'] : []),
    () => typeSpecificProblem(type, payload),
  );
}

function typeSpecificProblem(type: string, payload: Json): Problem {
  switch (type) {
    case 'block_actions':
      return first(
        // Slack gives every click on a message a response_url, the only way to answer it.
        () =>
          isRecord(payload.container) &&
          payload.container.type === 'message' &&
          payload.response_url === undefined
            ? 'a click on a message without response_url'
            : undefined,
        () => arrayOfRecords(payload.actions, 'actions'),
        () => ((payload.actions as unknown[]).length === 0 ? 'actions is empty' : undefined),
        () => eachOf(payload.actions, actionProblem),
        () => optionalRecord(payload.view, 'view'),
      );
    case 'block_suggestion':
      return first(
        () => string(payload.action_id, 'action_id', 255),
        () => string(payload.block_id, 'block_id', 255),
        () => string(payload.value, 'value'),
      );
    case 'view_submission':
    case 'view_closed':
      return first(
        () => (isRecord(payload.view) ? undefined : 'view is not an object'),
        () => string((payload.view as Json).id, 'view.id', 64),
        () => optionalString((payload.view as Json).callback_id, 'view.callback_id', 255),
        () => optionalSlackId((payload.view as Json).app_installed_team_id, 'view.app_installed_team_id'),
        () => optionalString((payload.view as Json).private_metadata, 'view.private_metadata', 3000),
        // A submission carries the view's state (empty without inputs); a closed view may not.
        () =>
          type === 'view_submission' && (payload.view as Json).state === undefined
            ? 'view.state is missing'
            : viewStateProblem((payload.view as Json).state),
        () => optionalArrayOfRecords(payload.response_urls, 'response_urls'),
        () => eachOf(payload.response_urls, (r) => url(r.response_url, 'response_urls.response_url')),
      );
    case 'shortcut':
    case 'message_action':
      return first(
        () => string(payload.callback_id, 'callback_id', 255),
        () => string(payload.trigger_id, 'trigger_id', 256),
      );
    default:
      return 'payload type is unknown';
  }
}

/**
 * A view's `state`: Slack sends `{ values: { <block_id>: { <action_id>: element state } } }`,
 * empty for a view without inputs. Listeners read answers by those two keys.
 */
function viewStateProblem(state: unknown): Problem {
  if (state === undefined) return undefined;
  if (!isRecord(state)) return 'view.state is not an object';
  const values = state.values;
  if (!isRecord(values)) return 'view.state.values is not an object';
  for (const block of Object.values(values)) {
    if (!isRecord(block)) return 'view.state.values holds something other than objects';
    if (!Object.values(block).every(isRecord))
      return 'a view.state.values block holds something other than objects';
  }
  return undefined;
}

function actionProblem(action: Json): Problem {
  return first(
    () => string(action.action_id, 'action_id', 255),
    () => string(action.block_id, 'block_id', 255),
    () => string(action.type, 'action type', 64),
    () =>
      typeof action.action_ts === 'string' && SLACK_TS.test(action.action_ts)
        ? undefined
        : 'action_ts is malformed',
    () => optionalString(action.value, 'action value', 2000),
    () => optionalArrayOfRecords(action.selected_options, 'selected_options'),
    () => eachOf(action.selected_options, (option) => string(option.value, 'selected option value', 150)),
  );
}

/** The clicked message, when there is one: our listeners walk its blocks and their elements. */
function messageProblem(message: unknown): Problem {
  if (message === undefined) return undefined;
  if (!isRecord(message)) return 'message is not an object';
  return first(
    () => optionalString(message.ts, 'message.ts', 32),
    () => optionalArrayOfRecords(message.blocks, 'message.blocks'),
    () => eachOf(message.blocks, blockProblem),
  );
}

function blockProblem(block: Json): Problem {
  return first(
    () => optionalArrayOfRecords(block.elements, 'block elements'),
    () => optionalRecord(block.accessory, 'block accessory'),
    () => eachOf(block.elements, (element) => optionalArrayOfRecords(element.options, 'element options')),
  );
}

/** An Events API body: url_verification and event_callback reach Bolt; the rest is ours to answer. */
export function eventCallbackProblem(body: Json): Problem {
  const event = body.event;
  if (!isRecord(event)) return 'event is not an object';
  return first(
    () => string(event.type, 'event.type', 128),
    () => slackId(body.team_id, 'team_id'),
    () => optionalSlackId(body.enterprise_id, 'enterprise_id'),
    () => optionalString(body.api_app_id, 'api_app_id', 64),
    () => optionalString(body.event_id, 'event_id', 128),
    () => optionalArrayOfRecords(body.authorizations, 'authorizations'),
    () => {
      const [auth] = (body.authorizations as Json[] | undefined) ?? [];
      if (!auth) return undefined;
      return first(
        () => optionalSlackId(auth.team_id, 'authorizations.team_id'),
        () => optionalSlackId(auth.enterprise_id, 'authorizations.enterprise_id'),
      );
    },
    () =>
      event.channel === undefined || typeof event.channel === 'string' || isRecord(event.channel)
        ? undefined
        : 'event.channel is neither a string nor an object',
    () => optionalString(event.channel_id, 'event.channel_id', 64),
    () => optionalRecord(event.item, 'event.item'),
    () =>
      event.user === undefined || typeof event.user === 'string' || isRecord(event.user)
        ? undefined
        : 'event.user is neither a string nor an object',
    () => optionalRecord(event.subteam, 'event.subteam'),
    () => routingKeyProblem(body, ['event']),
  );
}

function routingKeyProblem(body: Json, allowed: readonly string[]): Problem {
  const stray = ROUTING_KEYS.find((key) => !allowed.includes(key) && key in body);
  return stray ? `unexpected ${stray} field` : undefined;
}

/** A form field name for a log line: ours to print only if it is a plain identifier. */
function fieldName(key: string): string {
  return /^[a-z_]{1,32}$/.test(key) ? key : '(unnamed)';
}
