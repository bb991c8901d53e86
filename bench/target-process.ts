/**
 * One ack-latency target in a process of its own (see bench/targets.ts): the
 * bare Bolt floor, or deploybot's real web process (`start(config, 'web')`, as
 * DEPLOYBOT_ROLE=web runs it). Its Web API calls and response_url replies go to
 * the parent's fake Slack (SLACK_API_URL), so the fake's work never lands on the
 * target's event loop — as Slack's servers never run inside the bot. Prints
 * `PORT <n>` once it listens; stops on SIGTERM.
 */
import pino from 'pino';
import { start } from '../src/main';
import { testConfig } from '../test/support/test-config';
import { startFloorApp } from './floor-app';

async function main(): Promise<void> {
  const which = process.env.BENCH_TARGET;
  const apiUrl = process.env.SLACK_API_URL;
  const signingSecret = process.env.SLACK_SIGNING_SECRET;
  if (!apiUrl || !signingSecret) throw new Error('SLACK_API_URL and SLACK_SIGNING_SECRET are required');
  let stop: () => Promise<void>;
  let port: number;
  if (which === 'floor') {
    const floor = await startFloorApp({ token: process.env.SLACK_BOT_TOKEN ?? '', signingSecret, apiUrl });
    port = floor.port;
    stop = floor.stop;
  } else if (which === 'deploybot') {
    const running = await start(testConfig(), 'web', pino({ level: 'silent' }), {
      ...process.env,
      PORT: '0',
    });
    port = (running.server.address() as { port: number }).port;
    stop = () => running.stop();
  } else {
    throw new Error(`BENCH_TARGET must be floor or deploybot, not "${which}"`);
  }
  process.on('SIGTERM', () => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  process.stdout.write(`PORT ${port}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
