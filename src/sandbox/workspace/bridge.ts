import type { FakeChannel, FakeSlackApi } from '../fake-slack-api';
import {
  buttonClickPayload,
  checkboxesChangePayload,
  findElement,
  interactionBody,
  postToBolt,
  slashCommandBody,
  type InteractionMessage,
} from '../slack-payloads';
import { viewSubmissionPayload } from '../view-payloads';

/** An answer for the page: the HTTP status to use and its JSON body. */
export interface Outcome {
  status: number;
  body: Record<string, unknown>;
}

export interface BridgeOptions {
  slack: FakeSlackApi;
  botEventsUrl: string;
  signingSecret: string;
  channel: FakeChannel;
  /** Slack gives up on an app after 3 seconds and tells the user so. */
  ackTimeoutMs: number;
  /** Commands the app has; Slack answers anything else itself. */
  commands: readonly string[];
}

export interface ActionRequest {
  ts: string;
  actionId: string;
  blockId: string;
  /** Checkboxes: the values ticked after the change (the element's whole selection). */
  selected?: string[];
}

/** `/deploy v1.2.0` → `{ command: '/deploy', text: 'v1.2.0' }`; anything else → undefined. */
export function parseCommandLine(line: string): { command: string; text: string } | undefined {
  const match = /^(\/[^\s/]+)(?:\s+([\s\S]*))?$/.exec(line.trim());
  if (!match?.[1]) return undefined;
  return { command: match[1].toLowerCase(), text: (match[2] ?? '').trim() };
}

const fail = (status: number, error: string, message: string): Outcome => ({
  status,
  body: { ok: false, error, message },
});

/**
 * What the page's clicks and commands become: requests to the bot signed as Slack
 * signs them, with response_urls the fake Slack honours.
 */
export class BotBridge {
  constructor(private readonly options: BridgeOptions) {}

