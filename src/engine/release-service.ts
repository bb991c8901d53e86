import type { Config } from '../config/schema';
import { resolveTarget } from '../config/target';
import { InvalidRequestError, LockedError } from '../domain/errors';
import { CHECKLIST, isAutomated, missingForStart } from '../domain/checklist';
import { RUNS_BEFORE_START, planRollbackSteps, planSteps } from '../domain/plan';
import { isFinished, nextRunnableStep, type Release, type ReleaseType } from '../domain/release';
import { newReleaseId } from '../domain/release-id';
import { nextReleaseState } from '../domain/state-machine';
import { parseVersion } from '../domain/version';
import type { AuditLog } from '../ports/audit-log';
import type { Clock } from '../ports/clock';
import type { FollowUpScheduler } from '../ports/follow-ups';
import type { LockHolder, LockService } from '../ports/lock';
import type { ReleaseChat } from '../ports/release-chat';
import type { ReleaseStore } from '../ports/release-store';
import type { StepQueue } from '../ports/step-queue';
import type { Logger } from '../logging/logger';
import { bestEffort } from './best-effort';
import { releaseChecklist } from './release-checklist';
import { updateRelease } from './update-release';

export interface ReleaseRequest {
  version: string;
  app?: string;
  environment?: string;
  type?: ReleaseType;
  requestedBy: string;
}

export interface ReleaseServiceDeps {
  config: Config;
  store: ReleaseStore;
  locks: LockService;
  audit: AuditLog;
  chat: ReleaseChat;
  queue: StepQueue;
  clock: Clock;
  logger: Logger;
  random?: () => number;
  followUps?: FollowUpScheduler;
}

/**
 * What people ask of releases: request one, start it, cancel it. Validates
 * everything before it writes anything, so bad input starts nothing, and takes
 * the app+environment lock first, so of two requests only one proceeds.
 */
export class ReleaseService {
  constructor(private readonly deps: ReleaseServiceDeps) {}

  /** Creates a release awaiting its start (the checklist), holding the lock. */
  async request(input: ReleaseRequest): Promise<Release> {
    const { config, store, locks, clock } = this.deps;
    const version = parseVersion(input.version);
    const target = resolveTarget(config, input.app, input.environment);
    const type = input.type ?? 'minor';
    const now = clock.now();
    const id = newReleaseId(now, this.deps.random ?? Math.random);
    const scope = { app: target.app, environment: target.environment };

    const lock = await locks.acquire(scope, id, config.engine.startTimeout);
    if (!lock.acquired) {
      await this.audit(
        input.requestedBy,
        'release.refused',
        target.app,
        target.environment,
        undefined,
        version,
      );
      throw new LockedError(await this.describeHolder(scope, lock.holder), lock.holder);
    }
    const release: Release = {
      id,
      app: target.app,
      environment: target.environment,
      version,
      type,
      requestedBy: input.requestedBy,
      state: 'awaiting_start',
      createdAt: now,
      updatedAt: now,
      revision: 0,
      steps: planSteps(type, {
        hasDatabase: !!target.config.database,
        hasMigration: !!target.config.migration,
      }),
      facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
      checklist: {},
    };
    try {
      await store.create(release);
    } catch (error) {
      await locks.release(scope, id);
      throw error;
    }
    await this.audit(
      input.requestedBy,
      'release.requested',
      target.app,
      target.environment,
      id,
      `${version} (${type})`,
    );
    // The message is posted before any step runs, so every later update has a message to edit.
    await bestEffort(this.deps.logger, 'chat create', () => this.deps.chat.releaseCreated(release));
    // Preflight runs now: its results tick the checklist people look at before Start.
    const first = nextRunnableStep(release);
    if (first && RUNS_BEFORE_START.includes(first.name)) await this.deps.queue.enqueue(id, first.name);
    // The stored copy knows where chat put the message.
    return (await store.get(id)) ?? release;
  }

  /**
   * Ticks or unticks manual checklist items while the release awaits its start.
   * Automated items are preflight's to tick and are ignored here.
   */
  async tick(releaseId: string, by: string, changes: Record<string, boolean>): Promise<Release> {
    const { store, clock } = this.deps;
    const manual = new Set(CHECKLIST.filter((item) => !isAutomated(item)).map((item) => item.id));
    const applied: string[] = [];
    const updated = await updateRelease(store, releaseId, (r) => {
      applied.length = 0;
      if (r.state !== 'awaiting_start') return undefined;
      for (const [id, ticked] of Object.entries(changes)) {
        if (!manual.has(id) || ticked === id in r.checklist) continue;
        if (ticked) r.checklist[id] = { by, at: clock.now() };
        else delete r.checklist[id];
        applied.push(`${ticked ? '+' : '-'}${id}`);
      }
      if (applied.length === 0) return undefined;
      r.updatedAt = clock.now();
      return r;
    });
    if (updated.state !== 'awaiting_start') {
      throw new InvalidRequestError(
        'checklist_closed',
        `release ${releaseId} is ${updated.state}; its checklist is closed`,
      );
    }
    if (applied.length > 0) {
      await this.audit(by, 'checklist.tick', updated.app, updated.environment, releaseId, applied.join(' '));
      await bestEffort(this.deps.logger, 'chat update', () => this.deps.chat.releaseUpdated(updated));
    }
    return updated;
  }

