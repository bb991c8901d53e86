import type { FakeSlackApi } from '../../src/sandbox/fake-slack-api';
import type { FakeMessage } from '../../src/sandbox/fake-slack/types';
import {
  buttonClickPayload,
  checkboxesChangePayload,
  interactionBody,
  postToBolt,
  slashCommandBody,
} from './slack-requests';

export const CHANNEL = 'C0ENGINEER';

type Json = Record<string, unknown>;

/** A request as it was sent: enough to send the very same bytes, signature and all, again. */
export interface SentRequest {
  body: string;
  /** The signature's timestamp (seconds). */
  timestamp: number;
  status: number;
  answer: string;
  /** Wall clock (ms) when it was sent and when its HTTP answer came. */
  sentAt: number;
  answeredAt: number;
  /** The response_url Slack gave it. */
  responseUrl: string;
}

/** An interactive element of a message, with the block it sits in. */
export interface Element {
  blockId: string;
  element: Json;
}

/**
 * A person in Slack, over real HTTP: signed slash commands and clicks sent to
 * the web process's /slack/events, and the channel read back from the fake
 * Slack Web API it posts to.
 */
export class ChaosSlack {
  constructor(
    readonly slack: FakeSlackApi,
    private readonly eventsUrl: string,
    private readonly signingSecret: string,
  ) {}

  /** Types `/deploy <text>` (or another command) as `user`. */
  async command(user: string, text: string, command = '/deploy'): Promise<SentRequest> {
    const responseUrl = this.slack.newResponseUrl(CHANNEL, user);
    const body = slashCommandBody({ command, text, user_id: user, response_url: responseUrl });
    return this.send(body, responseUrl);
  }

  /** Sets the selection of the checkbox group that offers `item` to `selected` (a tick or an untick). */
  async select(user: string, message: FakeMessage, item: string, selected: string[]): Promise<SentRequest> {
    const group = elements(message).find((e) =>
      ((e.element.options as Json[] | undefined) ?? []).some((o) => o.value === item),
    );
    if (!group) throw new Error(`no checklist group offers ${item}`);
    const responseUrl = this.slack.newResponseUrl(CHANNEL, user, message.ts);
    const payload = checkboxesChangePayload({
      user_id: user,
      message: { ts: message.ts, blocks: message.blocks ?? [] },
      response_url: responseUrl,
      action_id: String(group.element.action_id),
      block_id: group.blockId,
      selected,
    });
    return this.send(interactionBody(payload), responseUrl);
  }

  /** Clicks the button `actionId` of `message` as `user`. */
  async click(user: string, message: FakeMessage, actionId: string): Promise<SentRequest> {
    const button = elements(message).find((e) => e.element.action_id === actionId);
    if (!button) throw new Error(`message ${message.ts} has no ${actionId} button`);
    const responseUrl = this.slack.newResponseUrl(CHANNEL, user, message.ts);
    const payload = buttonClickPayload({
      user_id: user,
      message: { ts: message.ts, blocks: message.blocks ?? [] },
      response_url: responseUrl,
      action_id: actionId,
      block_id: button.blockId,
    });
    return this.send(interactionBody(payload), responseUrl);
  }

  /** Sends a captured request again, byte for byte with its original signature, as a replay does. */
  async replay(request: SentRequest): Promise<SentRequest> {
    return this.send(request.body, request.responseUrl, request.timestamp);
  }

  /** The release message of `version` (top level, newest first), not a rollback's. */
  releaseMessage(version: string): FakeMessage | undefined {
    return [...this.slack.messages(CHANNEL)]
      .reverse()
      .find((m) => textOf(m).includes(version) && !/Rollback/.test(m.text));
  }

  /** Top-level messages that name `version`: a release has exactly one. */
  parentMessages(version: string): FakeMessage[] {
    return this.slack
      .messages(CHANNEL)
      .filter((m) => textOf(m).includes(version) && !/Rollback/.test(m.text));
  }

  /** Everything posted anywhere in the channel, thread replies included. */
  everything(): FakeMessage[] {
    return this.slack.messages(CHANNEL).flatMap((m) => [m, ...m.replies]);
  }

  /** What was posted to a response_url, in order. */
  responsesTo(responseUrl: string): Json[] {
    return this.slack.responses.filter((r) => r.url === responseUrl).map((r) => r.body);
  }

  private async send(body: string, responseUrl: string, timestamp?: number): Promise<SentRequest> {
    const ts = timestamp ?? Math.floor(Date.now() / 1000);
    const sentAt = Date.now();
    // Status 0: no HTTP answer within Slack's patience and then some (the error is the answer).
    const answer = await postToBolt(this.eventsUrl, this.signingSecret, body, {
      timestamp: ts,
      timeoutMs: 10_000,
    }).catch((error: unknown) => ({
      status: 0,
      body: error instanceof Error ? error.message : String(error),
    }));
    return {
      body,
      timestamp: ts,
      status: answer.status,
      answer: answer.body,
      sentAt,
      answeredAt: Date.now(),
      responseUrl,
    };
  }
}

export function textOf(m: FakeMessage | Json): string {
  return `${String(m.text ?? '')}\n${JSON.stringify(m.blocks ?? [])}`;
}

/** The interactive elements of a message (block elements and accessories). */
export function elements(m: FakeMessage): Element[] {
  return ((m.blocks ?? []) as Json[]).flatMap((b) =>
    [...((b.elements as Json[] | undefined) ?? []), ...(b.accessory ? [b.accessory as Json] : [])]
      .filter((e) => typeof e.action_id === 'string')
      .map((element) => ({ blockId: String(b.block_id), element })),
  );
}
