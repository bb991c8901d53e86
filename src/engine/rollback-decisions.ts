import { resolveTarget } from '../config/target';
import { person } from '../domain/authorization';
import { formatDuration } from '../domain/duration';
import { InvalidRequestError, LockedError } from '../domain/errors';
import { stateSentence, type ProposalClosing, type Release } from '../domain/release';
import { nextReleaseState } from '../domain/state-machine';
import type { LockHolder, LockScope } from '../ports/lock';
import { appendAudit } from './audit-trail';
import { bestEffort } from './best-effort';
import {
  isStale,
  newerStartedRelease,
  serviceDrift,
  supersededText,
  type Staleness,
} from '../domain/proposal-staleness';
import { BOT, type RollbackDeps } from './rollback-proposals';
import { updateRelease } from './update-release';

/**
 * Deciding rollback proposals. Approval is a compare-and-swap in two parts:
 * first the proposal must still describe the world (no newer release of the
 * app and environment started since, the services still run the revisions it
 * expected), else it is closed as superseded and nothing changes in ECS; then
 * one compare-and-set on the proposal's record claims the decision, so of many
 * concurrent clicks exactly one goes on to roll back.
 *
 * The release lock passes from the reverted release to its rollback in one
 * atomic handoff, before the reverted release is ended: there is no instant
 * at which the scope is free for another `/deploy`. Between the staleness
 * check and the handoff a newer release could still begin; it would hold the
 * app's lock, the handoff would be refused (LockedError), nothing would change
 * and the claim would be released.
 */
export class RollbackDecisions {
  constructor(
    private readonly deps: RollbackDeps,
    /** ReleaseService.start: takes the lock and queues the first step. */
    private readonly start: (releaseId: string, by: string) => Promise<Release>,
    /** ReleaseService.describeHolder: who holds a lock, in words. */
    private readonly describeHolder: (scope: LockScope, holder: LockHolder) => Promise<string>,
  ) {}

  /**
   * An approver's yes: the reverted release's lock is handed to the rollback
   * (atomically: no other release can take it in between), the reverted
   * release, if still in flight, is ended as rolled back, and the rollback
   * starts. A restore's first yes is only recorded (it asks twice).
   */
  async approve(rollbackId: string, by: string): Promise<Release> {
    const rollback = await this.get(rollbackId);
    if (!rollback.rollbackOf)
      throw new InvalidRequestError('not_a_rollback', `release ${rollbackId} is not a rollback`);
    refuseDecided(rollback);
    await this.refuseIfStale(rollback, by);
    const database = rollback.rollbackOf.database;
    if (database?.action === 'restore') {
      if (!database.confirmedBy) return this.confirmRestoreOnce(rollback, by);
      // The first button pressed again (a double click) is not the second confirmation.
      throw new InvalidRequestError(
        'already_confirmed',
        `the restore was confirmed once by ${database.confirmedBy.by}; it starts with its second confirmation`,
      );
    }
    const revertedId = rollback.rollbackOf.releaseId;
    let ended: Release | undefined;
    try {
      return await this.claimAndStart(rollback, by, async () => {
        // A database rollback leaves the reverted release as it is: its services were already dealt with.
        if (!database) {
          await this.takeOverLock(rollback, revertedId);
          ended = await this.markRolledBack(revertedId, rollback.id, by);
        }
        await this.audit(by, 'rollback.approved', rollback, revertedId);
      });
    } finally {
      // The reverted release's closing post and post-mortem reminder wait until
      // the rollback is queued: a paced Slack post must not stand between the
      // approver's click and ECS (it cost up to a second in bench/approve-latency.ts).
      if (ended) await this.afterRolledBack(ended);
    }
  }

  /** The second confirmation of a snapshot restore: it starts. */
  async confirmRestore(rollbackId: string, by: string): Promise<Release> {
    const rollback = await this.get(rollbackId);
    const database = rollback.rollbackOf?.database;
    if (database?.action !== 'restore') {
      throw new InvalidRequestError('not_a_restore', `release ${rollbackId} is not a snapshot restore`);
    }
    refuseDecided(rollback, 'restore');
    if (!database.confirmedBy) {
      throw new InvalidRequestError(
        'needs_first_confirmation',
        `restore ${rollbackId} needs its first confirmation`,
      );
    }
    await this.refuseIfStale(rollback, by);
    return this.claimAndStart(rollback, by, () =>
      this.audit(
        by,
        'rollback.restore.approved',
        rollback,
        `${database.snapshotId} into ${database.restoreInto}`,
      ),
    );
  }

  /**
   * Closes an undecided proposal in place: its message keeps its text, says it
   * was withdrawn and why, and loses its buttons. A no-op on a decided one.
   */
  async withdraw(rollbackId: string, reason: string): Promise<Release> {
    await this.get(rollbackId);
    const closing = { how: 'withdrawn' as const, text: `withdrawn: ${reason}` };
    return (await this.close(rollbackId, closing, BOT, 'rollback.withdrawn')).closed;
  }

