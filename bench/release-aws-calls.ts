import pino from 'pino';
import { createRedis } from '../src/redis/connection';
import { RedisReleaseStore } from '../src/redis/release-store';
import { startSandbox } from '../src/sandbox/sandbox';

/**
 * What one release costs in AWS calls: a minor release of the sandbox's app
 * (two services, an RDS instance, a migration) counted at the emulator, by
 * operation, with the sandbox's 1 s poll interval and 2 s monitoring slots.
 */
async function main(): Promise<void> {
  const sandbox = await startSandbox({
    uiPort: 0,
    logger: pino({ level: 'silent' }),
    windows: { window: '20s', interval: '2s', rollbackWindow: '4s' },
  });
  try {
    const started = Date.now();
    const post = async (text: string) =>
      fetch(`${sandbox.uiUrl}/api/command`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'U0REQUESTER', text }),
      });
    await post('/deploy v1.2.0 --type hotfix');
    const message = await sandbox.slack.waitFor(() =>
      sandbox.slack.messages('C0ENGINEER').find((m) => JSON.stringify(m.blocks).includes('release_start')),
    );
    const releaseId = /r\d{8}t\d{6}-[0-9a-f]{4}/.exec(JSON.stringify(message.blocks))?.[0] as string;
    const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'client');
    const keys = await redis.keys(`sandbox-*:release:${releaseId}`);
    const store = new RedisReleaseStore(redis, (keys[0] as string).split(':release:')[0] as string);
    for (;;) {
      const r = await store.get(releaseId);
      if (r && r.steps[0]?.state === 'succeeded') break;
      await new Promise((res) => setTimeout(res, 200));
    }
    const action = async (actionId: string, selected?: string[]) => {
      const m = sandbox.slack.findMessage(message.ts);
      const blocks = (m?.blocks ?? []) as {
        block_id?: string;
        elements?: { action_id?: string; options?: unknown[] }[];
      }[];
      const block = blocks.find((b) => b.elements?.some((e) => e.action_id === actionId));
      await fetch(`${sandbox.uiUrl}/api/action`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          user: 'U0REQUESTER',
          ts: message.ts,
          blockId: block?.block_id,
          actionId,
          selected,
        }),
      });
    };
    await action('checklist:1', ['unit-tests', 'code-reviewed']);
    await new Promise((res) => setTimeout(res, 500));
    await action('release_start');
    let release;
    for (;;) {
      release = await store.get(releaseId);
      if (release && ['succeeded', 'failed', 'cancelled'].includes(release.state)) break;
      await new Promise((res) => setTimeout(res, 250));
    }
    const counts = new Map<string, number>();
    for (const call of sandbox.emulator.calls) {
      const key = `${call.service} ${call.action}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    console.log(`release ${releaseId} ${release.state} in ${Math.round((Date.now() - started) / 1000)}s`);
    for (const step of release.steps) console.log(`  ${step.name.padEnd(9)} runs ${step.runs}`);
    console.log(`AWS calls: ${sandbox.emulator.calls.length}`);
    for (const [key, n] of [...counts.entries()].sort()) console.log(`  ${key.padEnd(40)} ${n}`);
    await redis.quit();
  } finally {
    await sandbox.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
