import assert from 'node:assert/strict';
import sinon from 'sinon';
import type { EnvironmentConfig } from '../../../src/config/schema';
import { StepFailure } from '../../../src/domain/errors';
import type { DatabaseRollback, Json, Release, ReleaseFacts, StepRecord } from '../../../src/domain/release';
import type { Database, DatabaseState, RestoreRequest } from '../../../src/ports/database';
import type { StepContext, StepOutcome, StepPorts } from '../../../src/steps/step-handler';
import { restore } from '../../../src/steps/restore';
import { testConfig } from '../../support/test-config';

const RELEASE_ID = 'r20261127t180000-beef';
const SNAPSHOT = 'deploybot-r20261127t171340-3f9a';
const INTO = 'social-analytics-db-rollback-20261127t180000-beef';

function productionEnv(): EnvironmentConfig {
  const env = testConfig().apps.backend?.environments.production;
  if (!env) throw new Error('test config has no backend production');
  return env;
}

function clusterEnv(): EnvironmentConfig {
  return { ...productionEnv(), database: { kind: 'cluster', id: 'social-analytics-aurora' } };
}

function restoreRelease(database: DatabaseRollback | undefined): Release {
  return {
    id: RELEASE_ID,
    app: 'backend',
    environment: 'production',
    version: 'v1.2.0',
    type: 'hotfix',
    requestedBy: 'deploybot',
    state: 'running',
    createdAt: 0,
    updatedAt: 0,
    revision: 1,
    steps: [{ name: 'restore', state: 'running', runs: 1, progress: {} }],
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    rollbackOf: {
      releaseId: 'r20261127t171340-3f9a',
      version: 'v1.2.0',
      requestedBy: 'U1',
      ...(database && { database }),
    },
    checklist: {},
  };
}

const PLAN: DatabaseRollback = { action: 'restore', snapshotId: SNAPSHOT, restoreInto: INTO };

/** A port the restore step must never use: any property read fails the test. */
function untouchable(name: string): never {
  return new Proxy(
    {},
    {
      get(_target, property) {
        throw new Error(`restore used ports.${name}.${String(property)}`);
      },
    },
  ) as never;
}

interface FakeDatabase {
  restore: sinon.SinonStub<[RestoreRequest], Promise<'started' | 'exists'>>;
  describe: sinon.SinonStub<
    [{ kind: 'instance' | 'cluster'; id: string }],
    Promise<DatabaseState | undefined>
  >;
  status: sinon.SinonStub;
  createSnapshot: sinon.SinonStub;
  describeSnapshot: sinon.SinonStub;
}

function fakeDatabase(): FakeDatabase {
  return {
    restore: sinon.stub<[RestoreRequest], Promise<'started' | 'exists'>>().resolves('started'),
    describe: sinon
      .stub<[{ kind: 'instance' | 'cluster'; id: string }], Promise<DatabaseState | undefined>>()
      .resolves({ status: 'creating' }),
    status: sinon.stub().rejects(new Error('restore must not ask the live status')),
    createSnapshot: sinon.stub().rejects(new Error('restore must not snapshot')),
    describeSnapshot: sinon.stub().rejects(new Error('restore must not describe snapshots')),
  };
}

/**
 * A minimal StepContext: `record` merges progress into the step as the engine's
 * RunContext does, so a later run (a new context on the same release) sees it.
 */
function contextFor(release: Release, env: EnvironmentConfig, database: FakeDatabase): StepContext {
  const step = (): StepRecord => {
    const found = release.steps.find((s) => s.name === 'restore');
    if (!found) throw new Error('no restore step');
    return found;
  };
  const ports: StepPorts = {
    database: database as unknown as Database,
    platform: untouchable('platform'),
    registry: untouchable('registry'),
    logs: untouchable('logs'),
    probe: untouchable('probe'),
    releases: untouchable('releases'),
  };
  return {
    release,
    get step() {
      return step();
    },
    env,
    ports,
    clock: { now: () => 1_764_000_000_000 },
    pollIntervalMs: 20,
    async record(patch: { progress?: Record<string, Json>; facts?: Partial<ReleaseFacts> }) {
      Object.assign(step().progress, patch.progress ?? {});
    },
    async post() {},
    async proposeRollback() {
      throw new Error('restore must not propose a rollback');
    },
    async withdrawRollback() {
      throw new Error('restore must not withdraw a rollback');
    },
  };
}

