import assert from 'node:assert/strict';
import { findStep, type Release } from '../../src/domain/release';
import { ChaosCluster } from '../support/chaos-cluster';
import type { ChaosWindows } from '../support/chaos-config';
import { QueueInspector, type QueueJobRun } from '../support/chaos-queue-inspect';
import { queueTickedRelease, stopRedisAtLastSample, type EndOutage } from '../support/chaos-queue-release';
import { requestRelease, sideEffectsOf, tickAndStart, waitForEnd } from '../support/chaos-release';
import { waitUntil } from '../support/chaos-wait';

const A = 'v3.1.1';
const B = 'v3.1.2';
const SCOPE = { app: 'backend', environment: 'production' };
/** Shorter than the chaos suite's monitoring, so that two releases and an outage fit in about two minutes. */
const WINDOWS: ChaosWindows = { windowMs: 15_000, intervalMs: 3_000, rollbackWindowMs: 15_000 };
/** The reconciler's sweep (and with it the deploy queues' sweep) runs this often; the default is a minute. */
const RECONCILE_INTERVAL_MS = 5_000;
/** Beyond one sweep: the bots catching up on what the outage held (commands, a stalled job or two). */
const MARGIN_MS = 5_000;
/** Longer than a step job's lock (8 s): the outage also costs the worker finishing A its job lock. */
const OUTAGE_MS = 9_000;
const ONE_OF_EACH = {
  snapshots: 1,
  migrationTasks: 1,
  updatesByService: { 'backend-service': 1, 'worker-service': 1 },
  parentMessages: 1,
};

/**
 * The deploy queue's wake-up against a Redis outage: a release waits in the
 * queue behind a running one, and Redis stops at the very end of the running
 * release — while its last monitoring sample is being taken — so that its end,
 * the freeing of the lock and the wake-up of the queue all meet a stopped
 * Redis. Once Redis is back, the queued release leaves the queue once, within
 * a reconcile sweep at most (the sweep is the safety net when the wake-up is
 * lost), starts by itself and runs to its end. Real processes, Redis, BullMQ
 * and signed Slack requests throughout.
 */