  /** Closes a proposal nobody decided within `afterMs` (rollback.proposalTtl). A no-op on a decided one. */
  async expire(rollbackId: string, afterMs: number): Promise<Release> {
    await this.get(rollbackId);
    const closing = {
      how: 'expired' as const,
      text: `expired: nobody decided within ${formatDuration(afterMs)}`,
    };
    return (await this.close(rollbackId, closing, BOT, 'rollback.expired')).closed;
  }

  /** What has changed since the proposal was made; reads history and (for services) ECS, writes nothing. */
  async staleness(rollback: Release): Promise<Staleness> {
    const { store, config, platform } = this.deps;
    const history = await store.history(rollback.app, { environment: rollback.environment, limit: 50 });
    const newer = newerStartedRelease(rollback, history);
    const expects = rollback.proposal?.expects ?? {};
    const names = Object.keys(expects);
    if (rollback.rollbackOf?.database || names.length === 0)
      return { ...(newer ? { newer } : {}), drift: [] };
    const env = resolveTarget(config, rollback.app, rollback.environment).config;
    const services = await platform.describeServices(env.cluster, names);
    const running = Object.fromEntries(services.map((s) => [s.name, s.taskDefinition]));
    const revertedId = rollback.rollbackOf?.releaseId ?? '';
    const reverted = history.find((r) => r.id === revertedId) ?? (await store.get(revertedId));
    // A reverted release still rolling out may have left a service on the revision it moves away from.
    const inFlight = reverted?.state === 'awaiting_start' || reverted?.state === 'running';
    const drift = serviceDrift(expects, running, inFlight ? reverted.facts.previousTaskDefinitions : {});
    return { ...(newer ? { newer } : {}), drift };
  }

  /** Refuses (and closes, audited once) a proposal the world has moved past. */
  private async refuseIfStale(rollback: Release, by: string): Promise<void> {
    const staleness = await this.staleness(rollback);
    if (!isStale(staleness)) return;
    const closing = { how: 'superseded' as const, text: supersededText(staleness) };
    const { closed } = await this.close(rollback.id, closing, by, 'rollback.superseded');
    // Closed by us or by a concurrent click: refused as superseded. Claimed meanwhile: already decided.
    refuseDecided(closed);
    throw new InvalidRequestError(
      'superseded',
      `rollback ${rollback.id} was ${closing.text}; nothing was changed`,
    );
  }

  /**
   * The one compare-and-set that decides: only the click that sets
   * `proposal.approvedBy` on an undecided proposal goes on. When what follows
   * fails (the app's lock is held), the claim is released so that the proposal
   * can be approved again.
   */
  private async claimAndStart(
    rollback: Release,
    by: string,
    approved: () => Promise<void>,
  ): Promise<Release> {
    const { store, clock } = this.deps;
    let won = false;
    const claimed = await updateRelease(store, rollback.id, (r) => {
      won = false;
      if (r.state !== 'awaiting_start' || r.proposal?.approvedBy || r.proposal?.closed) return undefined;
      r.proposal = { expects: {}, ...r.proposal, approvedBy: { by, at: clock.now() } };
      r.updatedAt = clock.now();
      won = true;
      return r;
    });
    if (!won) {
      refuseDecided(claimed);
      throw new InvalidRequestError('already_decided', `rollback ${rollback.id} is already decided`);
    }
    try {
      await approved();
      return await this.start(rollback.id, by);
    } catch (error) {
      await this.releaseClaim(rollback.id, by);
      throw error;
    }
  }

  /**
   * The reverted release's lock becomes the rollback's in one step (see
   * LockService.handOver): whether the reverted release still holds it, it has
   * lapsed, or a manual lock is set. Only another release holding it refuses.
   * It comes before the reverted release is ended so that a refusal changes
   * nothing; a step of the reverted release that checks its lease in the
   * instant between finds it gone and stops, as it is about to be ended anyway.
   */
  private async takeOverLock(rollback: Release, revertedId: string): Promise<void> {
    const scope = { app: rollback.app, environment: rollback.environment };
    const ttl = this.deps.config.engine.lockTtl;
    const taken = await this.deps.locks.handOver(scope, revertedId, rollback.id, ttl);
    if (!taken.acquired) {
      throw new LockedError(await this.describeHolder(scope, taken.holder), taken.holder, scope);
    }
  }

  /**
   * Undoes a claim whose start failed, and frees the lock the rollback took
   * over (if any) while it is not running: a proposal back to undecided holds none.
   */
  private async releaseClaim(rollbackId: string, by: string): Promise<void> {
    let applied = false;
    const released = await updateRelease(this.deps.store, rollbackId, (r) => {
      applied = false;
      if (r.state !== 'awaiting_start' || r.proposal?.approvedBy?.by !== by) return undefined;
      delete r.proposal.approvedBy;
      r.updatedAt = this.deps.clock.now();
      applied = true;
      return r;
    });
    if (applied) {
      await this.deps.locks.release({ app: released.app, environment: released.environment }, rollbackId);
    }
    await bestEffort(this.deps.logger, 'chat update', () => this.deps.chat.releaseUpdated(released));
  }

