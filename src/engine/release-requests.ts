import { resolveTarget } from '../config/target';
import type { LockedError } from '../domain/errors';
import { RUNS_BEFORE_START, planSteps } from '../domain/plan';
import { lockTtlFor } from '../domain/reconcile';
import { nextRunnableStep, type Release, type ReleaseType } from '../domain/release';
import { newReleaseId } from '../domain/release-id';
import { nextReleaseState } from '../domain/state-machine';
import { parseVersion } from '../domain/version';
import type { LockHolder, LockScope } from '../ports/lock';
import { appendAudit } from './audit-trail';
import { bestEffort } from './best-effort';
import type { ReleaseServiceDeps } from './release-service';
import { BOT } from './rollback-proposals';
import { recordOverride, scheduleGate } from './release-policy';
import { updateRelease } from './update-release';

export interface ReleaseRequest {
  version: string;
  app?: string;
  environment?: string;
  type?: ReleaseType;
  requestedBy: string;
  /**
   * Break-glass: the requester's reason to release against the environment's
   * schedule. Whether they may is the front end's to check (Authorizer,
   * 'override') before it asks; it is recorded only when the schedule refuses.
   */
  override?: string;
  /** `/deploy promote`: the earlier environment's release this one promotes. */
  promotedFrom?: { releaseId: string; environment: string };
  /** Checklist items deploybot ticks at creation, with the note saying why (promotion's proof). */
  ticks?: Release['checklist'];
}

/**
 * Opening a release: validate, take the app's lock, store the release, post
 * its message, queue its preflight. Bad input writes nothing; a request that
 * Redis drops half-way is withdrawn, so that "nothing was started" stays true.
 */
export class ReleaseRequests {
  constructor(
    private readonly deps: ReleaseServiceDeps,
    /** ReleaseService.lockedError: the refusal that names who holds the lock. */
    private readonly lockedError: (scope: LockScope, holder: LockHolder) => Promise<LockedError>,
  ) {}

  async request(input: ReleaseRequest): Promise<Release> {
    const { config, store, locks, clock } = this.deps;
    const version = parseVersion(input.version);
    const target = resolveTarget(config, input.app, input.environment);
    const type = input.type ?? 'minor';
    const now = clock.now();
    const id = newReleaseId(now, this.deps.random ?? Math.random);
    const scope = { app: target.app, environment: target.environment };
    // The schedule refuses before anything is taken or written; an override is recorded on the release.
    const gate = scheduleGate(target, type, now, input.override);

    // A reservation as long as a running release's lease, not startTimeout: if Redis
    // goes away before the release is stored, the lock of a release that never
    // existed lapses in minutes, not hours. Once stored, the release is active and
    // the reconciler's heartbeat carries its lock to startTimeout.
    const lock = await locks.acquire(scope, id, config.engine.lockTtl);
    if (!lock.acquired) {
      await appendAudit(this.deps, {
        actor: input.requestedBy,
        action: 'release.refused',
        ...scope,
        detail: version,
      });
      throw await this.lockedError(scope, lock.holder);
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
      checklist: { ...(input.ticks ?? {}) },
      ...(input.promotedFrom ? { promotedFrom: input.promotedFrom } : {}),
      ...(gate.overrode !== undefined && input.override !== undefined
        ? { override: { by: input.requestedBy, reason: input.override, overrode: gate.overrode, at: now } }
        : {}),
    };
    try {
      await store.create(release);
    } catch (error) {
      await bestEffort(this.deps.logger, 'lock release', () => locks.release(scope, id));
      throw error;
    }
    try {
      await appendAudit(this.deps, {
        actor: input.requestedBy,
        action: 'release.requested',
        ...scope,
        releaseId: id,
        detail: `${version} (${type})`,
      });
      // The message is posted before any step runs, so every later update has a message to edit.
      await bestEffort(this.deps.logger, 'chat create', () => this.deps.chat.releaseCreated(release));
      await recordOverride(this.deps, release);
      // Preflight runs now: its results tick the checklist people look at before Start.
      const first = nextRunnableStep(release);
      if (first && RUNS_BEFORE_START.includes(first.name)) await this.deps.queue.enqueue(id, first.name);
      await locks.heartbeat(scope, id, lockTtlFor(release, clock.now(), config.engine));
      // The stored copy knows where chat put the message.
      return (await store.get(id)) ?? release;
    } catch (error) {
      // The requester is told nothing was started: make that true, as far as Redis lets us.
      await this.abandon(release, error);
      throw error;
    }
  }

  /**
   * Withdraws a release whose request failed half-way (Redis went away after it
   * was stored): cancelled by deploybot, lock freed. When even that cannot be
   * written, the reconciler meets it later — it queues its missing preflight and
   * expires it after startTimeout — and the log names it.
   */
  private async abandon(release: Release, cause: unknown): Promise<void> {
    const { store, locks, clock, logger } = this.deps;
    try {
      let applied = false;
      const withdrawn = await updateRelease(store, release.id, (r) => {
        applied = false;
        if (r.state !== 'awaiting_start' || r.startedAt !== undefined) return undefined;
        r.state = nextReleaseState(r.state, 'cancel');
        r.cancelledBy = BOT;
        r.endedAt = clock.now();
        r.updatedAt = clock.now();
        applied = true;
        return r;
      });
      await locks.release({ app: release.app, environment: release.environment }, release.id);
      // Its message, if it was posted, must not go on inviting ticks.
      if (applied) await bestEffort(logger, 'chat finish', () => this.deps.chat.releaseFinished(withdrawn));
    } catch (error) {
      logger.error(
        { releaseId: release.id, err: error, cause },
        'a release whose request failed could not be withdrawn; the reconciler will expire it',
      );
    }
  }
}
