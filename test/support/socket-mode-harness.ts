import type { App } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import pino from 'pino';
import type { Config } from '../../src/config/schema';
import { systemClock } from '../../src/ports/clock';
import { RedisReleaseStore } from '../../src/redis/release-store';
import { redisUpdateGate } from '../../src/redis/slack-pacing';
import { FakeSlackApi } from '../../src/sandbox/fake-slack-api';
import type { FakeSocketAck } from '../../src/sandbox/fake-slack/types';
import { createSlackApp } from '../../src/slack/app';
import { Authorizer } from '../../src/slack/authorizer';
import { ChannelPacer } from '../../src/slack/channel-pacer';
import { ReleaseNotesSource } from '../../src/slack/release-notes-source';
import { SlackChat } from '../../src/slack/slack-chat';
import { UsergroupDirectory } from '../../src/slack/usergroups';
import { EngineHarness } from './engine-harness';
import { buttonClickPayload, checkboxesChangePayload, slashCommandBody } from './slack-requests';
import { testConfig } from './test-config';

const BOT_TOKEN = ['xoxb', 'socket', 'test'].join('-');
const APP_TOKEN = ['xapp', '1', 'socket', 'test'].join('-');

/**
 * The whole bot in Socket Mode: the Bolt app connects to the fake Slack's
 * WebSocket (found through SLACK_API_URL's apps.connections.open), which
 * delivers slash commands and clicks as envelopes and hands back the app's
 * acks; the engine runs on real Redis and BullMQ with fake AWS, as in
 * SlackHarness (its HTTP twin).
 */
export class SocketModeHarness {
  readonly slack = new FakeSlackApi({
    usergroups: { S0DEPLOYERS: ['U0DEPLOYER', 'U0REQUESTER'], S0APPROVERS: ['U0APPROVER'] },
  });
  engine!: EngineHarness;
  app!: App;
  /** The bot's log lines at info and above, parsed, oldest first. */
  readonly logs: Record<string, unknown>[] = [];
  private chat?: SlackChat;
  private started = false;

  constructor(private readonly config: Config = testConfig()) {}

  /** `clientPingTimeoutMs` also sets how long the client waits before reconnecting. */
  async start(options: { clientPingTimeoutMs?: number } = {}): Promise<void> {
    await this.slack.start();
    const client = new WebClient(BOT_TOKEN, {
      slackApiUrl: this.slack.apiUrl,
      rejectRateLimitedCalls: false,
    });
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => void this.logs.push(JSON.parse(line) as Record<string, unknown>) },
    );
    this.engine = new EngineHarness(this.config, ({ client: redis, prefix }) => {
      this.chat = new SlackChat({
        client,
        store: new RedisReleaseStore(redis, prefix),
        config: this.config,
        clock: systemClock,
        logger,
        pacer: new ChannelPacer(50),
        gate: redisUpdateGate(redis, prefix),
        notes: new ReleaseNotesSource(this.config),
        updateIntervalMs: 100,
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
      { botToken: BOT_TOKEN, appToken: APP_TOKEN, apiUrl: this.slack.apiUrl },
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
      { clientPingTimeoutMs: options.clientPingTimeoutMs ?? 1000 },
    );
    // Resolves once the fake said hello on the first connection.
    await this.app.start();
    this.started = true;
  }

  async stop(): Promise<void> {
    if (this.started) await this.app.stop();
    this.chat?.close();
    await this.engine?.close();
    await this.slack.stop();
  }

  /** Types a slash command as `user`; resolves with the app's ack (its payload is the immediate reply). */
  command(user: string, text: string, options: { command?: string; triggerId?: string } = {}) {
    const body = slashCommandBody({
      command: options.command ?? '/deploy',
      text,
      user_id: user,
      response_url: this.slack.newResponseUrl('C0ENGINEER', user),
      ...(options.triggerId ? { trigger_id: options.triggerId } : {}),
    });
    return this.slack.socketMode.slashCommand(Object.fromEntries(new URLSearchParams(body)));
  }

  /** Clicks a button of a message as `user`; resolves with the app's ack. */
  click(user: string, ts: string, actionId: string): Promise<FakeSocketAck> {
    const message = this.messageByTs(ts);
    const block = blocksOf(message).find((b) => elementsOf(b).some((e) => e.action_id === actionId));
    const payload = buttonClickPayload({
      user_id: user,
      message: { ts, blocks: message.blocks as unknown[] },
      response_url: this.slack.newResponseUrl('C0ENGINEER', user, ts),
      action_id: actionId,
      block_id: String(block?.block_id),
    });
    return this.slack.socketMode.interaction(payload);
  }

  /** Ticks `items` (keeping those already ticked) in each checkbox group that offers them. */
  async tick(user: string, ts: string, items: string[]): Promise<void> {
    const message = this.messageByTs(ts);
    for (const block of blocksOf(message)) {
      for (const element of elementsOf(block)) {
        const options = (element.options as { value: string }[] | undefined) ?? [];
        if (element.type !== 'checkboxes' || !options.some((o) => items.includes(o.value))) continue;
        const already = ((element.initial_options as { value: string }[] | undefined) ?? []).map(
          (o) => o.value,
        );
        const offered = items.filter((i) => options.some((o) => o.value === i));
        const payload = checkboxesChangePayload({
          user_id: user,
          message: { ts, blocks: message.blocks as unknown[] },
          response_url: this.slack.newResponseUrl('C0ENGINEER', user, ts),
          action_id: String(element.action_id),
          block_id: String(block.block_id),
          selected: [...new Set([...already, ...offered])],
        });
        await this.slack.socketMode.interaction(payload);
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

  /** Log lines whose message is `msg`. */
  logged(msg: string): Record<string, unknown>[] {
    return this.logs.filter((line) => line.msg === msg);
  }
}

type Json = Record<string, unknown>;

function blocksOf(message: Json): Json[] {
  return (message.blocks as Json[] | undefined) ?? [];
}

function elementsOf(block: Json): Json[] {
  return (block.elements as Json[] | undefined) ?? [];
}