  /**
   * Starts a release awaiting its start: its next step is queued. Every required
   * checklist item must be ticked, by people or by preflight; `override` (a
   * reason, audited) starts it anyway.
   */
  async start(releaseId: string, by: string, options: { override?: string } = {}): Promise<Release> {
    const { store, clock, locks, config } = this.deps;
    const existing = await this.get(releaseId);
    if (existing.state !== 'awaiting_start') {
      throw new InvalidRequestError(
        'not_startable',
        `release ${releaseId} is ${existing.state}, not awaiting start`,
      );
    }
    // A rollback has no checklist: its approval is the approver pressing Start.
    const missing = existing.rollbackOf ? [] : missingForStart(releaseChecklist(existing, config));
    if (missing.length > 0 && !options.override) {
      const names = missing.map((m) =>
        m.state === 'pending' ? `${m.item.text} (preflight still checking)` : m.item.text,
      );
      throw new InvalidRequestError('checklist_incomplete', `Start needs: ${names.join('; ')}`);
    }
    if (missing.length > 0) {
      const skipped = missing.map((m) => m.item.id).join(', ');
      await this.audit(
        by,
        'checklist.override',
        existing.app,
        existing.environment,
        releaseId,
        `${options.override} [${skipped}]`,
      );
    }
    const scope = { app: existing.app, environment: existing.environment };
    const lock = await locks.acquire(scope, releaseId, config.engine.lockTtl);
    if (!lock.acquired) {
      throw new LockedError(await this.describeHolder(scope, lock.holder), lock.holder);
    }
    const started = await updateRelease(store, releaseId, (r) => {
      if (r.state !== 'awaiting_start') return undefined;
      r.state = nextReleaseState(r.state, 'start');
      r.startedAt = clock.now();
      r.startedBy = by;
      r.updatedAt = clock.now();
      return r;
    });
    if (started.state !== 'running' || started.startedAt === undefined) {
      throw new InvalidRequestError('not_startable', `release ${releaseId} is ${started.state}`);
    }
    const first = nextRunnableStep(started);
    if (first) await this.deps.queue.enqueue(releaseId, first.name);
    await this.audit(by, 'release.started', started.app, started.environment, releaseId, started.version);
    await bestEffort(this.deps.logger, 'chat update', () => this.deps.chat.releaseUpdated(started));
    return started;
  }

  /**
   * Proposes pointing an app's services back at the revisions they ran before
   * its latest release that changed them. Nothing changes until an approver
   * starts it (approveRollback); proposing takes no lock.
   */
  async proposeRollback(input: {
    app?: string;
    environment?: string;
    requestedBy: string;
    /** What fired, when monitoring proposes. */
    reason?: string;
    /** The release to revert; by default the latest one that changed a service. */
    releaseId?: string;
  }): Promise<Release> {
    const { config, store, clock } = this.deps;
    const target = resolveTarget(config, input.app, input.environment);
    const recent = await store.history(target.app, { environment: target.environment, limit: 50 });
    const reverted = recent.find(
      (r) =>
        !r.rollbackOf &&
        Object.keys(r.facts.previousTaskDefinitions).length > 0 &&
        (input.releaseId === undefined || r.id === input.releaseId),
    );
    if (!reverted) {
      throw new InvalidRequestError(
        'nothing_to_roll_back',
        `no release of ${target.app} to ${target.environment} has changed a service yet; nothing to roll back`,
      );
    }
    const now = clock.now();
    const release: Release = {
      id: newReleaseId(now, this.deps.random ?? Math.random),
      app: target.app,
      environment: target.environment,
      version: reverted.version,
      type: 'hotfix',
      requestedBy: input.requestedBy,
      state: 'awaiting_start',
      createdAt: now,
      updatedAt: now,
      revision: 0,
      steps: planRollbackSteps(),
      facts: {
        previousTaskDefinitions: {},
        targetTaskDefinitions: { ...reverted.facts.previousTaskDefinitions },
      },
      checklist: {},
      rollbackOf: {
        releaseId: reverted.id,
        version: reverted.version,
        requestedBy: reverted.requestedBy,
        ...(input.reason ? { reason: input.reason } : {}),
      },
    };
    await store.create(release);
    await this.audit(
      input.requestedBy,
      'rollback.proposed',
      target.app,
      target.environment,
      release.id,
      `of ${reverted.id} (${reverted.version})`,
    );
    await bestEffort(this.deps.logger, 'chat create', () => this.deps.chat.releaseCreated(release));
    const remindAfter = target.config.rollback.remindAfter;
    await bestEffort(this.deps.logger, 'reminder', async () =>
      this.deps.followUps?.schedule({
        releaseId: release.id,
        kind: 'remind-approvers',
        afterMs: remindAfter,
      }),
    );
    return (await store.get(release.id)) ?? release;
  }