  async command(user: string, line: string): Promise<Outcome> {
    const { slack, channel } = this.options;
    const parsed = parseCommandLine(line);
    if (!parsed) return fail(400, 'not_a_command', 'Only slash commands reach the bot: try /deploy help');
    if (!this.options.commands.includes(parsed.command)) {
      return fail(400, 'unknown_command', `${parsed.command} is not a valid command.`);
    }
    const responseUrl = slack.newResponseUrl(channel.id, user);
    const body = slashCommandBody({
      ...parsed,
      user_id: user,
      user_name: this.userName(user),
      channel_id: channel.id,
      channel_name: channel.name,
      response_url: responseUrl,
    });
    const answer = await this.post(body);
    if ('error' in answer) return answer.error;
    let ackShown = false;
    // Slack shows an acknowledgement's body as a reply, like one sent to the
    // response_url (ephemeral unless it says in_channel); posting it there lands it the same way.
    if (answer.status === 200 && answer.body.trim() !== '') {
      const json = answer.json;
      const message = json && typeof json === 'object' && !Array.isArray(json) ? json : { text: answer.body };
      const posted = await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
      });
      ackShown = posted.ok;
    }
    return {
      status: 200,
      body: { ok: answer.status === 200, status: answer.status, body: answer.body, ackShown, responseUrl },
    };
  }

  async action(user: string, request: ActionRequest): Promise<Outcome> {
    const { slack } = this.options;
    const stored = slack.findMessage(request.ts);
    const ephemeral = stored ? undefined : slack.ephemerals(user).find((e) => e.ts === request.ts);
    const found = stored ?? ephemeral;
    if (!found) return fail(404, 'message_not_found', 'That message is gone.');
    const message: InteractionMessage = { ts: found.ts, text: found.text };
    if (found.blocks) message.blocks = found.blocks;
    if (found.thread_ts) message.thread_ts = found.thread_ts;
    const element = findElement(message, request.blockId, request.actionId);
    if (!element) return fail(409, 'element_not_found', 'The message changed; nothing to click there now.');
    const base = {
      user_id: user,
      user_name: this.userName(user),
      channel_id: found.channel,
      channel_name: slack.channels.find((c) => c.id === found.channel)?.name ?? 'general',
      message,
      ephemeral: !stored,
      response_url: slack.newResponseUrl(found.channel, user, found.ts),
      // One the fake Slack knows, so that the bot can open a modal with it (views.open).
      trigger_id: slack.newTriggerId(user),
      action_id: request.actionId,
      block_id: request.blockId,
    };
    let payload: Record<string, unknown>;
    if (element.type === 'button') {
      payload = buttonClickPayload(base);
    } else if (element.type === 'checkboxes') {
      const offered = new Set(
        ((element.options as { value?: unknown }[] | undefined) ?? []).map((o) => o.value),
      );
      const selected = request.selected ?? [];
      const unknown = selected.filter((value) => !offered.has(value));
      if (unknown.length > 0) return fail(400, 'unknown_option', `Not an option here: ${unknown.join(', ')}`);
      payload = checkboxesChangePayload({ ...base, selected });
    } else {
      return fail(400, 'unsupported_element', `The page cannot send ${String(element.type)} actions.`);
    }
    // A reply also sent to the channel is one message: a click on it, from the thread or
    // the channel, says which thread it is in (above) and that it is a broadcast.
    if (stored?.subtype === 'thread_broadcast' && payload.message && typeof payload.message === 'object') {
      payload.message = { ...(payload.message as Record<string, unknown>), subtype: 'thread_broadcast' };
    }
    const answer = await this.post(interactionBody(payload));
    if ('error' in answer) return answer.error;
    return { status: 200, body: { ok: answer.status === 200, status: answer.status, body: answer.body } };
  }

  /**
   * The person pressed the modal's submit button: the bot's ack decides what
   * happens to it, as in Slack — empty or `clear` closes it, `errors` shows
   * them beside the fields (answered to the page), `update` replaces the view.
   */
  async submitView(user: string, viewId: string, values: Record<string, string>): Promise<Outcome> {
    const { slack } = this.options;
    const modal = slack.modalById(viewId);
    if (!modal || modal.user !== user) return fail(404, 'view_not_found', 'That form is closed.');
    const payload = viewSubmissionPayload({
      user_id: user,
      user_name: this.userName(user),
      view_id: viewId,
      view: modal.view,
      values,
    });
    const answer = await this.post(interactionBody(payload));
    if ('error' in answer) return answer.error;
    if (answer.status !== 200) {
      return fail(502, 'bot_error', `deploybot answered HTTP ${answer.status}; the form stays open.`);
    }
    const json = (answer.json ?? {}) as Record<string, unknown>;
    switch (json.response_action) {
      case undefined:
      case 'clear':
        slack.closeModal(viewId);
        return { status: 200, body: { ok: true, closed: true } };
      case 'errors':
        return { status: 200, body: { ok: true, closed: false, errors: json.errors ?? {} } };
      case 'update':
        if (json.view && typeof json.view === 'object')
          slack.updateModal(viewId, json.view as Record<string, unknown>);
        return { status: 200, body: { ok: true, closed: false } };
      default:
        return fail(
          501,
          'unsupported_response_action',
          `The page cannot show ${String(json.response_action)}.`,
        );
    }
  }

  /** Cancel or ✕: the modal closes; deploybot asks for no view_closed, so nothing is sent. */
  closeView(user: string, viewId: string): Outcome {
    const modal = this.options.slack.modalById(viewId);
    if (!modal || modal.user !== user) return fail(404, 'view_not_found', 'That form is closed.');
    this.options.slack.closeModal(viewId);
    return { status: 200, body: { ok: true, closed: true } };
  }

  private userName(id: string): string {
    return this.options.slack.users.find((u) => u.id === id)?.name ?? id.toLowerCase();
  }

  private async post(
    body: string,
  ): Promise<{ status: number; body: string; json?: unknown } | { error: Outcome }> {
    const { botEventsUrl, signingSecret, ackTimeoutMs } = this.options;
    try {
      return await postToBolt(botEventsUrl, signingSecret, body, { timeoutMs: ackTimeoutMs });
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') {
        return { error: fail(504, 'operation_timeout', `The bot did not answer within ${ackTimeoutMs} ms.`) };
      }
      const detail =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error);
      return { error: fail(502, 'bot_unreachable', `Could not reach the bot at ${botEventsUrl}: ${detail}`) };
    }
  }
}