describe('restore step', () => {
  let db: FakeDatabase;
  let release: Release;

  beforeEach(() => {
    db = fakeDatabase();
    release = restoreRelease(PLAN);
  });

  /** One run of the step, as a worker would start it (a fresh context each time). */
  function run(env = productionEnv()): Promise<StepOutcome> {
    return restore.run(contextFor(release, env, db));
  }

  it('requests the restore on its first run, with the live instance, snapshot, new name and release', async () => {
    const outcome = await run();

    assert.equal(outcome.kind, 'wait');
    assert.match(outcome.kind === 'wait' ? outcome.note : '', new RegExp(`${SNAPSHOT} into ${INTO}`));
    sinon.assert.calledOnceWithExactly(db.restore, {
      live: { kind: 'instance', id: 'social-analytics-db' },
      snapshotId: SNAPSHOT,
      into: INTO,
      releaseId: RELEASE_ID,
    });
    sinon.assert.notCalled(db.describe);
    assert.equal(release.steps[0]?.progress.requested, 'started');
  });

  it('requests the restore only once across runs, then only describes the new database', async () => {
    await run();
    await run();
    await run();

    sinon.assert.calledOnce(db.restore);
    sinon.assert.calledTwice(db.describe);
    for (const call of db.describe.getCalls()) {
      assert.deepEqual(call.args[0], { kind: 'instance', id: INTO }, 'never the live database');
    }
  });

  it('records "exists" when a run that died before recording asked already', async () => {
    db.restore.resolves('exists');

    assert.equal((await run()).kind, 'wait');
    assert.equal(release.steps[0]?.progress.requested, 'exists');
    await run();
    sinon.assert.calledOnce(db.restore);
  });

  it('does not record a request that failed, so the next run asks again', async () => {
    db.restore
      .onFirstCall()
      .rejects(Object.assign(new Error('busy'), { name: 'InvalidDBSnapshotStateFault' }));

    await assert.rejects(run(), { name: 'InvalidDBSnapshotStateFault' });
    assert.equal(release.steps[0]?.progress.requested, undefined);
    assert.equal((await run()).kind, 'wait');
    sinon.assert.calledTwice(db.restore);
  });

  it('passes snapshot_not_found through as the step’s failure', async () => {
    db.restore.rejects(new StepFailure('snapshot_not_found', 'the pre-release snapshot no longer exists'));

    await assert.rejects(run(), { name: 'StepFailure', code: 'snapshot_not_found' });
  });

  it('waits while the new database is not visible yet', async () => {
    await run();
    db.describe.resolves(undefined);

    const outcome = await run();
    assert.deepEqual(outcome, { kind: 'wait', note: `${INTO} not visible yet` });
  });

  it('waits while the new database is creating (or its writer is)', async () => {
    await run();
    for (const status of ['creating', 'backing-up', 'modifying', 'writer creating', 'writer no-writer-yet']) {
      db.describe.resolves({ status });
      const outcome = await run();
      assert.deepEqual(outcome, { kind: 'wait', note: `${INTO} is ${status}` });
    }
    sinon.assert.calledOnce(db.restore);
  });

  for (const status of [
    'failed',
    'incompatible-restore',
    'incompatible-parameters',
    'incompatible-network',
    'inaccessible-encryption-credentials',
    'deleting',
  ]) {
    it(`fails with restore_failed when the new database is ${status}`, async () => {
      await run();
      db.describe.resolves({ status });

      await assert.rejects(run(), (e: unknown) => {
        assert.ok(e instanceof StepFailure);
        assert.equal(e.code, 'restore_failed');
        assert.match(e.message, new RegExp(`${INTO} is ${status}`));
        return true;
      });
    });
  }

  it('fails with restore_failed when a restored cluster’s writer reached a dead end', async () => {
    release = restoreRelease({
      ...PLAN,
      restoreInto: 'social-analytics-aurora-rollback-20261127t180000-beef',
    });
    await run(clusterEnv());
    for (const status of ['writer failed', 'writer incompatible-parameters']) {
      db.describe.resolves({ status });
      await assert.rejects(run(clusterEnv()), { name: 'StepFailure', code: 'restore_failed' });
    }
  });

  it('is done once the new database is available, naming it and the untouched live one', async () => {
    await run();
    db.describe.resolves({ status: 'available', endpoint: `${INTO}.abc.eu-west-1.rds.amazonaws.com:5432` });

    const outcome = await run();
    assert.equal(outcome.kind, 'done');
    if (outcome.kind !== 'done') return;
    assert.equal(
      outcome.summary,
      `snapshot ${SNAPSHOT} restored into new instance ${INTO}; social-analytics-db untouched`,
    );
    const details = (outcome.details ?? []).join('\n');
    assert.match(
      details,
      new RegExp(`New instance: ${INTO} at ${INTO}\\.abc\\.eu-west-1\\.rds\\.amazonaws\\.com:5432`),
    );
    assert.match(details, /The live social-analytics-db still serves the app and was not modified\./);
    sinon.assert.calledOnce(db.restore);
  });

  it('restores an Aurora cluster into a new cluster', async () => {
    const into = 'social-analytics-aurora-rollback-20261127t180000-beef';
    release = restoreRelease({ ...PLAN, restoreInto: into });

    await run(clusterEnv());
    sinon.assert.calledOnceWithExactly(db.restore, {
      live: { kind: 'cluster', id: 'social-analytics-aurora' },
      snapshotId: SNAPSHOT,
      into,
      releaseId: RELEASE_ID,
    });
    db.describe.resolves({ status: 'available' });
    const outcome = await run(clusterEnv());
    sinon.assert.calledWith(db.describe, { kind: 'cluster', id: into });
    assert.equal(outcome.kind, 'done');
    assert.match(
      outcome.kind === 'done' ? outcome.summary : '',
      /into new cluster .*; social-analytics-aurora untouched$/,
    );
  });

  it('refuses to restore into the live database’s own name, in any case, before asking RDS anything', async () => {
    for (const restoreInto of ['social-analytics-db', 'Social-Analytics-DB']) {
      release = restoreRelease({ ...PLAN, restoreInto });
      await assert.rejects(run(), { name: 'StepFailure', code: 'would_touch_live_database' });
    }
    // Also on a later run, whatever was recorded before.
    release = restoreRelease({ ...PLAN, restoreInto: 'social-analytics-db' });
    const [step] = release.steps;
    if (step) step.progress.requested = 'started';
    await assert.rejects(run(), { name: 'StepFailure', code: 'would_touch_live_database' });
    sinon.assert.notCalled(db.restore);
    sinon.assert.notCalled(db.describe);
  });

  it('fails with nothing_to_restore when the release names no snapshot or no new database', async () => {
    for (const plan of [
      undefined,
      { action: 'restore' as const, restoreInto: INTO },
      { ...PLAN, restoreInto: undefined },
    ]) {
      release = restoreRelease(plan);
      await assert.rejects(run(), { name: 'StepFailure', code: 'nothing_to_restore' });
    }
    sinon.assert.notCalled(db.restore);
  });

  it('fails with no_database when the environment has no database', async () => {
    const { database: _database, ...withoutDatabase } = productionEnv();

    await assert.rejects(run(withoutDatabase), { name: 'StepFailure', code: 'no_database' });
    sinon.assert.notCalled(db.restore);
  });

  it('describes only reads of the live database and creates of a new one', () => {
    const instanceLines = restore.describe(productionEnv()).join('\n');
    assert.match(instanceLines, /DescribeDBInstances social-analytics-db \(read only/);
    assert.match(instanceLines, /RestoreDBInstanceFromDBSnapshot into a new instance/);
    assert.match(instanceLines, /social-analytics-db is never modified/);
    assert.doesNotMatch(instanceLines, /Modify|Delete/);

    const clusterLines = restore.describe(clusterEnv()).join('\n');
    assert.match(
      clusterLines,
      /RestoreDBClusterFromSnapshot into a new cluster, then CreateDBInstance for its writer/,
    );
    const { database: _database, ...withoutDatabase } = productionEnv();
    assert.deepEqual(restore.describe(withoutDatabase), []);
  });

  it('may take as long as the environment’s restore timeout', () => {
    const env = productionEnv();
    assert.equal(restore.timeoutMs(env), env.timeouts.restore);
    assert.equal(env.timeouts.restore, 3 * 60 * 60 * 1000);
  });
});
