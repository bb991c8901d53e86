import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { LOG_COLUMNS } from '../../../src/domain/deployment-log-row';
import { planSteps } from '../../../src/domain/plan';
import { newReleaseId } from '../../../src/domain/release-id';
import type { Release } from '../../../src/domain/release';
import {
  deploymentLogOf,
  deploymentLogsSince,
  releasesSince,
} from '../../../src/engine/deployment-log-source';
import { FollowUpRunner } from '../../../src/engine/follow-ups';
import { systemClock } from '../../../src/ports/clock';
import { EngineHarness } from '../../support/engine-harness';
import { cleanup, connectTestRedis, freshPrefix } from '../../support/redis';
import { runTs } from '../../support/spawn';
import { TEST_CONFIG_YAML } from '../../support/test-config';

/**
 * The deployment log on real Redis: a release runs (fake AWS), its follow-ups
 * store what they found, a rollback reverts it; then the log is read back
 * through the source, and through `deploybot log` and `deploybot export` as
 * separate processes against the same keys.
 */
describe('deployment log on real Redis', function () {
  this.timeout(60_000);
  let harness: EngineHarness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('tells a release, its follow-ups and its rollback, through the source and the command line', async () => {
    const h = (harness = new EngineHarness());
    const release = await h.release('v1.2.0', 'production', 'hotfix');
    assert.equal((await h.waitForEnd(release.id)).state, 'succeeded');
    // The test config schedules summaries at +150ms and +300ms.
    await h.waitFor(release.id, (r) => (r.followUps ?? []).filter((f) => f.kind === 'summary').length === 2);
    const proposal = await h.engine.service.proposeRollback({
      app: 'backend',
      environment: 'production',
      requestedBy: 'U1',
    });
    await h.engine.service.approveRollback(proposal.id, 'U0APPROVER');
    assert.equal((await h.waitForEnd(proposal.id)).state, 'succeeded');
    // After a rollback the post-mortem reminder (+150ms) is stored on the reverted release too.
    await h.waitFor(release.id, (r) => (r.followUps ?? []).some((f) => f.kind === 'postmortem'));

    // A service rollback of a release that migrated offers the migration's rollback as a proposal of its own.
    const log = await eventually(
      () => deploymentLogOf(h.engine, release.id),
      (l) => l.rollbacks.length === 2,
    );
    assert.equal(log.state, 'rolled back');
    assert.deepEqual(
      log.followUps.filter((f) => f.kind === 'summary').map((f) => f.lines[0]),
      ['Follow-up +150ms: backend v1.2.0 in production', 'Follow-up +300ms: backend v1.2.0 in production'],
    );
    const downgrade = log.rollbacks[1]?.id as string;
    assert.deepEqual(
      log.rollbacks.map((r) => [r.id, r.kind, r.state, r.requestedBy, r.approvedBy?.by]),
      [
        [proposal.id, 'rollback', 'succeeded', 'U1', 'U0APPROVER'],
        [downgrade, 'migration rollback', 'awaiting approval', 'deploybot', undefined],
      ],
    );
    const events = log.events.map((e) => `${e.who} ${e.what}`);
    assert.ok(events.includes('U0REVIEWER ticked unit-tests'), events.join('\n'));
    assert.equal(
      events.filter((e) => e === 'U0DEPLOYER started').length,
      1,
      'the audit copy of the start is not repeated',
    );
    assert.ok(events.includes(`U0APPROVER approved rollback ${proposal.id}`), events.join('\n'));
    const times = log.events.map((e) => e.at);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );

    const config = join(mkdtempSync(join(tmpdir(), 'deploybot-log-')), 'deploybot.yaml');
    writeFileSync(config, TEST_CONFIG_YAML);
    const env = { DEPLOYBOT_CONFIG: config, DEPLOYBOT_REDIS_PREFIX: h.prefix };

    const text = await runTs('commands/cli.ts', ['log', release.id], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      new RegExp(`^${release.id} {2}backend/production {2}v1\\.2\\.0 \\(hotfix\\) {2}rolled back`),
    );
    assert.match(
      text.stdout,
      /follow-ups:\n {2}\+150ms at .*: Follow-up \+150ms: backend v1\.2\.0 in production; 5xx/,
    );
    assert.match(
      text.stdout,
      new RegExp(
        `rollbacks:\\n {2}${proposal.id} rollback succeeded, proposed by U1, approved by U0APPROVER`,
      ),
    );

    const csv = await runTs('commands/cli.ts', ['export', '--since', '1d', '--format', 'csv'], env);
    assert.equal(csv.code, 0, csv.stderr);
    const [header, ...records] = csv.stdout.trimEnd().split('\r\n');
    assert.equal(header, LOG_COLUMNS.join(','));
    assert.deepEqual(
      records.map((r) => r.split(',')[0]),
      [downgrade, proposal.id, release.id],
      'newest first',
    );

    const file = join(mkdtempSync(join(tmpdir(), 'deploybot-export-')), 'log.jsonl');
    const jsonl = await runTs(
      'commands/cli.ts',
      ['export', '--since', '1d', '--app', 'backend', '--out', file],
      env,
    );
    assert.equal(jsonl.code, 0, jsonl.stderr);
    assert.equal(jsonl.stdout.trim(), `3 releases written to ${file}`);
    const rows = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const row = rows.find((r) => r.id === release.id);
    assert.equal(row?.state, 'rolled back');
    assert.equal(
      row?.rollbacks,
      `rollback ${proposal.id} succeeded approved by U0APPROVER | migration rollback ${downgrade} awaiting approval`,
    );
    assert.match(String(row?.follow_ups), /^\+150ms: Follow-up \+150ms/);
    assert.equal(row?.ticks !== null && String(row?.ticks).includes('unit-tests by U0REVIEWER'), true);
  });

  it('refuses bad export and log input with one line and exit 2', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'deploybot-log-')), 'deploybot.yaml');
    writeFileSync(config, TEST_CONFIG_YAML);
    // `log` connects as every command does (its queues write their metadata): cleaned up below.
    const prefix = freshPrefix();
    const env = { DEPLOYBOT_CONFIG: config, DEPLOYBOT_REDIS_PREFIX: prefix };
    const BAD: [string[], RegExp][] = [
      [['export'], /export needs --since, e.g\. --since 30d/],
      [['export', '--since', 'lately'], /--since must be a duration like 30d or 12h/],
      [['export', '--since', '30d', '--format', 'xml'], /--format must be csv or jsonl, not "xml"/],
      [['export', '--since', '30d', '--app', 'frontend'], /unknown app "frontend"/],
      [['log', 'r20990101t000000-0000'], /no release r20990101t000000-0000/],
      [['log'], /log <release-id>: missing argument/],
    ];
    for (const [args, message] of BAD) {
      const result = await runTs('commands/cli.ts', args, env);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
    }
    const redis = connectTestRedis();
    try {
      await cleanup(redis, prefix);
    } finally {
      await redis.quit();
    }
  });

  it('keeps one entry a follow-up however often its job runs, and at most ten in all', async () => {
    const h = (harness = new EngineHarness());
    const release = {
      ...stored(
        newReleaseId(Date.UTC(2026, 0, 1), () => 0.5),
        Date.UTC(2026, 0, 1),
      ),
      environment: 'production',
    };
    await h.engine.store.create(release);
    const runner = new FollowUpRunner({
      config: h.config,
      store: h.engine.store,
      chat: h.chat,
      ports: { probe: h.probe, logs: h.cloud },
      clock: systemClock,
      scheduler: { schedule: async () => undefined },
      logger: pino({ level: 'silent' }),
    });
    // A retried job (the post failed after the record was written) runs the same follow-up again.
    await runner.run({ releaseId: release.id, kind: 'summary', afterMs: 3_600_000 });
    await runner.run({ releaseId: release.id, kind: 'summary', afterMs: 3_600_000 });
    const once = await h.engine.store.get(release.id);
    assert.deepEqual(
      once?.followUps?.map((f) => [f.kind, f.afterMs, f.lines[0]]),
      [['summary', 3_600_000, 'Follow-up +1h 00m: backend v1.0.0 in production']],
    );
    for (let i = 1; i <= 12; i += 1) {
      await runner.run({ releaseId: release.id, kind: 'summary', afterMs: 3_600_000 + i });
    }
    const capped = await h.engine.store.get(release.id);
    assert.equal(capped?.followUps?.length, 10);
    assert.equal(capped?.followUps?.at(-1)?.afterMs, 3_600_012, 'the newest are kept');
    assert.equal(h.chat.events.filter((e) => e.releaseId === release.id && e.kind === 'detail').length, 14);
  });

  it('lists releases since a time across pages of history, newest first, none older', async () => {
    const h = (harness = new EngineHarness());
    const T0 = Date.UTC(2026, 0, 1);
    const HOUR = 3_600_000;
    // 250 releases an hour apart: more than two of the source's first pages.
    for (let i = 0; i < 250; i += 1) {
      await h.engine.store.create(stored(`r-${String(i).padStart(3, '0')}`, T0 + i * HOUR));
    }
    await h.engine.store.create({ ...stored('r-other-app', T0 + 300 * HOUR), app: 'frontend' });
    const since = T0 + 40 * HOUR;
    const listed = await releasesSince(h.engine.store, 'backend', since);
    assert.equal(listed.length, 210);
    assert.equal(listed[0]?.id, 'r-249');
    assert.equal(listed.at(-1)?.id, 'r-040');

    const logs = await deploymentLogsSince(h.engine.store, ['backend', 'frontend'], T0 + 245 * HOUR);
    assert.deepEqual(
      logs.map((l) => l.id),
      ['r-other-app', 'r-249', 'r-248', 'r-247', 'r-246', 'r-245'],
    );
  });
});

/** Reads until `done` holds (the engine finishes some things after the state a test waits for). */
async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}

function stored(id: string, createdAt: number): Release {
  return {
    id,
    app: 'backend',
    environment: 'staging',
    version: 'v1.0.0',
    type: 'minor',
    requestedBy: 'U0DEPLOYER',
    state: 'succeeded',
    createdAt,
    updatedAt: createdAt,
    endedAt: createdAt + 60_000,
    revision: 0,
    steps: planSteps('minor', { hasDatabase: false, hasMigration: false }),
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    checklist: {},
  };
}
