import assert from 'node:assert/strict';
import { isFinished } from '../../../src/domain/release';
import { STORE_UNREACHABLE_TEXT } from '../../../src/redis/store-outage';
import { PrivateRedis } from '../../support/private-redis';
import { runTs } from '../../support/spawn';
import { eventually, OutageBot, type LogLine } from './outage-bot';

/** Slack's budget for an answer, and a readiness probe's. */
const SLACK_MS = 3000;
const PROBE_MS = 1000;
/** How long the running release must ride out a stopped Redis. */
const OUTAGE_MS = 10_000;

const PRODUCTION = { app: 'backend', environment: 'production' };

/** The lines that report a connection problem, one list per connection. */
function connectionLines(lines: LogLine[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of lines) {
    if (typeof line.connection !== 'string') continue;
    (out[line.connection] ??= []).push(line.msg);
  }
  return out;
}

describe('Redis outage: the web side answers at once, the workers wait (private redis-server)', function () {
  this.timeout(90_000);
  let redis: PrivateRedis;
  let bot: OutageBot;
  let stderr: string;
  const write = process.stderr.write.bind(process.stderr);

  beforeEach(async () => {
    redis = new PrivateRedis();
    await redis.start();
    bot = new OutageBot(redis.url);
    await bot.start();
    stderr = '';
    // Anything printed behind the logger's back (ioredis' "Unhandled error event", BullMQ's console.error).
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      stderr += chunk.toString();
      return write(chunk, ...rest);
    }) as typeof process.stderr.write;
  });

  afterEach(async () => {
    process.stderr.write = write;
    await redis.resume().catch(() => undefined);
    await bot?.stop();
    await redis.close();
  });

  /** After Redis is back: nothing of the refused `/deploy` exists: no release, no lock, no job. */
  async function assertNothingStartedInProduction(): Promise<void> {
    const releases = await bot.workers.store.history('backend', { environment: 'production', limit: 10 });
    assert.deepEqual(releases, [], 'no release');
    assert.equal(await bot.workers.locks.holder(PRODUCTION), undefined, 'no lock');
    for (const id of await bot.queuedReleases()) {
      // A job whose release was never stored would find nothing here.
      assert.equal((await bot.workers.store.get(id))?.environment, 'staging', `a job for ${id}`);
    }
  }

  /** One warning per refused request, naming it. */
  function assertRefusalsLogged(requests: string[]): void {
    const refusals = bot.lines.filter((l) => l.msg === 'request refused: store unreachable');
    assert.deepEqual(
      refusals.map((l) => [l.level, l.request]),
      requests.map((r) => ['warn', r]),
    );
  }

  async function assertDeployWorksAgain(): Promise<void> {
    await eventually('/readyz answers 200', async () => (await bot.readyz()).status === 200);
    const reply = await bot.command('v1.3.0 backend production');
    assert.match(reply.text, /^Requested backend v1\.3\.0 → production/, reply.text);
    const [release] = await bot.workers.store.history('backend', { environment: 'production', limit: 10 });
    assert.equal(release?.version, 'v1.3.0');
    assert.equal((await bot.workers.locks.holder(PRODUCTION))?.kind, 'release');
    // The workers are back by themselves too: they ran the new release's preflight (which
    // finds v1.3.0 missing from the fake ECR; that it ran is what counts here).
    await bot.waitFor(release.id, (r) => r.steps[0]?.finishedAt !== undefined, 15_000);
  }

  it('with Redis killed: /deploy, /rollback and /readyz answer at once; the CLI exits 1 with one line; all works again when it is back', async () => {
    assert.equal((await bot.readyz()).status, 200);
    await redis.stop('kill');

    const probe = await bot.readyz();
    assert.deepEqual([probe.status, probe.ms < PROBE_MS], [503, true], `readyz took ${probe.ms} ms`);

    const deploy = await bot.command('v1.3.0 backend production');
    assert.equal(deploy.text, STORE_UNREACHABLE_TEXT);
    assert.ok(deploy.ephemeral, 'told to the person alone');
    assert.ok(deploy.ms < SLACK_MS, `answered after ${deploy.ms} ms`);

    const rollback = await bot.command('backend production', '/rollback');
    assert.equal(rollback.text, STORE_UNREACHABLE_TEXT);
    assert.ok(rollback.ms < SLACK_MS, `answered after ${rollback.ms} ms`);

    const cli = await runTs('commands/cli.ts', ['history', 'backend'], {
      REDIS_URL: redis.url,
      DEPLOYBOT_CONFIG: 'deploybot.example.yaml',
    });
    assert.equal(cli.code, 1, cli.stderr);
    assert.equal(cli.stderr.trim().split('\n').length, 1, `one line: ${cli.stderr}`);
    assert.ok(cli.stderr.startsWith(`deploybot: ${STORE_UNREACHABLE_TEXT}`), cli.stderr);
    assert.match(cli.stderr, new RegExp(`127\\.0\\.0\\.1:${redis.port}`));

    await redis.resume();
    await eventually('/readyz answers 200', async () => (await bot.readyz()).status === 200);
    await assertNothingStartedInProduction();
    await assertDeployWorksAgain();
    // Every connection said once that it failed and once that it was back; nothing else.
    const lines = connectionLines(bot.lines);
    for (const name of ['producer', 'client', 'worker']) {
      assert.deepEqual(lines[name], ['redis connection failed', 'redis connection restored'], name);
    }
    for (const line of bot.lines.filter((l) => l.msg === 'redis connection failed')) {
      assert.match(String((line.err as { code?: string }).code), /^ECONN(REFUSED|RESET)$/);
    }
    // BullMQ's workers and queues relayed every failed reconnect too: counted into those lines.
    const relayed = bot.lines.filter(
      (l) => l.connection === undefined && /ECONN|Connection is closed/.test(JSON.stringify(l.err ?? '')),
    );
    assert.deepEqual(relayed, [], 'connection errors logged outside the connection lines');
    assertRefusalsLogged(['/deploy', '/rollback']);
    assert.doesNotMatch(stderr, /Unhandled error event|ECONNREFUSED/);
  });

  it('with Redis paused (socket open, no answers) for 10 s: a running release waits and completes; /deploy and /readyz answer in time and nothing is half-started', async () => {
    let outageBegan = 0;
    let paused!: () => void;
    const pausedMidDeploy = new Promise<void>((resolve) => (paused = resolve));
    bot.cloud.hook = async (method, phase) => {
      if (method !== 'updateService' || phase !== 'after' || outageBegan) return;
      outageBegan = Date.now();
      await redis.stop('pause');
      paused();
    };
    const running = await bot.startRelease('v1.2.0');
    await pausedMidDeploy;

    const probe = await bot.readyz();
    assert.deepEqual([probe.status, probe.ms < PROBE_MS], [503, true], `readyz took ${probe.ms} ms`);

    const deploy = await bot.command('v1.3.0 backend production');
    assert.equal(deploy.text, STORE_UNREACHABLE_TEXT);
    assert.ok(deploy.ephemeral, 'told to the person alone');
    assert.ok(deploy.ms < SLACK_MS, `answered after ${deploy.ms} ms`);

    // The outage itself: a stopped Redis for 10 s while the release is mid-deploy.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, outageBegan + OUTAGE_MS - Date.now())));
    await redis.resume();

    const finished = await bot.waitFor(running.id, isFinished, 30_000);
    assert.equal(finished.state, 'succeeded', JSON.stringify(finished.steps));
    assert.equal(bot.cloud.sideEffects().updateService, 1, 'the service was updated once');
    await assertNothingStartedInProduction();
    await assertDeployWorksAgain();

    // The sockets stayed open: no connection reported an error, only the refused request was logged.
    assert.deepEqual(connectionLines(bot.lines), {});
    assertRefusalsLogged(['/deploy']);
    assert.doesNotMatch(stderr, /Unhandled error event/);
  });
});
