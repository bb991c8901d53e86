import type { Config } from '../config/schema';
import { resolveTarget } from '../config/target';
import {
  queueEntryOf,
  queueSlots,
  type QueueEntry,
  type QueueListing,
  type QueueSlot,
} from '../domain/deploy-queue';
import { InvalidRequestError } from '../domain/errors';
import { planSteps } from '../domain/plan';
import { type Release } from '../domain/release';
import { newReleaseId } from '../domain/release-id';
import { nextReleaseState } from '../domain/state-machine';
import { parseVersion } from '../domain/version';
import type { Logger } from '../logging/logger';
import type { AuditLog } from '../ports/audit-log';
import type { Clock } from '../ports/clock';
import type { LockScope, LockService } from '../ports/lock';
import type { ReleaseChat } from '../ports/release-chat';
import type { ReleaseStore } from '../ports/release-store';
import type { StepQueue } from '../ports/step-queue';
import type { RedisDeployQueueIndex } from '../redis/deploy-queue-index';
import { appendAudit } from './audit-trail';
import { bestEffort } from './best-effort';
import { recordOverride, scheduleGate } from './release-policy';
import { QueueTurns, type AdvanceOutcome, type WindowJudge } from './queue-turns';
import type { ReleaseRequest, ReleaseService } from './release-service';
import { BOT } from './rollback-proposals';
import { updateRelease } from './update-release';

export type { AdvanceOutcome, WindowJudge } from './queue-turns';

/** What wakes the queues up later, durably (BullMQ jobs: src/queue/deploy-queue-jobs.ts). */
export interface QueueTriggers {
  /** Look at the scope's queue soon, in a worker. */
  advanceNow(scope: LockScope): Promise<void>;
  /** Look at it again at `at` (one wake-up per scope and moment). */
  advanceAt(scope: LockScope, at: number, now: number): Promise<void>;
  /** Watch a release that left the queue until its preflight ran; see QueueTurns.startWhenReady. */
  startWhenReady(releaseId: string): Promise<void>;
}

export interface ReleaseQueueDeps {
  config: Config;
  store: ReleaseStore;
  locks: LockService;
  audit: AuditLog;
  chat: ReleaseChat;
  /** The step queue: a release leaving the queue runs its preflight. */
  queue: StepQueue;
  clock: Clock;
  logger: Logger;
  index: RedisDeployQueueIndex;
  triggers: QueueTriggers;
  service: Pick<ReleaseService, 'start' | 'cancel' | 'get'>;
  /** The release windows; unset, every time is in window. See WindowJudge. */
  windowOf?: WindowJudge;
  random?: () => number;
}

/** A release request that waits its turn: `why` says why, in words; `notBefore` is `--at`. */
export type QueueRequest = ReleaseRequest & { notBefore?: number; why: string };

/**
 * The deploy queue: releases that wait for their app and environment (their
 * lock scope) to be free and in window, instead of being refused as busy.
 * Durable in Redis: the releases (state `queued`), an index per scope, and
 * BullMQ jobs that wake the queue when a lock is freed or a time comes.
 */
export class ReleaseQueue {
  private readonly turns: QueueTurns;

  constructor(private readonly deps: ReleaseQueueDeps) {
    this.turns = new QueueTurns(deps, (scope) => this.queuedIn(scope));
  }

