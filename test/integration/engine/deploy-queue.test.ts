import assert from 'node:assert/strict';
import type { Release } from '../../../src/domain/release';
import { updateRelease } from '../../../src/engine/update-release';
import { redisKeys } from '../../../src/redis/keys';
import { EngineHarness } from '../../support/engine-harness';

const STAGING = { app: 'backend', environment: 'staging' };
/** What staging requires that only people tick (test config: the default required items). */
const MANUAL_REQUIRED = { 'unit-tests': true, 'code-reviewed': true };

describe('deploy queue on real Redis and BullMQ', () => {
  let h: EngineHarness;

  beforeEach(() => {
    h = new EngineHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  /** A release awaiting its start: it holds staging's lock until it is started and ends, or is cancelled. */
  function holdStaging(version = 'v1.1.0'): Promise<Release> {
    return h.engine.service.request({ version, ...STAGING, requestedBy: 'U0FIRST' });
  }

  function enqueue(
    version: string,
    extra: { notBefore?: number; requestedBy?: string } = {},
  ): Promise<Release> {
    return h.engine.releaseQueue.enqueue({
      version,
      ...STAGING,
      requestedBy: extra.requestedBy ?? 'U0QUEUER',
      why: 'staging is busy',
      ...(extra.notBefore !== undefined ? { notBefore: extra.notBefore } : {}),
    });
  }

  function chatKinds(releaseId: string): { kind: string; lines?: string[] }[] {
    return h.chat.events
      .filter((e) => e.releaseId === releaseId)
      .map(({ kind, lines }) => ({ kind, ...(lines ? { lines } : {}) }));
  }

  it('queues behind a running release, holding no lock, and starts preflight when that release ends', async () => {
    const first = await holdStaging();
    const queued = await enqueue('v1.2.0');
    assert.equal(queued.state, 'queued');
    const holder = await h.engine.locks.holder(STAGING);
    assert.equal(holder?.kind === 'release' && holder.owner, first.id, 'the queued release takes no lock');

    // As people do: preflight ticks its items, someone ticks the rest and presses Start; it runs to its end.
    await h.waitFor(first.id, (r) => r.steps[0]?.state === 'succeeded');
    await h.engine.service.tick(first.id, 'U0REVIEWER', MANUAL_REQUIRED);
    await h.engine.service.start(first.id, 'U0FIRST');
    assert.equal((await h.waitForEnd(first.id)).state, 'succeeded');

    // The end freed the lock; the queue heard of it through a job, not a timer.
    const turn = await h.waitFor(
      queued.id,
      (r) => r.state === 'awaiting_start' && r.steps[0]?.state === 'succeeded',
    );
    const lock = await h.engine.locks.holder(STAGING);
    assert.equal(lock?.kind === 'release' && lock.owner, queued.id);
    // Nobody ticked its checklist: its requester is called to press Start, naming what is open.
    const called = await waitUntil(() => chatKinds(turn.id).find((e) => e.kind === 'queue-turn'));
    assert.deepEqual(called.lines?.slice(0, 1), ['press_start']);
    assert.ok((called.lines?.length ?? 0) > 1, 'the open items are named');
    const audit = await h.engine.audit.recent(50, { releaseId: queued.id });
    assert.deepEqual(
      audit
        .map((a) => a.action)
        .filter((a) => a.startsWith('release.'))
        .sort(),
      ['release.dequeued', 'release.queued'],
    );
  });

  it('starts by itself at its turn when its checklist was completed while it waited', async () => {
    const first = await holdStaging();
    const queued = await enqueue('v1.2.0');
    await h.engine.service.tick(queued.id, 'U0REVIEWER', MANUAL_REQUIRED);
    assert.equal((await h.engine.store.get(queued.id))?.state, 'queued', 'ticking does not move it');

    await h.engine.service.cancel(first.id, 'U0FIRST');

    const started = await h.waitFor(queued.id, (r) => r.state !== 'queued' && r.state !== 'awaiting_start');
    assert.equal(started.startedBy, 'deploybot');
    const audit = await h.engine.audit.recent(50, { releaseId: queued.id });
    const itself = audit.find((a) => a.action === 'queue.started_itself');
    assert.match(itself?.detail ?? '', /checklist completed while queued, ticked by U0REVIEWER/);
    const told = await waitUntil(() => chatKinds(queued.id).find((e) => e.kind === 'queue-turn'));
    assert.deepEqual(told.lines, ['started', 'U0REVIEWER']);
  });

  it('runs a release scheduled with --at no earlier than its time, and lets those behind it pass meanwhile', async () => {
    const notBefore = Date.now() + 400;
    const scheduled = await enqueue('v1.1.0', { notBefore });
    assert.equal(scheduled.state, 'queued', 'the scope is free, but its time has not come');
    // Queued later but eligible now: it does not wait behind the scheduled one.
    const later = await enqueue('v1.2.0');
    assert.equal(later.state, 'awaiting_start');
    await h.engine.releaseQueue.cancel(later.id, 'U0QUEUER');

    const ran = await h.waitFor(scheduled.id, (r) => r.state === 'awaiting_start');
    // Audited just after the state is written.
    const dequeued = await waitFor(async () =>
      (await h.engine.audit.recent(50, { releaseId: scheduled.id })).find(
        (a) => a.action === 'release.dequeued',
      ),
    );
    assert.ok(dequeued.at >= notBefore, `left the queue at ${dequeued.at}, not before ${notBefore}`);
    assert.equal(ran.queue?.notBefore, notBefore);
  });

  it('of two workers advancing one queue at once, exactly one starts a release', async () => {
    const blocker = await holdStaging();
    const a = await enqueue('v1.2.0');
    const b = await enqueue('v1.1.0', { requestedBy: 'U0OTHER' });
    // Free the scope without waking the queue, so that only the racers below advance it.
    await h.client.del(redisKeys(h.prefix).lock(STAGING));
    await updateRelease(h.engine.store, blocker.id, (r) => ({ ...r, state: 'cancelled' }));
    const other = h.addWorker();

    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? h.engine : other).releaseQueue.advance(STAGING)),
    );

    // The reconciler's sweep (it advances queues too) may be a third racer: count what happened, not who did it.
    assert.ok(
      outcomes.filter((o) => o.kind === 'dequeued').length <= 1,
      JSON.stringify(outcomes.map((o) => o.kind)),
    );
    // Whoever won (a racer or the sweep) audits just after it writes the state: wait for that entry.
    const dequeues = async () =>
      (await h.engine.audit.recent(100, { app: 'backend' })).filter((e) => e.action === 'release.dequeued');
    await waitFor(async () => ((await dequeues()).length > 0 ? true : undefined));
    assert.equal((await dequeues()).length, 1);
    const states = await Promise.all([a.id, b.id].map(async (id) => (await h.engine.store.get(id))?.state));
    assert.deepEqual(states, ['awaiting_start', 'queued'], 'first come, first served');
    const lock = await h.engine.locks.holder(STAGING);
    assert.equal(lock?.kind === 'release' && lock.owner, a.id);
  });

  it('is durable: a new engine picks up a queued release whose wake-up was lost', async () => {
    const first = await holdStaging();
    const queued = await enqueue('v1.2.0');
    await h.engine.close();
    // The scope frees with nobody told (a crash between the end and the wake-up).
    await h.client.del(redisKeys(h.prefix).lock(STAGING));
    await updateRelease(h.engine.store, first.id, (r) => ({ ...r, state: 'cancelled' }));

    // A worker starting up sweeps at once: the queue is part of the sweep.
    h.addWorker();
    const picked = await h.waitFor(queued.id, (r) => r.state === 'awaiting_start');
    assert.equal(picked.id, queued.id);
  });

  it('asks before running a version a newer one overtook, and holds the queue until answered', async () => {
    h.cloud.images.add('backend:v1.3.0');
    const first = await holdStaging();
    const older = await enqueue('v1.2.0');
    const newer = await enqueue('v1.3.0', { requestedBy: 'U0OTHER' });

    await h.engine.service.cancel(first.id, 'U0FIRST');

    const asked = await waitUntil(() => chatKinds(older.id).find((e) => e.kind === 'queue-superseded'));
    assert.deepEqual(asked.lines, [newer.id, 'v1.3.0']);
    assert.deepEqual((await h.engine.releaseQueue.advance(STAGING)).kind, 'asking');
    assert.equal((await h.engine.store.get(older.id))?.state, 'queued');
    assert.equal(
      (await h.engine.store.get(newer.id))?.state,
      'queued',
      'the queue holds behind the question',
    );
    assert.equal(chatKinds(older.id).filter((e) => e.kind === 'queue-superseded').length, 1, 'asked once');

    await h.engine.releaseQueue.answerSuperseded(older.id, 'U0QUEUER', true);
    await h.waitFor(older.id, (r) => r.state === 'awaiting_start');
    assert.equal((await h.engine.store.get(newer.id))?.state, 'queued');
  });

  it('lists queues with places, and a cancelled release leaves its queue', async () => {
    const first = await holdStaging();
    const one = await enqueue('v1.2.0');
    const two = await enqueue('v1.1.0', { requestedBy: 'U0OTHER' });

    const [listing] = await h.engine.releaseQueue.list({ app: 'backend' });
    assert.deepEqual(
      listing?.slots.map((s) => [s.entry.id, s.position, s.ahead?.id]),
      [
        [one.id, 1, first.id],
        [two.id, 2, one.id],
      ],
    );
    assert.deepEqual(listing?.holder, { id: first.id, version: 'v1.1.0' });

    const cancelled = await h.engine.releaseQueue.cancel(one.id, 'U0QUEUER');
    assert.equal(cancelled.state, 'cancelled');
    const after = await h.engine.releaseQueue.list();
    assert.deepEqual(
      after.flatMap((l) => l.slots.map((s) => [s.entry.id, s.position])),
      [[two.id, 1]],
    );
    assert.equal(
      (await h.engine.store.get(two.id))?.state,
      'queued',
      'still behind the release holding the lock',
    );
  });

  it('leaves queued releases to the queue: the reconciler neither locks, expires nor runs them', async () => {
    await holdStaging();
    const queued = await enqueue('v1.2.0');
    const report = await h.engine.reconciler.sweep();
    assert.ok(!report.expired.includes(queued.id));
    assert.ok(!report.requeued.some((r) => r.releaseId === queued.id));
    assert.ok(!report.lostLocks.includes(queued.id));
    const stored = await h.engine.store.get(queued.id);
    assert.equal(stored?.state, 'queued');
    assert.ok(
      stored?.steps.every((s) => s.runs === 0),
      'nothing ran',
    );
    assert.equal(
      await h.engine.locks.holder(STAGING).then((l) => l?.kind === 'release' && l.owner === queued.id),
      false,
    );
  });
});

/** Resolves with the first truthy answer of `probe`, polling; fails after a few seconds. */
async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found) return found;
    if (Date.now() > deadline) throw new Error('the condition did not hold in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** As waitFor, for a condition on what is already in memory (the recorded chat). */
async function waitUntil<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found) return found;
    if (Date.now() > deadline) throw new Error('the condition did not hold in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