describe('chaos: the deploy queue when Redis stops as the release ahead of it ends', function () {
  this.timeout(240_000);
  let cluster: ChaosCluster;
  let inspector: QueueInspector;
  const report: Record<string, unknown> = {};

  before(async function () {
    this.timeout(120_000);
    cluster = await ChaosCluster.start({
      tags: [A, B],
      windows: WINDOWS,
      reconcileIntervalMs: RECONCILE_INTERVAL_MS,
    });
    inspector = new QueueInspector(cluster);
  });

  after(async function () {
    this.timeout(60_000);
    if (Object.keys(report).length > 0) console.table(report);
    await inspector?.close();
    await cluster?.stop();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed' && cluster) console.log(cluster.logs(60));
  });

  it('the first succeeds; the queued one leaves the queue once, within a sweep of Redis being back, starts by itself and succeeds', async () => {
    await requestRelease(cluster, A);
    const a = await tickAndStart(cluster, A);
    const queued = await queueTickedRelease(cluster, B);
    const holder = await inspector.lockHolder(SCOPE);
    assert.equal(
      holder?.kind === 'release' && holder.owner,
      a.id,
      'A holds backend/production while B waits',
    );
    assert.deepEqual(await inspector.queuedIds(SCOPE), [queued.id]);

    const outage = await stopRedisAtLastSample(cluster, a.id, WINDOWS, OUTAGE_MS);

    const aEnded = await waitForEnd(cluster, a.id, 60_000);
    // Waited on beyond the bound, so that a slow dequeue is measured, and one that never comes names the lock.
    let lockSeen: unknown;
    const left = await waitUntil(
      `${B} to leave the queue`,
      async () => {
        const release = await cluster.store.get(queued.id);
        lockSeen = await inspector.lockHolder(SCOPE);
        return release?.queue?.dequeuedAt !== undefined ? release : undefined;
      },
      {
        timeoutMs: 60_000,
        everyMs: 50,
        context: () => `backend/production's lock: ${JSON.stringify(lockSeen)}\n${cluster.logs(30)}`,
      },
    );
    const bEnded = await waitForEnd(cluster, queued.id, 120_000);
    const dequeuedAt = left.queue?.dequeuedAt as number;
    const jobs = await inspector.jobs();
    const failedWakeUps = cluster.processes.flatMap((p) =>
      p.grep(/wake deploy queue failed|deploy queue job failed/),
    );
    Object.assign(report, describeRun(outage, aEnded, bEnded, dequeuedAt, jobs), {
      failedWakeUps: failedWakeUps.length,
    });

    // The outage met A's end: A's `succeeded` write, its lock's release and the wake-up came after Redis stopped.
    assert.ok(
      (aEnded.endedAt ?? 0) >= outage.stoppedAt,
      `A ended at ${aEnded.endedAt}, before Redis stopped at ${outage.stoppedAt}: the outage missed its end`,
    );
    assert.equal(aEnded.state, 'succeeded', JSON.stringify(aEnded.failure));
    assert.deepEqual(sideEffectsOf(cluster, aEnded), ONE_OF_EACH);

    // B left the queue after A freed the lock, within one sweep (plus a margin) of the queue being able to
    // move: Redis back and A's lock freed. With the outage longer than a step job's lock, A's last sample is
    // taken over by the other worker and A ends a few seconds after Redis's return; that is A's time, not the queue's.
    assert.ok(dequeuedAt >= (aEnded.endedAt ?? 0), 'B left the queue before A ended');
    assert.ok(dequeuedAt >= outage.resumedAt, 'B left the queue while Redis was stopped');
    const couldMoveAt = Math.max(outage.resumedAt, aEnded.endedAt ?? 0);
    assert.ok(
      dequeuedAt - couldMoveAt <= RECONCILE_INTERVAL_MS + MARGIN_MS,
      `B left the queue ${dequeuedAt - couldMoveAt} ms after Redis was back and A had ended (one sweep is ${RECONCILE_INTERVAL_MS} ms, margin ${MARGIN_MS} ms)`,
    );

    // Once: one dequeue, one preflight run, one start by itself, one of each side effect.
    assert.equal(bEnded.state, 'succeeded', JSON.stringify(bEnded.failure));
    const audit = await cluster.audit.recent(200, { releaseId: queued.id });
    const count = (action: string) => audit.filter((e) => e.action === action).length;
    assert.deepEqual(
      {
        queued: count('release.queued'),
        dequeued: count('release.dequeued'),
        startedItself: count('queue.started_itself'),
        started: count('release.started'),
      },
      { queued: 1, dequeued: 1, startedItself: 1, started: 1 },
      `B's audit: ${audit.map((e) => e.action).join(', ')}`,
    );
    assert.equal(findStep(bEnded, 'preflight').runs, 1, "B's preflight ran once");
    assert.equal(
      jobs.filter((j) => j.name === 'start-when-ready' && isFor(j, queued.id)).length,
      1,
      'one start-when-ready job for B',
    );
    // Counted from B's turn: B was created (queued) while A still ran, and A's calls are A's.
    assert.deepEqual(sideEffectsOf(cluster, { ...bEnded, createdAt: dequeuedAt }), ONE_OF_EACH);

    // Nothing left behind: no release queued, nothing in the queue's index, the lock free.
    const history = await cluster.store.history('backend', { limit: 50 });
    assert.deepEqual(
      history.filter((r) => r.state === 'queued').map((r) => `${r.version} ${r.id}`),
      [],
      'releases still queued',
    );
    assert.deepEqual(await inspector.queuedIds(SCOPE), []);
    assert.equal(await inspector.lockHolder(SCOPE), undefined, 'backend/production is still locked');
  });
});

function isFor(job: QueueJobRun, releaseId: string): boolean {
  return (job.data as { releaseId?: string } | undefined)?.releaseId === releaseId;
}

/** The figures of the run, for whoever reads it: when each thing happened, from Redis's return. */
function describeRun(
  outage: EndOutage,
  a: Release,
  b: Release,
  dequeuedAt: number,
  jobs: QueueJobRun[],
): Record<string, unknown> {
  const from = (at: number | undefined) => (at === undefined ? 'never' : `${at - outage.resumedAt} ms`);
  const running = (j: QueueJobRun) =>
    j.processedAt !== undefined && j.processedAt <= dequeuedAt && dequeuedAt <= (j.finishedAt ?? Infinity);
  const by = jobs.filter((j) => running(j) && (j.name === 'advance' || j.queue === 'reconcile'));
  const advances = jobs.filter((j) => j.name === 'advance' && j.addedAt >= outage.stoppedAt);
  return {
    trigger: `${outage.trigger.action} from ${outage.trigger.process}, ${outage.trigger.at - outage.windowEndsAt} ms after the window ended`,
    outage: `${outage.resumedAt - outage.stoppedAt} ms (stopped ${outage.stoppedAt - outage.trigger.at} ms after the trigger)`,
    aEnded: `${a.state}, endedAt ${from(a.endedAt)} from Redis's return`,
    bDequeued: `${from(dequeuedAt)} from Redis's return`,
    dequeuedBy: by.map((j) => `${j.queue}:${j.name} added ${from(j.addedAt)}`).join('; ') || 'unknown',
    wakeUps: advances.map((j) => `added ${from(j.addedAt)}, ran ${from(j.processedAt)}`).join('; '),
    bEnded: `${b.state}, ${from(b.endedAt)} from Redis's return`,
  };
}
