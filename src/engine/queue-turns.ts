import { missingForStart } from '../domain/checklist';
import { nextEligibleAt, queueEntryOf, runOrder, supersedingRelease } from '../domain/deploy-queue';
import { DeploybotError, OutOfScheduleError } from '../domain/errors';
import { RUNS_BEFORE_START } from '../domain/plan';
import { lockTtlFor } from '../domain/reconcile';
import { isFinished, nextRunnableStep, type Release } from '../domain/release';
import { nextReleaseState } from '../domain/state-machine';
import type { LockHolder, LockScope } from '../ports/lock';
import { appendAudit } from './audit-trail';
import { bestEffort } from './best-effort';
import { releaseChecklist } from './release-checklist';
import type { ReleaseQueueDeps } from './release-queue';
import { BOT } from './rollback-proposals';
import { updateRelease } from './update-release';

/**
 * The release windows as the queue asks them: is `release` allowed to run
 * now, and if not, from when? The engine builds it from the environment's
 * `schedule` and judgeSchedule (src/domain/schedule/schedule-verdict.ts).
 */
export type WindowJudge = (
  release: Release,
  now: number,
) => { allowed: true } | { allowed: false; rule: string; nextAllowedAt?: number };

/** What one look at a queue did, for logs and tests. */
export type AdvanceOutcome =
  | { kind: 'empty' }
  /** Nothing may run now (scheduled, out of window); a wake-up is queued for `until` when known. */
  | { kind: 'waiting'; until?: number }
  | { kind: 'busy'; holder: LockHolder }
  /** The head was overtaken by a newer version: the queue holds until its requester answers. */
  | { kind: 'asking'; releaseId: string }
  | { kind: 'dequeued'; release: Release }
  /** Another worker took the same head a moment earlier. */
  | { kind: 'taken'; releaseId: string };

/** Heads cancelled under our feet, one after the other, before we give up for this wake-up. */
const MAX_ROUNDS = 5;

/**
 * A queue's turns: who leaves it, and what happens then. Safe to run in many
 * workers at once: the scope's lock (owned by the head's id) and a
 * compare-and-set on the head (queued -> awaiting_start) decide, so exactly
 * one release leaves the queue per free scope.
 */
export class QueueTurns {
  constructor(
    private readonly deps: ReleaseQueueDeps,
    private readonly queuedIn: (scope: LockScope) => Promise<Release[]>,
  ) {}

