/**
 * The two things the benchmark compares: deploybot's real Bolt app (through the
 * Slack test harness: fake Slack Web API, engine on real Redis, fake AWS) and a
 * bare Bolt app whose only listener acks, the floor any Bolt app stands on.
 */
import { App, HTTPReceiver } from '@slack/bolt';
import type { Server } from 'node:http';
import { SIGNING_SECRET, SlackHarness } from '../test/support/slack-harness';
import { slashCommandBody, randomTriggerId } from '../test/support/slack-requests';
import { keepAliveAgent, type Target } from './load';

const BOT_TOKEN = ['xoxb', 'bench', 'token'].join('-');
const USER = 'U0DEPLOYER';

/**
 * What people type, in rotation. Each stays valid however often it is sent:
 * the first real release request opens a release, later ones are refused by the
 * app lock (after the ack, as every outcome of a release request is).
 */
export const COMMAND_MIX = [
  { text: 'status', answer: 'empty' },
  { text: 'help', answer: 'ephemeral' },
  { text: 'v1.2.0 backend staging --dry-run', answer: 'ephemeral' },
  { text: 'v1.2.0 backend staging', answer: 'empty' },
] as const;

export interface Targets {
  floor: Target;
  deploybot: Target;
  harness: SlackHarness;
  /** Resolves once deploybot's work after its acks (replies to response_url) has gone quiet. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTargets(): Promise<Targets> {
  const harness = new SlackHarness();
  await harness.start();
  const fake = harness.slack;

  // Both get the very same kind of request: the same command mix, a fresh
  // trigger_id and a fresh response_url each.
  const body = (i: number): string =>
    slashCommandBody({
      command: '/deploy',
      text: mixAt(i).text,
      user_id: USER,
      response_url: fake.newResponseUrl('C0ENGINEER', USER),
      trigger_id: randomTriggerId(),
    });

  const floorApp = new App({
    token: BOT_TOKEN,
    receiver: new HTTPReceiver({ signingSecret: SIGNING_SECRET, endpoints: '/slack/events' }),
    clientOptions: { slackApiUrl: fake.apiUrl },
  });
  floorApp.command('/deploy', async ({ ack }) => ack());
  const floorServer = (await floorApp.start(0)) as Server;
  const { port } = floorServer.address() as { port: number };

  const floor: Target = {
    name: 'bare Bolt (ack only)',
    url: new URL(`http://127.0.0.1:${port}/slack/events`),
    agent: keepAliveAgent(),
    signingSecret: SIGNING_SECRET,
    body,
    check: (i, answer) => {
      if (answer !== '') throw new Error(`floor: request ${i} answered a body: ${answer.slice(0, 200)}`);
    },
  };
  const deploybot: Target = {
    name: 'deploybot',
    url: new URL(harness.url),
    agent: keepAliveAgent(),
    signingSecret: SIGNING_SECRET,
    body,
    check: (i, answer) => checkDeploybotAck(i, answer),
  };

  return {
    floor,
    deploybot,
    harness,
    settle: () => settle(() => fake.responses.length),
    async stop() {
      await settle(() => fake.responses.length);
      floor.agent.destroy();
      deploybot.agent.destroy();
      await floorApp.stop();
      await harness.stop();
    },
  };
}

/** Waits until `count` has not grown for 100 ms (at most 5 s). */
async function settle(count: () => number): Promise<void> {
  const deadline = Date.now() + 5000;
  let last = -1;
  while (Date.now() < deadline && count() !== last) {
    last = count();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function mixAt(i: number): (typeof COMMAND_MIX)[number] {
  return COMMAND_MIX[i % COMMAND_MIX.length] as (typeof COMMAND_MIX)[number];
}

/** The ack deploybot owes each command of the mix: a real answer, never a usage error. */
function checkDeploybotAck(i: number, answer: string): void {
  const expected = mixAt(i);
  if (expected.answer === 'empty') {
    if (answer !== '')
      throw new Error(`deploybot: "${expected.text}" acked with a body: ${answer.slice(0, 200)}`);
    return;
  }
  const json = JSON.parse(answer) as { response_type?: string; text?: string };
  if (json.response_type !== 'ephemeral' || /usage|unknown/i.test(json.text ?? '')) {
    throw new Error(`deploybot: "${expected.text}" acked unexpectedly: ${answer.slice(0, 200)}`);
  }
}
