/**
 * The two things the benchmark compares: deploybot's real Bolt app and a bare
 * Bolt app whose only listener acks, the floor any Bolt app stands on.
 *
 * By default each target runs in a process of its own (bench/target-process.ts):
 * deploybot as its real web process (DEPLOYBOT_ROLE=web, engine on real Redis),
 * the floor beside it, while this process sends the load and plays Slack (fake
 * Web API and response_url) — so neither target's event loop carries Slack's
 * side of the conversation. BENCH_IN_PROCESS=1 runs both in this process instead,
 * deploybot through the Slack test harness with a worker and fake AWS (every
 * cost on one event loop, including the fake Slack's).
 */
import type { ChildProcess } from 'node:child_process';
import type { Redis } from 'ioredis';
import { createRedis, redisUrlFromEnv } from '../src/redis/connection';
import { FakeSlackApi } from '../src/sandbox/fake-slack-api';
import { cleanup, freshPrefix } from '../test/support/redis';
import { SIGNING_SECRET, SlackHarness } from '../test/support/slack-harness';
import { startTs } from '../test/support/spawn';
import { slashCommandBody, randomTriggerId } from '../test/support/slack-requests';
import { startFloorApp } from './floor-app';
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
  /** Where deploybot's Web API calls and response_url replies land. */
  slack: FakeSlackApi;
  /** How the targets run, for the report. */
  setup: string;
  /** Resolves once deploybot's work after its acks (replies to response_url) has gone quiet. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTargets(env: NodeJS.ProcessEnv = process.env): Promise<Targets> {
  return env.BENCH_IN_PROCESS === '1' ? startInProcess() : startIsolated();
}

/** Each target in its own process; this one sends the load and is Slack. */
async function startIsolated(): Promise<Targets> {
  const slack = new FakeSlackApi({
    usergroups: { S0DEPLOYERS: ['U0DEPLOYER', 'U0REQUESTER'], S0APPROVERS: ['U0APPROVER'] },
  });
  await slack.start();
  const prefix = freshPrefix();
  const redis: Redis = createRedis(redisUrlFromEnv(), 'client');
  const env = {
    SLACK_API_URL: slack.apiUrl,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    DEPLOYBOT_REDIS_PREFIX: prefix,
  };
  const children: ChildProcess[] = [];
  const spawnTarget = async (which: 'floor' | 'deploybot'): Promise<number> => {
    const child = startTs('bench/target-process.ts', [], { ...env, BENCH_TARGET: which });
    children.push(child);
    return new Promise<number>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const port = /PORT (\d+)/.exec(out)?.[1];
        if (port) resolve(Number(port));
      });
      child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('exit', (code) => reject(new Error(`${which} target exited ${code}: ${err.slice(-500)}`)));
    });
  };
  const stopChildren = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  };
  try {
    const [floorPort, botPort] = await Promise.all([spawnTarget('floor'), spawnTarget('deploybot')]);
    const body = requestBody(slack);
    const floor = floorTarget(floorPort, body);
    const deploybot = deploybotTarget(new URL(`http://127.0.0.1:${botPort}/slack/events`), body);
    return {
      floor,
      deploybot,
      slack,
      setup:
        'each target in its own process (deploybot: its web process, DEPLOYBOT_ROLE=web); load and fake Slack in a third',
      settle: () => settle(() => slack.responses.length),
      async stop() {
        await settle(() => slack.responses.length);
        floor.agent.destroy();
        deploybot.agent.destroy();
        await stopChildren();
        await cleanup(redis, prefix);
        await redis.quit();
        await slack.stop();
      },
    };
  } catch (error) {
    await stopChildren();
    await redis.quit();
    await slack.stop();
    throw error;
  }
}

function requestBody(fake: FakeSlackApi): (i: number) => string {
  // Both get the very same kind of request: the same command mix, a fresh
  // trigger_id and a fresh response_url each.
  return (i: number): string =>
    slashCommandBody({
      command: '/deploy',
      text: mixAt(i).text,
      user_id: USER,
      response_url: fake.newResponseUrl('C0ENGINEER', USER),
      trigger_id: randomTriggerId(),
    });
}

function floorTarget(port: number, body: (i: number) => string): Target {
  return {
    name: 'bare Bolt (ack only)',
    url: new URL(`http://127.0.0.1:${port}/slack/events`),
    agent: keepAliveAgent(),
    signingSecret: SIGNING_SECRET,
    body,
    check: (i, answer) => {
      if (answer !== '') throw new Error(`floor: request ${i} answered a body: ${answer.slice(0, 200)}`);
    },
  };
}

function deploybotTarget(url: URL, body: (i: number) => string): Target {
  return {
    name: 'deploybot',
    url,
    agent: keepAliveAgent(),
    signingSecret: SIGNING_SECRET,
    body,
    check: (i, answer) => checkDeploybotAck(i, answer),
  };
}

/** Both targets in this process: every cost, the fake Slack's too, on one event loop. */
async function startInProcess(): Promise<Targets> {
  const harness = new SlackHarness();
  await harness.start();
  const fake = harness.slack;
  const floorApp = await startFloorApp({
    token: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    apiUrl: fake.apiUrl,
  });
  const body = requestBody(fake);
  const floor = floorTarget(floorApp.port, body);
  const deploybot = deploybotTarget(new URL(harness.url), body);
  return {
    floor,
    deploybot,
    slack: fake,
    setup:
      'both targets, the load and the fake Slack in one process (deploybot with its worker and fake AWS)',
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
