import type { Config } from '../config/schema';
import { resolveTarget } from '../config/target';
import { InvalidRequestError, LockedError } from '../domain/errors';
import { CHECKLIST, isAutomated, missingForStart } from '../domain/checklist';
import { nextDatabaseRollback } from '../domain/database-rollback';
import { RUNS_BEFORE_START, planDatabaseRollbackSteps, planRollbackSteps, planSteps } from '../domain/plan';
import {
  isFinished,
  nextRunnableStep,
  type DatabaseRollback,
  type Release,
  type ReleaseType,
} from '../domain/release';
import { newReleaseId, restoreTargetFor } from '../domain/release-id';
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
    // A manual lock stops deploys, not the remedy an approver chose.
    const lock = await locks.acquire(scope, releaseId, config.engine.lockTtl, {
      overManualLock: existing.rollbackOf !== undefined,
    });
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
    /** Revert the database instead of the services: its own, separately approved proposal. */
    database?: DatabaseRollback['action'];
  }): Promise<Release> {
    const { config, store, clock } = this.deps;
    const target = resolveTarget(config, input.app, input.environment);
    if (input.database) return this.proposeDatabaseRollback({ ...input, database: input.database });
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
    const release = this.rollbackRelease(
      newReleaseId(clock.now(), this.deps.random ?? Math.random),
      reverted,
      input,
      planRollbackSteps(),
      { ...reverted.facts.previousTaskDefinitions },
    );
    return this.publishProposal(release, target.config.rollback.remindAfter);
  }

  /**
   * Proposes reverting the database a release changed: its migration rollback
   * (run with that release's image), or restoring its pre-release snapshot into
   * a new database. One open proposal of each kind per release.
   */
  private async proposeDatabaseRollback(input: {
    app?: string;
    environment?: string;
    requestedBy: string;
    reason?: string;
    releaseId?: string;
    database: DatabaseRollback['action'];
  }): Promise<Release> {
    const { config, store, clock } = this.deps;
    const target = resolveTarget(config, input.app, input.environment);
    const where = `${target.app} to ${target.environment}`;
    const migration = target.config.migration;
    const database = target.config.database;
    const recent = await store.history(target.app, { environment: target.environment, limit: 50 });
    const downgrade = input.database === 'downgrade';
    const reverted = recent.find(
      (r) =>
        !r.rollbackOf &&
        (input.releaseId === undefined || r.id === input.releaseId) &&
        (downgrade
          ? r.steps.some((s) => s.name === 'migrate' && s.state === 'succeeded')
          : r.facts.snapshotId !== undefined),
    );
    if (!reverted) {
      throw new InvalidRequestError(
        'nothing_to_roll_back',
        downgrade
          ? `no release of ${where} has run a migration; there is nothing to downgrade`
          : `no release of ${where} has taken a snapshot; there is nothing to restore`,
      );
    }
    if (downgrade && !migration?.rollbackCommand) {
      throw new InvalidRequestError(
        'no_rollback_command',
        `${where} has no migration.rollbackCommand configured; restore the snapshot instead (last resort)`,
      );
    }
    if (!downgrade && !database) {
      throw new InvalidRequestError('no_database', `${where} has no database configured`);
    }
    const open = recent.find(
      (r) =>
        r.rollbackOf?.releaseId === reverted.id &&
        r.rollbackOf.database?.action === input.database &&
        (r.state === 'awaiting_start' || r.state === 'running' || r.state === 'succeeded'),
    );
    if (open) {
      throw new InvalidRequestError(
        'already_proposed',
        `${downgrade ? 'a migration rollback' : 'a snapshot restore'} of ${reverted.version} is already ${open.state === 'awaiting_start' ? 'proposed' : open.state} (${open.id})`,
      );
    }
    const now = clock.now();
    const id = newReleaseId(now, this.deps.random ?? Math.random);
    const service = migration?.service ?? '';
    const image = reverted.facts.targetTaskDefinitions[service];
    if (downgrade && !image) {
      throw new InvalidRequestError(
        'no_migration_image',
        `release ${reverted.id} recorded no task definition for ${service}; run the downgrade by hand`,
      );
    }
    const release = this.rollbackRelease(
      id,
      reverted,
      input,
      planDatabaseRollbackSteps(input.database),
      // The downgrade runs the reverted release's own image: only it knows the migration.
      downgrade && image ? { [service]: image } : {},
      downgrade
        ? { action: 'downgrade' }
        : {
            action: 'restore',
            snapshotId: reverted.facts.snapshotId as string,
            restoreInto: restoreTargetFor(database?.id ?? '', id, database?.kind ?? 'instance'),
          },
    );
    return this.publishProposal(release, target.config.rollback.remindAfter);
  }

  /** A rollback of `reverted` awaiting its approval: a hotfix-speed release with its own steps. */
  private rollbackRelease(
    id: string,
    reverted: Release,
    input: { requestedBy: string; reason?: string },
    steps: Release['steps'],
    targetTaskDefinitions: Record<string, string>,
    database?: DatabaseRollback,
  ): Release {
    const now = this.deps.clock.now();
    return {
      id,
      app: reverted.app,
      environment: reverted.environment,
      version: reverted.version,
      type: 'hotfix',
      requestedBy: input.requestedBy,
      state: 'awaiting_start',
      createdAt: now,
      updatedAt: now,
      revision: 0,
      steps,
      facts: { previousTaskDefinitions: {}, targetTaskDefinitions },
      checklist: {},
      rollbackOf: {
        releaseId: reverted.id,
        version: reverted.version,
        requestedBy: reverted.requestedBy,
        ...(input.reason ? { reason: input.reason } : {}),
        ...(database ? { database } : {}),
      },
    };
  }

  /** Stores a rollback proposal, audits it, posts it and schedules the approvers' reminder. */
  private async publishProposal(release: Release, remindAfter: number): Promise<Release> {
    const { store } = this.deps;
    const of = release.rollbackOf;
    await store.create(release);
    await this.audit(
      release.requestedBy,
      of?.database ? `rollback.${of.database.action}.proposed` : 'rollback.proposed',
      release.app,
      release.environment,
      release.id,
      `of ${of?.releaseId} (${of?.version})`,
    );
    await bestEffort(this.deps.logger, 'chat create', () => this.deps.chat.releaseCreated(release));
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
    const database = rollback.rollbackOf.database;
    if (database?.action === 'restore') {
      if (!database.confirmedBy) return this.confirmRestoreOnce(rollback, by);
      // The first button pressed again (a double click) is not the second confirmation.
      throw new InvalidRequestError(
        'already_confirmed',
        `the restore was confirmed once by ${database.confirmedBy.by}; it starts with its second confirmation`,
      );
    }
    // A database rollback leaves the reverted release as it is: its services were already dealt with.
    if (!database) await this.markRolledBack(rollback.rollbackOf.releaseId, rollback.id, by);
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

  /** The second confirmation of a snapshot restore: it starts. */
  async confirmRestore(rollbackId: string, by: string): Promise<Release> {
    const rollback = await this.get(rollbackId);
    const database = rollback.rollbackOf?.database;
    if (database?.action !== 'restore') {
      throw new InvalidRequestError('not_a_restore', `release ${rollbackId} is not a snapshot restore`);
    }
    if (rollback.state !== 'awaiting_start') {
      throw new InvalidRequestError('already_decided', `restore ${rollbackId} is already ${rollback.state}`);
    }
    if (!database.confirmedBy) {
      throw new InvalidRequestError(
        'needs_first_confirmation',
        `restore ${rollbackId} needs its first confirmation`,
      );
    }
    await this.audit(
      by,
      'rollback.restore.approved',
      rollback.app,
      rollback.environment,
      rollbackId,
      `${database.snapshotId} into ${database.restoreInto}`,
    );
    return this.start(rollbackId, by);
  }

  /**
   * Restoring a snapshot is the last resort and asks twice: the first yes is
   * recorded and the message then asks for the second, which starts it.
   */
  private async confirmRestoreOnce(rollback: Release, by: string): Promise<Release> {
    const { store, clock } = this.deps;
    let applied = false;
    const confirmed = await updateRelease(store, rollback.id, (r) => {
      const database = r.rollbackOf?.database;
      applied = false;
      if (r.state !== 'awaiting_start' || !database || database.confirmedBy) return undefined;
      database.confirmedBy = { by, at: clock.now() };
      r.updatedAt = clock.now();
      applied = true;
      return r;
    });
    if (!applied) {
      // Two people pressed the first button at once: only one of them confirmed.
      throw new InvalidRequestError('already_confirmed', `restore ${rollback.id} was already confirmed once`);
    }
    await this.audit(
      by,
      'rollback.restore.confirmed_once',
      confirmed.app,
      confirmed.environment,
      confirmed.id,
      `${confirmed.rollbackOf?.database?.snapshotId} into ${confirmed.rollbackOf?.database?.restoreInto}`,
    );
    await bestEffort(this.deps.logger, 'chat update', () => this.deps.chat.releaseUpdated(confirmed));
    return confirmed;
  }

  /**
   * After a rollback ended: offer what the database needs next (migration
   * rollback, or the snapshot as last resort), as its own proposal.
   */
  async offerDatabaseRollback(ended: Release): Promise<Release | undefined> {
    const of = ended.rollbackOf;
    if (!of) return undefined;
    const reverted = await this.deps.store.get(of.releaseId);
    if (!reverted) return undefined;
    const env = resolveTarget(this.deps.config, ended.app, ended.environment).config;
    const action = nextDatabaseRollback(ended, reverted, {
      hasRollbackCommand: !!env.migration?.rollbackCommand,
    });
    if (!action) return undefined;
    const reason =
      action === 'downgrade'
        ? `${reverted.version} ran its migration; the app is back on the previous revisions but the schema is still ${reverted.version}'s`
        : of.database
          ? `the migration rollback failed (${ended.failure?.code ?? 'failed'}); restoring the pre-release snapshot is the last resort`
          : `${reverted.version} ran its migration and no migration.rollbackCommand is configured; restoring the pre-release snapshot is the last resort`;
    try {
      return await this.proposeRollback({
        app: ended.app,
        environment: ended.environment,
        requestedBy: 'deploybot',
        reason,
        releaseId: reverted.id,
        database: action,
      });
    } catch (error) {
      // Someone proposed it already (or by hand): nothing more to offer.
      if (error instanceof InvalidRequestError && error.code === 'already_proposed') return undefined;
      throw error;
    }
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