  /**
   * Creates a queued release (it holds no lock and runs nothing), posts its
   * message, audits `release.queued`, then tries to advance its queue: with
   * the scope free it leaves the queue at once.
   */
  async enqueue(input: QueueRequest): Promise<Release> {
    const { config, store, clock, index } = this.deps;
    const version = parseVersion(input.version);
    const target = resolveTarget(config, input.app, input.environment);
    const type = input.type ?? 'minor';
    if (input.notBefore !== undefined && !Number.isSafeInteger(input.notBefore)) {
      throw new InvalidRequestError('invalid_time', 'the time to run at is not a time');
    }
    const now = clock.now();
    const id = newReleaseId(now, this.deps.random ?? Math.random);
    const scope = { app: target.app, environment: target.environment };
    // Break-glass recorded as at request: only when the schedule refuses it at the time it is to run.
    const gate =
      input.override !== undefined ? scheduleGate(target, type, input.notBefore ?? now, input.override) : {};
    const release: Release = {
      id,
      ...scope,
      version,
      type,
      requestedBy: input.requestedBy,
      state: 'queued',
      createdAt: now,
      updatedAt: now,
      revision: 0,
      steps: planSteps(type, {
        hasDatabase: !!target.config.database,
        hasMigration: !!target.config.migration,
      }),
      facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
      checklist: { ...(input.ticks ?? {}) },
      ...(input.promotedFrom ? { promotedFrom: input.promotedFrom } : {}),
      ...(gate.overrode !== undefined && input.override !== undefined
        ? { override: { by: input.requestedBy, reason: input.override, overrode: gate.overrode, at: now } }
        : {}),
      queue: {
        queuedAt: now,
        queuedBy: input.requestedBy,
        ...(input.notBefore !== undefined ? { notBefore: input.notBefore } : {}),
        why: input.why,
      },
    };
    await store.create(release);
    try {
      await index.add(scope, id, now);
    } catch (error) {
      // Not in its queue, nothing would ever run it: withdraw it, so the refusal the requester sees is true.
      await bestEffort(this.deps.logger, 'withdraw queued release', () => this.withdraw(id));
      throw error;
    }
    await appendAudit(this.deps, {
      actor: input.requestedBy,
      action: 'release.queued',
      ...scope,
      releaseId: id,
      detail: `${version} (${type}): ${input.why}`,
    });
    await bestEffort(this.deps.logger, 'chat create', () => this.deps.chat.releaseCreated(release));
    await recordOverride(this.deps, release);
    if (input.notBefore !== undefined && input.notBefore > now) {
      await this.deps.triggers.advanceAt(scope, input.notBefore, now);
    }
    try {
      await this.advance(scope);
    } catch (error) {
      // A worker tries again; the release is queued either way.
      this.deps.logger.warn({ err: error, releaseId: id }, 'could not advance the queue; a worker will');
      await bestEffort(this.deps.logger, 'queue trigger', () => this.deps.triggers.advanceNow(scope));
    }
    return (await store.get(id)) ?? release;
  }

  /** Starts the next release of the scope's queue when it can; see QueueTurns.advance. */
  advance(scope: LockScope): Promise<AdvanceOutcome> {
    return this.turns.advance(scope);
  }

  /** After preflight of a release that left the queue: start it by itself, or call its requester. */
  startWhenReady(releaseId: string): Promise<'waiting' | 'done'> {
    return this.turns.startWhenReady(releaseId);
  }

  /**
   * The queues with their releases' places: every queue, or those holding
   * releases of `app` (and `environment`). Places count the whole queue, so a
   * filtered list still says "3rd".
   */
  async list(filter: { app?: string; environment?: string } = {}): Promise<QueueListing[]> {
    const { index, locks, store, clock } = this.deps;
    const scopes =
      filter.app !== undefined && filter.environment !== undefined
        ? [index.queueScope({ app: filter.app, environment: filter.environment })]
        : await index.scopes();
    const listings: QueueListing[] = [];
    for (const scope of scopes) {
      const queued = await this.queuedIn(scope);
      if (queued.length === 0) continue;
      const lock = await locks.holder(queued[0] ?? scope);
      const holding = lock?.kind === 'release' ? await store.get(lock.owner) : undefined;
      const holder = holding ? { id: holding.id, version: holding.version } : undefined;
      const slots = queueSlots(entriesOf(queued), clock.now(), holder).filter(
        (s) =>
          (filter.app === undefined || s.entry.app === filter.app) &&
          (filter.environment === undefined || s.entry.environment === filter.environment),
      );
      if (slots.length > 0) listings.push({ scope, slots, ...(holder ? { holder } : {}) });
    }
    return listings;
  }

