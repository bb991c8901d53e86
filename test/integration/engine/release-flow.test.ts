import assert from 'node:assert/strict';
import { LockedError } from '../../../src/domain/errors';
import { BullmqStepQueue } from '../../../src/queue/bullmq-step-queue';
import { EngineHarness } from '../../support/engine-harness';

const NO_SIDE_EFFECTS = {
  createSnapshot: 0,
  registerImageRevision: 0,
  updateService: 0,
  runTask: 0,
  restore: 0,
};

describe('release engine on real Redis and BullMQ', () => {
  let h: EngineHarness;

  beforeEach(() => {
    h = new EngineHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  async function greenOnStaging(version = 'v1.2.0'): Promise<void> {
    const staging = await h.release(version, 'staging');
    assert.equal((await h.waitForEnd(staging.id)).state, 'succeeded');
  }

  it('runs every step of a production release and records what rollback needs', async () => {
    await greenOnStaging();
    const started = await h.release('v1.2.0', 'production');
    const done = await h.waitForEnd(started.id);

    assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));
    assert.deepEqual(
      done.steps.map((s) => [s.name, s.state]),
      [
        ['preflight', 'succeeded'],
        ['backup', 'succeeded'],
        ['baseline', 'succeeded'],
        ['migrate', 'succeeded'],
        ['deploy', 'succeeded'],
        ['verify', 'succeeded'],
        ['monitor', 'succeeded'],
      ],
    );
    assert.equal(done.facts.snapshotId, `deploybot-${done.id}`);
    // Staging shares the fake cluster and released backend:8 first.
    assert.match(done.facts.previousTaskDefinitions['backend-service'] ?? '', /task-definition\/backend:8$/);
    assert.match(done.facts.previousTaskDefinitions['worker-service'] ?? '', /task-definition\/worker:3$/);
    assert.match(done.facts.targetTaskDefinitions['backend-service'] ?? '', /task-definition\/backend:9$/);
    assert.match(done.facts.targetTaskDefinitions['worker-service'] ?? '', /task-definition\/worker:4$/);
    const task = [...h.cloud.tasks.values()][0];
    assert.deepEqual(task?.command, ['alembic', 'upgrade', 'head']);
    assert.equal(task?.startedBy, done.id);
    assert.equal(
      task?.td,
      done.facts.targetTaskDefinitions['backend-service'],
      'migrations run the new image',
    );
    assert.equal(await h.engine.locks.holder({ app: 'backend', environment: 'production' }), undefined);
    const audit = await h.engine.audit.recent(10, { releaseId: done.id });
    assert.deepEqual(
      audit.map((e) => e.action),
      ['release.succeeded', 'release.started', 'checklist.tick', 'release.requested'],
    );
    const finished = h.chat.events.filter((e) => e.releaseId === done.id && e.kind === 'finished');
    assert.deepEqual(
      finished.map((e) => e.state),
      ['succeeded'],
    );
  });

  it('skips the steps an environment has no configuration for', async () => {
    const started = await h.release('v1.2.0', 'staging');
    const done = await h.waitForEnd(started.id);
    assert.deepEqual(
      done.steps.map((s) => [s.name, s.state, s.reason]),
      [
        ['preflight', 'succeeded', undefined],
        ['backup', 'skipped', 'no database configured'],
        ['baseline', 'succeeded', undefined],
        ['migrate', 'skipped', 'no migration configured'],
        ['deploy', 'succeeded', undefined],
        ['verify', 'succeeded', undefined],
        ['monitor', 'succeeded', undefined],
      ],
    );
    assert.equal(h.cloud.sideEffects().createSnapshot, 0);
    assert.equal(h.cloud.sideEffects().runTask, 0);
  });

  it('lets exactly one of two simultaneous releases of an app proceed and names the holder to the other', async () => {
    const results = await Promise.allSettled([
      h.engine.service.request({
        version: 'v1.2.0',
        app: 'backend',
        environment: 'production',
        requestedBy: 'U1',
      }),
      h.engine.service.request({
        version: 'v1.3.0',
        app: 'backend',
        environment: 'production',
        requestedBy: 'U2',
      }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    assert.equal(won.length, 1);
    assert.equal(lost.length, 1);
    const winner = (won[0] as PromiseFulfilledResult<{ id: string; version: string; requestedBy: string }>)
      .value;
    const error = (lost[0] as PromiseRejectedResult).reason as LockedError;
    assert.ok(error instanceof LockedError);
    assert.equal(
      error.message,
      `backend/production is busy with release ${winner.id} (${winner.version}, awaiting start, requested by ${winner.requestedBy})`,
    );
    assert.equal((await h.engine.store.history('backend')).length, 1);
    const audit = await h.engine.audit.recent(5, { app: 'backend' });
    assert.ok(audit.some((e) => e.action === 'release.refused'));
  });

  it('refuses production for a version that has not succeeded on staging, unless it is a hotfix', async () => {
    const minor = await h.release('v1.2.0', 'production');
    const failed = await h.waitForEnd(minor.id);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.failure?.step, 'preflight');
    assert.match(failed.failure?.message ?? '', /v1\.2\.0 has not succeeded in staging yet/);
    assert.deepEqual(h.cloud.sideEffects(), NO_SIDE_EFFECTS);

    const hotfix = await h.release('v1.2.0', 'production', 'hotfix');
    assert.equal((await h.waitForEnd(hotfix.id)).state, 'succeeded');
  });

  it('refuses production while the required environment is unhealthy', async () => {
    await greenOnStaging();
    h.probe.statusByUrl.set('http://staging.test/health', 502);
    const started = await h.release('v1.2.0', 'production');
    const done = await h.waitForEnd(started.id);
    assert.equal(done.failure?.code, 'preflight_failed');
    assert.match(done.failure?.message ?? '', /staging is unhealthy: http:\/\/staging\.test\/health → 502/);
    assert.deepEqual(h.cloud.sideEffects().createSnapshot, 0);
  });

  it('fails at preflight and changes nothing when the image tag was never pushed', async () => {
    h.cloud.images.delete('worker:v1.2.0');
    const started = await h.release('v1.2.0', 'production', 'hotfix');
    const done = await h.waitForEnd(started.id);
    assert.equal(done.failure?.code, 'preflight_failed');
    assert.match(done.failure?.message ?? '', /worker:v1\.2\.0 is not in ECR/);
    assert.deepEqual(h.cloud.sideEffects(), NO_SIDE_EFFECTS);
    assert.equal(await h.engine.locks.holder({ app: 'backend', environment: 'production' }), undefined);
  });

  it('fails the release when the migration exits non-zero, quoting the stop reason and log tail', async () => {
    h.cloud.migrationExitCode = 1;
    const started = await h.release('v1.2.0', 'production', 'hotfix');
    const done = await h.waitForEnd(started.id);
    assert.equal(done.state, 'failed');
    assert.equal(done.failure?.code, 'migration_failed');
    assert.match(done.failure?.message ?? '', /exit code 1: Essential container in task exited/);
    assert.match(done.failure?.message ?? '', /ran migrations \(ecs\/backend\/task1\)/);
    assert.equal(h.cloud.sideEffects().updateService, 0, 'no service is touched after a failed migration');
    assert.equal(done.steps.find((s) => s.name === 'deploy')?.state, 'pending');

    // The queue reports the failed job too; that must not report the release twice.
    const again = await h.engine.runner.fail(done.id, 'migrate', { code: 'job_failed', message: 'again' });
    assert.equal(again.kind, 'ignored');
    // The release is stored failed before its end is audited and posted: wait for the entry, then count.
    const failedEntries = async () =>
      (await h.engine.audit.recent(20, { releaseId: done.id })).filter((e) => e.action === 'release.failed');
    for (let i = 0; i < 200 && (await failedEntries()).length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const failures = await failedEntries();
    assert.equal(failures.length, 1);
    assert.equal((await h.engine.store.get(done.id))?.failure?.code, 'migration_failed');
  });

  it('reports a circuit-breaker rollback by ECS as a failed deploy, not a success', async () => {
    h.cloud.rolloutOutcome = 'rollback';
    const started = await h.release('v1.2.0', 'production', 'hotfix');
    const done = await h.waitForEnd(started.id);
    assert.equal(done.failure?.code, 'rolled_back_by_ecs');
    assert.match(done.failure?.message ?? '', /ECS rolled back to backend:7 instead of running backend:8/);
  });

  it('reports a FAILED rollout with the reason ECS gives', async () => {
    h.cloud.rolloutOutcome = 'fail';
    const started = await h.release('v1.2.0', 'production', 'hotfix');
    const done = await h.waitForEnd(started.id);
    assert.equal(done.failure?.code, 'rollout_failed');
    assert.match(done.failure?.message ?? '', /circuit breaker: tasks failed to start/);
  });

  it('retries verify and fails naming every endpoint that stayed unhealthy', async () => {
    h.probe.statusByPath.set('/health/ready', 503);
    const started = await h.release('v1.2.0', 'production', 'hotfix');
    const done = await h.waitForEnd(started.id);
    assert.equal(done.failure?.code, 'verify_failed');
    assert.match(done.failure?.message ?? '', /after 3 attempts/);
    assert.match(done.failure?.message ?? '', /✗ http:\/\/api\.test\/health\/ready → 503/);
    // 3 for the baseline (which records the 503s as its error rate), then 3 verify attempts.
    assert.equal(h.probe.urls.filter((u) => u.endsWith('/health/ready')).length, 6);
  });

  it('retries a throttled AWS call with backoff and still completes', async () => {
    let throttled = 0;
    h.cloud.hook = async (method, phase) => {
      if (method === 'describeSnapshot' && phase === 'before' && throttled < 2) {
        throttled += 1;
        throw Object.assign(new Error('Rate exceeded'), {
          name: 'Throttling',
          $metadata: { httpStatusCode: 400 },
        });
      }
    };
    const started = await h.release('v1.2.0', 'production', 'hotfix');
    const done = await h.waitForEnd(started.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));
    assert.equal(throttled, 2);
    assert.equal(h.cloud.sideEffects().createSnapshot, 1);
  });

  it('fails the release once transient errors outlast the retries', async () => {
    h.cloud.hook = async (method, phase) => {
      if (method === 'databaseStatus' && phase === 'before') {
        throw Object.assign(new Error('Service Unavailable'), {
          name: 'ServiceUnavailable',
          $metadata: { httpStatusCode: 503 },
        });
      }
    };
    const started = await h.release('v1.2.0', 'production', 'hotfix');
    const done = await h.waitForEnd(started.id);
    assert.equal(done.state, 'failed');
    assert.equal(done.failure?.step, 'preflight');
    assert.match(done.failure?.message ?? '', /Service Unavailable/);
    assert.equal(await h.engine.locks.holder({ app: 'backend', environment: 'production' }), undefined);
  });

  it('treats enqueueing the same step of the same release twice as one job', async () => {
    const created = await h.engine.service.request({
      version: 'v1.2.0',
      app: 'backend',
      environment: 'staging',
      requestedBy: 'U1',
    });
    await h.engine.worker?.pause();
    const stepQueue = new BullmqStepQueue(h.engine.queue);
    await stepQueue.enqueue(created.id, 'preflight');
    await stepQueue.enqueue(created.id, 'preflight');
    const counts = await h.engine.queue.getJobCounts('waiting', 'delayed', 'active', 'completed');
    assert.equal((counts.waiting ?? 0) + (counts.active ?? 0) + (counts.completed ?? 0), 1);
  });

  it('runs preflight as soon as a release is requested and waits for Start before changing anything', async () => {
    const created = await h.engine.service.request({
      version: 'v1.2.0',
      app: 'backend',
      environment: 'production',
      type: 'hotfix',
      requestedBy: 'U1',
    });
    const checked = await h.waitFor(created.id, (r) => r.steps[0]?.state === 'succeeded');
    assert.equal(checked.state, 'awaiting_start');
    const checks = checked.steps[0]?.progress.checks as { id: string; ok: boolean }[];
    assert.ok(checks.some((c) => c.id === 'image:backend' && c.ok));
    assert.equal(checked.steps[1]?.state, 'pending');
    assert.deepEqual(h.cloud.sideEffects(), NO_SIDE_EFFECTS);

    await assert.rejects(
      h.engine.service.start(created.id, 'U1'),
      /^InvalidRequestError: Start needs: All unit tests passing; Code reviewed by at least one other developer$/,
    );
    // Automated items are preflight's: a person cannot untick what preflight proved.
    await h.engine.service.tick(created.id, 'U2', {
      'unit-tests': true,
      'code-reviewed': true,
      'image-pushed': false,
    });
    await h.engine.service.start(created.id, 'U1');
    const done = await h.waitForEnd(created.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));
    assert.equal(done.steps[0]?.runs, 1, 'preflight is not run again at Start');
    assert.deepEqual(Object.keys(done.checklist).sort(), ['code-reviewed', 'unit-tests']);
    assert.equal(done.checklist['unit-tests']?.by, 'U2');
    await assert.rejects(
      h.engine.service.tick(created.id, 'U2', { coverage: true }),
      /its checklist is closed/,
    );
  });

  it('does not start while preflight is still checking, and audits an override with its reason', async () => {
    let releaseProbe: () => void = () => undefined;
    let entered: () => void = () => undefined;
    const checking = new Promise<void>((resolve) => (entered = resolve));
    h.cloud.hook = async (method, phase) => {
      if (method !== 'databaseStatus' || phase !== 'before') return;
      entered();
      await new Promise<void>((resolve) => (releaseProbe = resolve));
    };
    const created = await h.engine.service.request({
      version: 'v1.2.0',
      app: 'backend',
      environment: 'production',
      type: 'hotfix',
      requestedBy: 'U1',
    });
    await h.engine.service.tick(created.id, 'U2', { 'unit-tests': true, 'code-reviewed': true });
    await checking;
    await assert.rejects(
      h.engine.service.start(created.id, 'U1'),
      /Image pushed to ECR .* \(preflight still checking\)/,
    );
    await h.engine.service.start(created.id, 'U1', { override: 'P1 outage, hotfix now' });
    releaseProbe();
    assert.equal((await h.waitForEnd(created.id)).state, 'succeeded');
    const audit = await h.engine.audit.recent(10, { releaseId: created.id });
    const override = audit.find((e) => e.action === 'checklist.override');
    assert.match(
      override?.detail ?? '',
      /^P1 outage, hotfix now \[image-pushed, services-steady, database-ready, staging-green\]$/,
    );
  });

  it('cancels a release awaiting its start: the lock is freed and nothing runs', async () => {
    const created = await h.engine.service.request({
      version: 'v1.2.0',
      app: 'backend',
      environment: 'production',
      requestedBy: 'U1',
    });
    const cancelled = await h.engine.service.cancel(created.id, 'U2');
    assert.equal(cancelled.state, 'cancelled');
    assert.equal(cancelled.cancelledBy, 'U2');
    assert.equal(await h.engine.locks.holder({ app: 'backend', environment: 'production' }), undefined);
    await assert.rejects(h.engine.service.start(created.id, 'U1'), /has already finished \(cancelled\)/);
    assert.deepEqual(h.cloud.sideEffects(), NO_SIDE_EFFECTS);
  });
});