  /**
   * An approver's yes: the reverted release, if still in flight, is cancelled so
   * that the rollback can take the lock, and the rollback starts.
   */
  async approveRollback(rollbackId: string, by: string): Promise<Release> {
    const rollback = await this.get(rollbackId);
    if (!rollback.rollbackOf)
      throw new InvalidRequestError('not_a_rollback', `release ${rollbackId} is not a rollback`);
    if (rollback.state !== 'awaiting_start') {
      throw new InvalidRequestError('already_decided', `rollback ${rollbackId} is already ${rollback.state}`);
    }
    await this.markRolledBack(rollback.rollbackOf.releaseId, rollback.id, by);
    await this.audit(
      by,
      'rollback.approved',
      rollback.app,
      rollback.environment,
      rollbackId,
      rollback.rollbackOf.releaseId,
    );
    return this.start(rollbackId, by);
  }

  /**
   * The reverted release ends as rolled back when still in flight (it frees its
   * lock for the rollback), or keeps its state and learns which rollback
   * replaced it when it had already finished.
   */
  private async markRolledBack(releaseId: string, rollbackId: string, by: string): Promise<void> {
    const { store, clock, locks } = this.deps;
    if (!(await store.get(releaseId))) return;
    const updated = await updateRelease(store, releaseId, (r) => {
      if (r.rolledBackBy) return undefined;
      r.rolledBackBy = rollbackId;
      // Only a release this rollback ends learns who ended it.
      if (r.state === 'awaiting_start' || r.state === 'running') {
        r.state = nextReleaseState(r.state, r.state === 'running' ? 'roll_back' : 'cancel');
        r.cancelledBy = by;
        r.endedAt = clock.now();
      }
      r.updatedAt = clock.now();
      return r;
    });
    await locks.release({ app: updated.app, environment: updated.environment }, releaseId);
    await this.audit(
      by,
      'release.rolled_back',
      updated.app,
      updated.environment,
      releaseId,
      `by rollback ${rollbackId}`,
    );
    const postmortemAfter = resolveTarget(this.deps.config, updated.app, updated.environment).config.rollback
      .postmortemAfter;
    await bestEffort(this.deps.logger, 'post-mortem reminder', async () =>
      this.deps.followUps?.schedule({ releaseId, kind: 'postmortem', afterMs: postmortemAfter }),
    );
    await bestEffort(this.deps.logger, 'chat finish', () => this.deps.chat.releaseFinished(updated));
  }

  /**
   * Ends a release that has not finished. Work already handed to AWS (a rollout,
   * a migration task) keeps going there; no further step starts.
   */
  async cancel(releaseId: string, by: string): Promise<Release> {
    const { store, clock, locks } = this.deps;
    const existing = await this.get(releaseId);
    if (isFinished(existing)) {
      throw new InvalidRequestError('not_cancellable', `release ${releaseId} already ${existing.state}`);
    }
    const cancelled = await updateRelease(store, releaseId, (r) => {
      if (isFinished(r)) return undefined;
      r.state = nextReleaseState(r.state, 'cancel');
      r.cancelledBy = by;
      r.endedAt = clock.now();
      r.updatedAt = clock.now();
      return r;
    });
    if (cancelled.state !== 'cancelled') {
      throw new InvalidRequestError('not_cancellable', `release ${releaseId} already ${cancelled.state}`);
    }
    await locks.release({ app: cancelled.app, environment: cancelled.environment }, releaseId);
    await this.audit(
      by,
      'release.cancelled',
      cancelled.app,
      cancelled.environment,
      releaseId,
      cancelled.version,
    );
    await bestEffort(this.deps.logger, 'chat finish', () => this.deps.chat.releaseFinished(cancelled));
    return cancelled;
  }

  async get(releaseId: string): Promise<Release> {
    const release = await this.deps.store.get(releaseId);
    if (!release) throw new InvalidRequestError('unknown_release', `no release ${releaseId}`);
    return release;
  }

  /** Names who holds a lock, in words a person can act on. */
  async describeHolder(scope: { app: string; environment: string }, holder: LockHolder): Promise<string> {
    const where = `${scope.app}/${scope.environment}`;
    if (holder.kind === 'manual') return `${where} is locked by ${holder.by}: ${holder.reason}`;
    const other = await this.deps.store.get(holder.owner);
    if (!other) return `${where} is locked by release ${holder.owner}`;
    return `${where} is busy with release ${other.id} (${other.version}, ${other.state}, requested by ${other.requestedBy})`;
  }

  private async audit(
    actor: string,
    action: string,
    app: string,
    environment: string,
    releaseId: string | undefined,
    detail: string,
  ): Promise<void> {
    await this.deps.audit.append({
      at: this.deps.clock.now(),
      actor,
      action,
      app,
      environment,
      ...(releaseId ? { releaseId } : {}),
      detail,
    });
  }
}