  /** A queued release's place, for its message; undefined when it is not queued. */
  async slotOf(release: Release): Promise<QueueSlot | undefined> {
    if (release.state !== 'queued') return undefined;
    const listings = await this.list({ app: release.app, environment: release.environment });
    return listings.flatMap((l) => l.slots).find((s) => s.entry.id === release.id);
  }

  /**
   * Takes a release out of its queue (ReleaseService.cancel: audited, its
   * message closed) and wakes the queue: the releases behind it move up, and
   * one it held up with a question may now run. Who may is the caller's to
   * decide (its requester or an approver).
   */
  async cancel(releaseId: string, by: string): Promise<Release> {
    const cancelled = await this.deps.service.cancel(releaseId, by);
    await this.leave(cancelled);
    return cancelled;
  }

  /**
   * The answer to "a newer version overtook it": run it anyway (the queue goes
   * on with it at its head), or cancel it.
   */
  async answerSuperseded(releaseId: string, by: string, runAnyway: boolean): Promise<Release> {
    const release = await this.deps.service.get(releaseId);
    if (!runAnyway) return this.cancel(releaseId, by);
    if (release.state !== 'queued') {
      throw new InvalidRequestError('not_queued', `release ${releaseId} is no longer queued`);
    }
    const answered = await this.deps.index.answerRunAnyway(releaseId, by, this.deps.clock.now());
    if (!answered) throw new InvalidRequestError('no_question', `release ${releaseId} was asked nothing`);
    await appendAudit(this.deps, {
      actor: by,
      action: 'queue.run_anyway',
      app: release.app,
      environment: release.environment,
      releaseId,
      detail: `${release.version} although ${answered.newer.version} (${answered.newer.id}) is newer`,
    });
    await this.deps.triggers.advanceNow(release);
    return release;
  }

  /**
   * The safety net, run with the reconciler's sweeps: puts back into its index
   * any queued release missing there (an index write lost to a failover), and
   * advances every queue, whatever wake-up was lost.
   */
  async sweep(): Promise<AdvanceOutcome[]> {
    const { store, index, logger } = this.deps;
    for (const id of await store.activeIds()) {
      const release = await store.get(id);
      const entry = release && queueEntryOf(release);
      if (entry) await index.add(entry, entry.id, entry.queuedAt);
    }
    const outcomes: AdvanceOutcome[] = [];
    for (const scope of await index.scopes()) {
      try {
        outcomes.push(await this.advance(scope));
      } catch (err) {
        logger.warn({ err, scope }, 'could not advance a deploy queue');
      }
    }
    return outcomes;
  }

  /**
   * The scope's queued releases, first come first; ids whose release left the
   * queue (cancelled from its message, expired, gone) are dropped from the index.
   */
  private async queuedIn(scope: LockScope): Promise<Release[]> {
    const { index, store } = this.deps;
    const queued: Release[] = [];
    for (const id of await index.ids(scope)) {
      const release = await store.get(id);
      if (release && queueEntryOf(release)) queued.push(release);
      else await index.remove(scope, id);
    }
    return queued;
  }

  private async leave(release: Release): Promise<void> {
    const { index, logger } = this.deps;
    await index.remove(release, release.id);
    await bestEffort(logger, 'queue question', () => index.forgetQuestion(release.id));
    await bestEffort(logger, 'queue trigger', () => this.deps.triggers.advanceNow(release));
    await this.turns.refreshPlaces(release);
  }

  private async withdraw(id: string): Promise<void> {
    const now = this.deps.clock.now();
    await updateRelease(this.deps.store, id, (r) => {
      if (r.state !== 'queued') return undefined;
      r.state = nextReleaseState(r.state, 'cancel');
      r.cancelledBy = BOT;
      r.endedAt = now;
      r.updatedAt = now;
      return r;
    });
  }
}

function entriesOf(releases: readonly Release[]): QueueEntry[] {
  return releases.flatMap((r) => {
    const entry = queueEntryOf(r);
    return entry ? [entry] : [];
  });
}
