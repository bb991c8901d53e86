import type { App } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Server } from 'node:http';
import pino from 'pino';
import type { Config } from '../../src/config/schema';
import { systemClock } from '../../src/ports/clock';
import { RedisReleaseStore } from '../../src/redis/release-store';
import { redisUpdateGate } from '../../src/redis/slack-pacing';
import { FakeSlackApi } from '../../src/sandbox/fake-slack-api';
import { createSlackApp } from '../../src/slack/app';
import { Authorizer } from '../../src/slack/authorizer';
import { ChannelPacer } from '../../src/slack/channel-pacer';
import { ReleaseNotesSource } from '../../src/slack/release-notes-source';
import { SlackChat } from '../../src/slack/slack-chat';
import { UsergroupDirectory } from '../../src/slack/usergroups';
import { EngineHarness } from './engine-harness';
import {
  buttonClickPayload,
  checkboxesChangePayload,
  interactionBody,
  postToBolt,
  slashCommandBody,
  type PostOptions,
} from './slack-requests';
import { testConfig } from './test-config';

export const SIGNING_SECRET = ['test', 'signing', 'secret'].join('-');
const BOT_TOKEN = ['xoxb', 'test', 'token'].join('-');

/**
 * The whole bot over real HTTP: the Bolt app on a local port, its Web API calls
 * going to a local fake Slack, the engine on real Redis and BullMQ with fake AWS.
 */
export class SlackHarness {
  readonly slack = new FakeSlackApi({
    usergroups: { S0DEPLOYERS: ['U0DEPLOYER', 'U0REQUESTER'], S0APPROVERS: ['U0APPROVER'] },
  });
  engine!: EngineHarness;
  app!: App;
  url = '';
  private server?: Server;
  private chat?: SlackChat;

  constructor(private readonly config: Config = testConfig()) {}

  async start(options: { updateIntervalMs?: number; postSpacingMs?: number } = {}): Promise<void> {
    await this.slack.start();
    const client = new WebClient(BOT_TOKEN, {
      slackApiUrl: this.slack.apiUrl,
      rejectRateLimitedCalls: false,
    });
    const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    this.engine = new EngineHarness(this.config, ({ client: redis, prefix }) => {
      this.chat = new SlackChat({
        client,
        store: new RedisReleaseStore(redis, prefix),
        config: this.config,
        clock: systemClock,
        logger,
        pacer: new ChannelPacer(options.postSpacingMs ?? 50),
        gate: redisUpdateGate(redis, prefix),
        notes: new ReleaseNotesSource(this.config),
        updateIntervalMs: options.updateIntervalMs ?? 100,
        // The engine is built after its chat: its queue is looked up when a queued release is drawn.
        queueSlotOf: async (release) => this.engine.engine.releaseQueue.slotOf(release),
      });
      return this.chat;
    });
    const e = this.engine;
    const authorizer = new Authorizer(
      new UsergroupDirectory(client, () => Date.now()),
      e.engine.audit,
      systemClock,
    );
    this.app = createSlackApp(
      { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: this.slack.apiUrl },
      {
        config: this.config,
        engine: e.engine,
        authorizer,
        redis: e.client,
        prefix: e.prefix,
        clock: systemClock,
        logger,
      },
      [],
      logger,
    );
    this.server = (await this.app.start(0)) as Server;
    const { port } = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${port}/slack/events`;
  }

  async stop(): Promise<void> {
    await this.app?.stop();
    this.chat?.close();
    await this.engine?.close();
    await this.slack.stop();
  }

  /** Types a slash command as `user`; returns the HTTP answer and the response_url used. */
  async command(
    user: string,
    text: string,
    command = '/deploy',
    options: PostOptions & { triggerId?: string } = {},
  ) {
    const responseUrl = this.slack.newResponseUrl('C0ENGINEER', user);
    const body = slashCommandBody({
      command,
      text,
      user_id: user,
      response_url: responseUrl,
      ...(options.triggerId ? { trigger_id: options.triggerId } : {}),
    });
    const answer = await postToBolt(this.url, SIGNING_SECRET, body, options);
    return { ...answer, responseUrl };
  }

  /** Clicks a button of a message as `user`. */
  async click(user: string, ts: string, actionId: string, asSeen?: { blocks?: unknown[] }) {
    // `asSeen`: the message as the clicker's screen still showed it (a double click on a stale view).
    const message = asSeen ?? this.messageByTs(ts);
    const block = (message.blocks as Record<string, unknown>[]).find((b) =>
      ((b.elements as Record<string, unknown>[] | undefined) ?? []).some((e) => e.action_id === actionId),
    );
    const responseUrl = this.slack.newResponseUrl('C0ENGINEER', user, ts);
    const payload = buttonClickPayload({
      user_id: user,
      message: { ts, blocks: message.blocks as unknown[] },
      response_url: responseUrl,
      action_id: actionId,
      block_id: String(block?.block_id),
    });
    return { ...(await postToBolt(this.url, SIGNING_SECRET, interactionBody(payload))), responseUrl };
  }

  /** Ticks `items` (and keeps the others already ticked) in the checkbox group that offers them. */
  async tick(user: string, ts: string, items: string[]) {
    const message = this.messageByTs(ts);
    for (const block of message.blocks as Record<string, unknown>[]) {
      for (const element of (block.elements as Record<string, unknown>[] | undefined) ?? []) {
        const options = (element.options as { value: string }[] | undefined) ?? [];
        if (element.type !== 'checkboxes' || !options.some((o) => items.includes(o.value))) continue;
        const already = ((element.initial_options as { value: string }[] | undefined) ?? []).map(
          (o) => o.value,
        );
        const selected = [
          ...new Set([...already, ...items.filter((i) => options.some((o) => o.value === i))]),
        ];
        const payload = checkboxesChangePayload({
          user_id: user,
          message: { ts, blocks: message.blocks as unknown[] },
          response_url: this.slack.newResponseUrl('C0ENGINEER', user, ts),
          action_id: String(element.action_id),
          block_id: String(block.block_id),
          selected,
        });
        const answer = await postToBolt(this.url, SIGNING_SECRET, interactionBody(payload));
        if (answer.status !== 200) throw new Error(`tick answered ${answer.status}`);
      }
    }
  }

  messageByTs(ts: string): Record<string, unknown> {
    const found = this.slack.findMessage(ts);
    if (!found) throw new Error(`no message ${ts}`);
    return found as unknown as Record<string, unknown>;
  }

  /** The release messages in #engineering (top level), oldest first. */
  channelMessages() {
    return this.slack.messages('C0ENGINEER');
  }
}