  /**
   * Ends an undecided proposal as cancelled with its closing. Compare-and-set:
   * only the call that closes it audits and tells chat; the others get the
   * record as it is.
   */
  private async close(
    rollbackId: string,
    closing: Omit<ProposalClosing, 'at'>,
    actor: string,
    action: string,
  ): Promise<{ closed: Release; applied: boolean }> {
    const { store, clock } = this.deps;
    let applied = false;
    const closed = await updateRelease(store, rollbackId, (r) => {
      applied = false;
      if (r.state !== 'awaiting_start' || r.proposal?.approvedBy) return undefined;
      const now = clock.now();
      r.state = nextReleaseState(r.state, 'cancel');
      r.cancelledBy = BOT;
      r.endedAt = now;
      r.updatedAt = now;
      r.proposal = { expects: {}, ...r.proposal, closed: { ...closing, at: now } };
      applied = true;
      return r;
    });
    if (applied) {
      await this.audit(actor, action, closed, closing.text);
      await bestEffort(this.deps.logger, 'chat finish', () => this.deps.chat.releaseFinished(closed));
    }
    return { closed, applied };
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
    const database = confirmed.rollbackOf?.database;
    await this.audit(
      by,
      'rollback.restore.confirmed_once',
      confirmed,
      `${database?.snapshotId} into ${database?.restoreInto}`,
    );
    await bestEffort(this.deps.logger, 'chat update', () => this.deps.chat.releaseUpdated(confirmed));
    return confirmed;
  }

  /**
   * The reverted release ends as rolled back when still in flight (its lock was
   * already handed to the rollback), or keeps its state and learns which
   * rollback replaced it when it had already finished. Once per reverted release.
   */
  private async markRolledBack(
    releaseId: string,
    rollbackId: string,
    by: string,
  ): Promise<Release | undefined> {
    const { store, clock } = this.deps;
    if (!(await store.get(releaseId))) return undefined;
    let applied = false;
    const updated = await updateRelease(store, releaseId, (r) => {
      applied = false;
      if (r.rolledBackBy) return undefined;
      r.rolledBackBy = rollbackId;
      // Only a release this rollback ends learns who ended it.
      if (r.state === 'awaiting_start' || r.state === 'running') {
        r.state = nextReleaseState(r.state, r.state === 'running' ? 'roll_back' : 'cancel');
        r.cancelledBy = by;
        r.endedAt = clock.now();
      }
      r.updatedAt = clock.now();
      applied = true;
      return r;
    });
    if (!applied) return undefined;
    await this.audit(by, 'release.rolled_back', updated, `by rollback ${rollbackId}`);
    return updated;
  }

  /** Once a release was marked rolled back: its post-mortem reminder and its closing post, best effort. */
  private async afterRolledBack(ended: Release): Promise<void> {
    const { config, followUps, logger } = this.deps;
    const postmortemAfter = resolveTarget(config, ended.app, ended.environment).config.rollback
      .postmortemAfter;
    await bestEffort(logger, 'post-mortem reminder', async () =>
      followUps?.schedule({ releaseId: ended.id, kind: 'postmortem', afterMs: postmortemAfter }),
    );
    await bestEffort(logger, 'chat finish', () => this.deps.chat.releaseFinished(ended));
  }

  private async get(releaseId: string): Promise<Release> {
    const release = await this.deps.store.get(releaseId);
    if (!release) throw new InvalidRequestError('unknown_release', `no release ${releaseId}`);
    return release;
  }

  private async audit(actor: string, action: string, about: Release, detail: string): Promise<void> {
    await appendAudit(this.deps, {
      actor,
      action,
      app: about.app,
      environment: about.environment,
      releaseId: about.id,
      detail,
    });
  }
}

/**
 * Throws when the proposal is no longer undecided: closed (with the closing's
 * own code and words), claimed by another approval, or already started or ended.
 */
function refuseDecided(rollback: Release, noun = 'rollback'): void {
  const closed = rollback.proposal?.closed;
  if (closed) {
    throw new InvalidRequestError(
      closed.how,
      `${noun} ${rollback.id} was ${closed.text}; nothing was changed`,
    );
  }
  if (rollback.state !== 'awaiting_start') {
    throw new InvalidRequestError('already_decided', `${noun} ${rollback.id} ${stateSentence(rollback)}`);
  }
  const approved = rollback.proposal?.approvedBy;
  if (approved) {
    throw new InvalidRequestError(
      'already_decided',
      `${noun} ${rollback.id} was already approved by ${person(approved.by)} and is starting`,
    );
  }
}
