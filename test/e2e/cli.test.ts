import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { cleanup, connectTestRedis, freshPrefix } from '../support/redis';
import { runTs } from '../support/spawn';

/**
 * The command line as a person uses it: bad input gets one line on stderr and
 * exit code 2, and nothing is written to Redis.
 */
describe('deploybot command line', function () {
  this.timeout(60_000);
  let redis: Redis;
  let prefix: string;

  before(() => {
    redis = connectTestRedis();
  });
  beforeEach(() => {
    prefix = freshPrefix();
  });
  afterEach(async () => {
    await cleanup(redis, prefix);
  });
  after(async () => {
    await redis.quit();
  });

  const env = () => ({ DEPLOYBOT_CONFIG: 'deploybot.example.yaml', DEPLOYBOT_REDIS_PREFIX: prefix });

  async function keysUnderPrefix(): Promise<string[]> {
    return redis.keys(`${prefix}*`);
  }

  const BAD_INPUT: [string[], RegExp][] = [
    [['release', '1.2', '--env', 'production'], /"1\.2" is not a release version/],
    [['release', 'v1.2.0', '--app', 'frontend'], /unknown app "frontend"; configured apps: backend/],
    [
      ['release', 'v1.2.0', '--env', 'prod'],
      /unknown environment "prod" for backend; configured: staging, production/,
    ],
    [['release', 'v1.2.0'], /name the environment of backend: one of staging, production/],
    [['release', 'v1.2.0', 'extra', '--env', 'staging'], /release <version>: unexpected "extra"/],
    [['release', 'v1.2.0', '--env', 'staging', '--type', 'huge'], /--type must be hotfix, minor or major/],
    [['release', 'v1.2.0', '--force'], /Unknown option '--force'/],
    [['launch'], /unknown command "launch"/],
    [['lock', 'backend', 'production'], /a reason is required/],
  ];

  for (const [args, message] of BAD_INPUT) {
    it(`refuses \`deploybot ${args.join(' ')}\` with one line and starts nothing`, async () => {
      const result = await runTs('commands/cli.ts', args, env());
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
      assert.deepEqual(await keysUnderPrefix(), []);
    });
  }

  it('lists every configuration problem by its path and exits 2', async () => {
    const { writeFileSync, readFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const bad = readFileSync('deploybot.example.yaml', 'utf8')
      .replace('url: https://api.example.com', 'url: not-a-url')
      .replace('window: 15m', 'window: soon');
    const file = join(mkdtempSync(join(tmpdir(), 'deploybot-')), 'bad.yaml');
    writeFileSync(file, bad);
    const result = await runTs('commands/cli.ts', ['check-config'], { ...env(), DEPLOYBOT_CONFIG: file });
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /apps\.backend\.environments\.production\.health\.url: a URL like https:\/\/api\.example\.com/,
    );
    assert.match(
      result.stderr,
      /apps\.backend\.environments\.production\.monitoring\.window: a duration like 30s, 5m or 1h/,
    );
  });

  it('creates a release awaiting its start, then refuses a second one naming the first', async () => {
    const first = await runTs('commands/cli.ts', ['release', 'v1.2.0', '--env', 'production'], env());
    assert.equal(first.code, 0, first.stderr);
    const id = /^(r\d{8}t\d{6}-[0-9a-f]{4})/.exec(first.stdout)?.[1];
    assert.ok(id, first.stdout);
    assert.match(first.stdout, /awaiting start/);
    assert.match(first.stdout, new RegExp(`then: deploybot start ${id}`));

    const second = await runTs('commands/cli.ts', ['release', 'v1.3.0', '--env', 'production'], env());
    assert.equal(second.code, 2);
    assert.match(
      second.stderr,
      new RegExp(
        `backend/production is busy with release ${id} \\(v1\\.2\\.0, awaiting start, requested by cli:\\S+\\); see: deploybot status ${id}`,
      ),
    );
    assert.equal(second.stderr.trim().split('\n').length, 1, `one line: ${second.stderr}`);

    const cancel = await runTs('commands/cli.ts', ['cancel', id], env());
    assert.equal(cancel.code, 0, cancel.stderr);
    const history = await runTs('commands/cli.ts', ['history', 'backend'], env());
    assert.match(history.stdout, new RegExp(`${id}\\s+production\\s+v1\\.2\\.0\\s+minor\\s+cancelled`));
  });

  it('refuses a release while the app is locked, naming who, why and the unlock command; status shows the lock', async () => {
    const lock = await runTs(
      'commands/cli.ts',
      ['lock', 'backend', 'production', 'database', 'maintenance'],
      env(),
    );
    assert.equal(lock.code, 0, lock.stderr);

    const refused = await runTs('commands/cli.ts', ['release', 'v1.3.0', '--env', 'production'], env());
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /backend\/production is locked by cli:\S+: database maintenance \(locked just now\); to lift it: deploybot unlock backend production/,
    );

    const status = await runTs('commands/cli.ts', ['status'], env());
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /no releases in flight/);
    assert.match(
      status.stdout,
      /backend\/production {2}locked by cli:\S+ just now: database maintenance {2}\(deploybot unlock backend production\)/,
    );

    const unlock = await runTs('commands/cli.ts', ['unlock', 'backend', 'production'], env());
    assert.equal(unlock.code, 0, unlock.stderr);
    assert.match((await runTs('commands/cli.ts', ['status'], env())).stdout, /no manual locks/);
  });

  it('shows the plan of a dry run without touching Redis', async () => {
    const result = await runTs('commands/cli.ts', ['plan', 'v1.2.0', '--env', 'production'], env());
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /RDS CreateDBSnapshot of social-analytics-db/);
    assert.match(result.stdout, /ECS UpdateService per service: backend-service, worker-service/);
    assert.deepEqual(await keysUnderPrefix(), []);
  });
});
