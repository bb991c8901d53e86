import { setTimeout as pause } from 'node:timers/promises';
import { STORE_UNREACHABLE_TEXT } from '../../src/redis/store-outage';
import type { ChaosCluster } from './chaos-cluster';
import type { BotProcess } from './chaos-process';
import type { SentRequest } from './chaos-slack';
import { waitUntil } from './chaos-wait';

/** One GET /readyz during the outage. */
export interface ReadyProbe {
  process: string;
  /** When it was sent, from the moment Redis stopped (ms). */
  offsetMs: number;
  /** The HTTP status, or `timeout` when nothing came within PROBE_GIVE_UP_MS. */
  status: number | 'timeout' | 'error';
  ms: number;
}

/** The slash command typed during the outage and how it was answered. */
export interface OutageCommand {
  sent: SentRequest;
  /** From sending to the outage text reaching the person (ack body or response_url); undefined: never. */
  replyMs?: number;
  via?: 'ack' | 'response_url';
  ephemeral?: boolean;
}

export interface Outage {
  stoppedAt: number;
  resumedAt: number;
  probes: ReadyProbe[];
  command: OutageCommand;
}

/** Probes are sent this far into the outage: early, in the middle, late. */
const PROBE_OFFSETS_MS = [1_000, 4_000, 7_000];
const COMMAND_OFFSET_MS = 2_000;
/** Longer than any budget asserted, so a slow answer is measured rather than cut off. */
const PROBE_GIVE_UP_MS = 5_000;
const REPLY_GIVE_UP_MS = 7_000;

/**
 * Redis stops answering for `durationMs` — SIGSTOP: connections stay open and
 * every command hangs, as with a frozen host or a partition (and, unlike a
 * kill, nothing is lost, so releases can finish once it is back). The outage
 * lasts a fixed time by design; observations are placed at fixed offsets
 * inside it: /readyz of every process, and `commandText` typed by `user`.
 * Redis is resumed whatever happens.
 */
export async function redisOutage(
  cluster: ChaosCluster,
  options: { durationMs: number; user: string; commandText: string },
): Promise<Outage> {
  const targets = [cluster.web, ...cluster.workers];
  const stoppedAt = Date.now();
  await cluster.redis.stop('pause');
  let resumedAt: number | undefined;
  try {
    const at = (offset: number) => pause(Math.max(0, stoppedAt + offset - Date.now()));
    const probes = Promise.all(
      PROBE_OFFSETS_MS.flatMap((offset) =>
        targets.map(async (bot) => {
          await at(offset);
          return probeReady(bot, offset);
        }),
      ),
    );
    const command = (async () => {
      await at(COMMAND_OFFSET_MS);
      return commandDuringOutage(cluster, options.user, options.commandText);
    })();
    // Back on time even if an observation still hangs: a late answer then shows as slow.
    await at(options.durationMs);
    await cluster.redis.resume();
    resumedAt = Date.now();
    return { stoppedAt, resumedAt, probes: await probes, command: await command };
  } finally {
    if (resumedAt === undefined) await cluster.redis.resume();
  }
}

async function probeReady(bot: BotProcess, offsetMs: number): Promise<ReadyProbe> {
  const sent = Date.now();
  try {
    const response = await fetch(`${bot.url}/readyz`, { signal: AbortSignal.timeout(PROBE_GIVE_UP_MS) });
    await response.arrayBuffer();
    return { process: bot.name, offsetMs, status: response.status, ms: Date.now() - sent };
  } catch (error) {
    const status = error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'error';
    return { process: bot.name, offsetMs, status, ms: Date.now() - sent };
  }
}

async function commandDuringOutage(
  cluster: ChaosCluster,
  user: string,
  text: string,
): Promise<OutageCommand> {
  const sent = await cluster.chat.command(user, text);
  const inAck = parseJson(sent.answer);
  if (typeof inAck?.text === 'string' && inAck.text.includes(STORE_UNREACHABLE_TEXT)) {
    return {
      sent,
      replyMs: sent.answeredAt - sent.sentAt,
      via: 'ack',
      ephemeral: inAck.response_type === undefined || inAck.response_type === 'ephemeral',
    };
  }
  const reply = await waitUntil(
    'the outage text at the command’s response_url',
    () =>
      cluster.slack.responses.find(
        (r) => r.url === sent.responseUrl && String(r.body.text ?? '').includes(STORE_UNREACHABLE_TEXT),
      ),
    { timeoutMs: REPLY_GIVE_UP_MS, everyMs: 20 },
  ).catch(() => undefined);
  if (!reply) return { sent };
  return {
    sent,
    replyMs: reply.at - sent.sentAt,
    via: 'response_url',
    // A response_url message without response_type is ephemeral (Slack's default).
    ephemeral: reply.body.response_type === undefined || reply.body.response_type === 'ephemeral',
  };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
