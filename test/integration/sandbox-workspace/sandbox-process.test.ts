import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import type { Redis } from 'ioredis';
import { connectTestRedis } from '../../support/redis';
import { runTs, startTs } from '../../support/spawn';

const ENTRY = 'src/sandbox/main.ts';

/** Keys under `prefix:`, counted with SCAN as the sandbox deletes them. */
async function keysUnder(redis: Redis, prefix: string): Promise<number> {
  let count = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    count += keys.length;
    cursor = next;
  } while (cursor !== '0');
  return count;
}

/** Resolves with the first match of `pattern` in what the child writes to stdout. */
function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = seen.match(pattern);
      if (!match) return;
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      resolve(match);
    };
    const onExit = (code: number | null) =>
      reject(new Error(`sandbox exited (${code}) before ${pattern}:\n${seen}`));
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Resolves once `condition` holds, checking every 50 ms; fails with `what` after 20 s. */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(what);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `npm run sandbox` as its own process, as a person runs it. */
describe('the sandbox process', function () {
  this.timeout(90_000);
  let blocker: Server | undefined;
  let child: ChildProcess | undefined;
  let redis: Redis | undefined;

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    child = undefined;
    if (blocker) await new Promise((resolve) => blocker?.close(resolve));
    blocker = undefined;
    await redis?.quit();
    redis = undefined;
  });

  it('says in one line which port is taken and how to pick another, and exits non-zero', async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker?.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;

    const exit = await runTs(ENTRY, [], { SANDBOX_PORT: String(port), LOG_LEVEL: 'silent' });

    assert.notEqual(exit.code, 0);
    const lines = exit.stderr.trim().split('\n');
    assert.equal(lines.length, 1, exit.stderr);
    assert.match(lines[0] ?? '', new RegExp(`port ${port} is already in use`));
    assert.match(lines[0] ?? '', new RegExp(`SANDBOX_PORT=${port + 1} npm run sandbox`));
    assert.doesNotMatch(exit.stderr, /EADDRINUSE|\n\s+at /);
    assert.doesNotMatch(exit.stdout, /sandbox is up/);
  });

  it('refuses a SANDBOX_PORT that is not a port number, in one line', async () => {
    const exit = await runTs(ENTRY, [], { SANDBOX_PORT: 'three thousand', LOG_LEVEL: 'silent' });
    assert.notEqual(exit.code, 0);
    assert.equal(
      exit.stderr.trim(),
      'sandbox: SANDBOX_PORT must be a port number (0-65535), not "three thousand"',
    );
  });

  it('leaves no key of its prefix in Redis after Ctrl-C', async () => {
    redis = connectTestRedis();
    child = startTs(ENTRY, [], { SANDBOX_PORT: '0', LOG_LEVEL: 'silent' });
    const [, url, prefix] = await waitForOutput(child, /open (http:\S+)[\s\S]*keys under "([^":]+):"/);
    assert.match(url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(prefix);
    // The bot writes under the prefix as it starts: wait for that rather than assume the banner follows it.
    const written = redis;
    await until(async () => (await keysUnder(written, prefix)) > 0, 'the running sandbox wrote no keys');

    // A neighbour whose name starts like the sandbox's prefix is not the sandbox's.
    const neighbour = `${prefix}0:not-the-sandboxes`;
    await redis.set(neighbour, 'keep', 'EX', 60);

    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const [code] = (await exited) as [number | null];

    assert.equal(code, 0);
    assert.equal(await keysUnder(redis, prefix), 0);
    assert.equal(await redis.getdel(neighbour), 'keep');
  });
});