  /**
   * If the scope's lock is free (or already its head's: a worker died between
   * taking it and writing) and its head is eligible and in window, the head
   * takes the lock and leaves the queue: awaiting_start, its preflight queued.
   * A head a newer version overtook is asked about first. A release out of
   * its window (without break-glass) or scheduled for later does not hold up
   * those behind it; a wake-up is queued for when it may run.
   */
  async advance(scope: LockScope): Promise<AdvanceOutcome> {
    const { locks, config, clock } = this.deps;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const queued = await this.queuedIn(scope);
      if (queued.length === 0) {
        await this.deps.index.forgetScopeIfEmpty(scope);
        return { kind: 'empty' };
      }
      const now = clock.now();
      const { head, wakeAt } = this.pick(queued, now);
      if (wakeAt !== undefined) await this.deps.triggers.advanceAt(scope, wakeAt, now);
      if (!head) return { kind: 'waiting', ...(wakeAt !== undefined ? { until: wakeAt } : {}) };
      const holder = await locks.holder(head);
      if (holder && !(holder.kind === 'release' && holder.owner === head.id)) return { kind: 'busy', holder };
      if (await this.mustAsk(head, now)) return { kind: 'asking', releaseId: head.id };
      const lock = await locks.acquire(head, head.id, config.engine.lockTtl);
      if (!lock.acquired) return { kind: 'busy', holder: lock.holder };
      const outcome = await this.dequeue(head);
      if (outcome) return outcome;
    }
    return { kind: 'waiting' };
  }

  /**
   * Once the preflight of a release that left the queue has run: when every
   * required item is ticked (people ticked while it waited, preflight proved
   * the rest) it starts by itself, as deploybot; otherwise its requester is
   * called to press Start. 'waiting' while preflight still runs.
   */
  async startWhenReady(releaseId: string): Promise<'waiting' | 'done'> {
    const { store, config, logger } = this.deps;
    const release = await store.get(releaseId);
    if (!release || release.state !== 'awaiting_start' || !release.queue) return 'done';
    const preflight = release.steps.find((s) => s.name === 'preflight');
    if (preflight && ['pending', 'running', 'waiting'].includes(preflight.state)) return 'waiting';
    const missing = missingForStart(releaseChecklist(release, config));
    if (missing.length > 0) {
      const words = missing.map((m) => m.item.text);
      await bestEffort(logger, 'chat queue turn', () =>
        this.deps.chat.queueTurnCame(release, { kind: 'press_start', missing: words }),
      );
      return 'done';
    }
    const tickedBy = [...new Set(Object.values(release.checklist).map((t) => t.by))];
    try {
      const started = await this.deps.service.start(releaseId, BOT);
      await this.audit(
        started,
        'queue.started_itself',
        `checklist completed while queued, ticked by ${tickedBy.join(', ') || 'nobody'}`,
      );
      await bestEffort(logger, 'chat queue turn', () =>
        this.deps.chat.queueTurnCame(started, { kind: 'started', tickedBy }),
      );
    } catch (error) {
      // Someone pressed Start (or cancelled) first, or unticked an item: then they are already on it.
      if (!(error instanceof DeploybotError)) throw error;
      logger.info({ releaseId, code: error.code }, 'a release from the queue did not start by itself');
      // Its window closed between its turn and the end of its preflight: its requester decides when.
      if (error instanceof OutOfScheduleError) {
        await bestEffort(logger, 'chat queue turn', () =>
          this.deps.chat.queueTurnCame(release, { kind: 'press_start', missing: [error.message] }),
        );
      }
    }
    return 'done';
  }

  /** Re-renders the messages of the releases still queued with `release`: their places moved. */
  async refreshPlaces(release: Pick<Release, 'app' | 'environment'>): Promise<void> {
    const { chat, logger } = this.deps;
    await bestEffort(logger, 'queue places', async () => {
      for (const queued of await this.queuedIn(release)) await chat.releaseUpdated(queued);
    });
  }

  /** The first release that may run now, and the earliest later moment one may. */
  private pick(queued: readonly Release[], now: number): { head?: Release; wakeAt?: number } {
    const byId = new Map(queued.map((r) => [r.id, r]));
    const entries = queued.flatMap((r) => queueEntryOf(r) ?? []);
    const wakes: number[] = [];
    const scheduled = nextEligibleAt(entries, now);
    if (scheduled !== undefined) wakes.push(scheduled);
    let head: Release | undefined;
    for (const entry of runOrder(entries, now)) {
      const release = byId.get(entry.id);
      if (!release) continue;
      const verdict = release.override
        ? { allowed: true as const }
        : (this.deps.windowOf?.(release, now) ?? { allowed: true as const });
      if (verdict.allowed) {
        head = release;
        break;
      }
      if (verdict.nextAllowedAt !== undefined) wakes.push(verdict.nextAllowedAt);
    }
    return { ...(head ? { head } : {}), ...(wakes.length > 0 ? { wakeAt: Math.min(...wakes) } : {}) };
  }

  /**
   * Whether the head waits for an answer: a newer version overtook it and
   * nobody said "run it anyway". Asked once (the index remembers), audited.
   */
  private async mustAsk(head: Release, now: number): Promise<boolean> {
    const { index, store, chat, logger } = this.deps;
    const question = await index.question(head.id);
    if (question) return question.runAnyway === undefined;
    const entry = queueEntryOf(head);
    if (!entry) return false;
    const history = await store.history(head.app, { environment: head.environment, limit: 50 });
    const newer = supersedingRelease(entry, history);
    if (!newer) return false;
    const asked = await index.ask(head.id, { newer: { id: newer.id, version: newer.version }, askedAt: now });
    if (asked) {
      await this.audit(
        head,
        'queue.superseded',
        `${head.version} waited while ${newer.version} (${newer.id}) came`,
      );
      await bestEffort(logger, 'chat queue question', () =>
        chat.queuedReleaseSuperseded(head, { id: newer.id, version: newer.version }),
      );
    }
    return true;
  }

  /**
   * queued -> awaiting_start, holding the lock just taken. Undefined when the
   * head was cancelled meanwhile (its lock is freed and the next one tried).
   */
  private async dequeue(head: Release): Promise<AdvanceOutcome | undefined> {
    const { store, locks, clock, config, index, logger } = this.deps;
    let won = false;
    const now = clock.now();
    const left = await updateRelease(store, head.id, (r) => {
      won = false;
      if (r.state !== 'queued') return undefined;
      r.state = nextReleaseState(r.state, 'dequeue');
      // Its wait for Start (startTimeout) begins now, not when it was queued.
      if (r.queue) r.queue = { ...r.queue, dequeuedAt: now };
      r.updatedAt = now;
      won = true;
      return r;
    });
    if (!won) {
      // Left by another worker: the lock is that release's now, keep it.
      if (!isFinished(left)) return { kind: 'taken', releaseId: head.id };
      await locks.release(head, head.id);
      await index.remove(head, head.id);
      return undefined;
    }
    // Audited before its preflight is queued: whoever sees the preflight's result sees the turn's entry.
    await this.audit(left, 'release.dequeued', `${left.version}: its turn in the queue`);
    await index.remove(head, head.id);
    await locks.heartbeat(head, head.id, lockTtlFor(left, clock.now(), config.engine));
    const first = nextRunnableStep(left);
    if (first && RUNS_BEFORE_START.includes(first.name)) await this.deps.queue.enqueue(left.id, first.name);
    await bestEffort(logger, 'chat update', () => this.deps.chat.releaseUpdated(left));
    await this.deps.triggers.startWhenReady(left.id);
    await bestEffort(logger, 'queue question', () => index.forgetQuestion(left.id));
    await this.refreshPlaces(left);
    return { kind: 'dequeued', release: left };
  }

  private async audit(about: Release, action: string, detail: string): Promise<void> {
    const { app, environment, id: releaseId } = about;
    await appendAudit(this.deps, { actor: BOT, action, app, environment, releaseId, detail });
  }
}
