import type { Config, EnvironmentConfig } from '../config/schema';
import { resolveTarget } from '../config/target';
import { person } from '../domain/authorization';
import { InvalidRequestError, LockedError } from '../domain/errors';
import { CHECKLIST, isAutomated, missingForStart } from '../domain/checklist';
import { agoWords, busyDoing, freeAt, untilWords } from '../domain/free-at';
import { isFinished, nextRunnableStep, releaseKind, stateSentence, type Release } from '../domain/release';
import { nextReleaseState } from '../domain/state-machine';
import type { AuditLog } from '../ports/audit-log';
import type { Clock } from '../ports/clock';
import type { ContainerPlatform } from '../ports/container-platform';
import type { FollowUpScheduler } from '../ports/follow-ups';
import type { LockHolder, LockScope, LockService } from '../ports/lock';
import type { ReleaseChat } from '../ports/release-chat';
import type { ReleaseStore } from '../ports/release-store';
import type { StepQueue } from '../ports/step-queue';
import type { Logger } from '../logging/logger';
import { appendAudit } from './audit-trail';
import { bestEffort } from './best-effort';
import { releaseChecklist } from './release-checklist';
import { RollbackDecisions } from './rollback-decisions';
import { RollbackProposals, type ProposalRequest } from './rollback-proposals';
import { ReleaseRequests, type ReleaseRequest } from './release-requests';
import { releasesInFlight, type InFlight } from './release-overview';
import { scheduleGate } from './release-policy';
import { updateRelease } from './update-release';

export type { ReleaseRequest } from './release-requests';
export type { InFlight } from './release-overview';

export interface ReleaseServiceDeps {
  config: Config;
  store: ReleaseStore;
  locks: LockService;
  audit: AuditLog;
  chat: ReleaseChat;
  queue: StepQueue;
  clock: Clock;
  logger: Logger;
  /** ECS, read when a rollback is approved: does it still run what the proposal expected? */
  platform: ContainerPlatform;
  random?: () => number;
  followUps?: FollowUpScheduler;
}

/**
 * What people ask of releases: request one, start it, cancel it. Validates
 * everything before it writes anything, so bad input starts nothing, and takes
 * the app+environment lock first, so of two requests only one proceeds.
 */
export class ReleaseService {
  private readonly proposals: RollbackProposals;
  private readonly decisions: RollbackDecisions;
  private readonly requests: ReleaseRequests;

  constructor(private readonly deps: ReleaseServiceDeps) {
    this.requests = new ReleaseRequests(deps, (scope, holder) => this.lockedError(scope, holder));
    this.proposals = new RollbackProposals(deps);
    this.decisions = new RollbackDecisions(
      deps,
      (id, by) => this.start(id, by),
      (scope, holder) => this.describeHolder(scope, holder),
    );
  }

  /** Creates a release awaiting its start (the checklist), holding the lock; see ReleaseRequests. */
  async request(input: ReleaseRequest): Promise<Release> {
    return this.requests.request(input);
  }

  /**
   * Ticks or unticks manual checklist items while the release awaits its start.
   * Automated items are preflight's to tick and are ignored here. Only what the
   * winning write changed is audited and posted: an identical repeat (a double
   * click, concurrent identical clicks) changes nothing and is a silent no-op.
   */
  async tick(releaseId: string, by: string, changes: Record<string, boolean>): Promise<Release> {
    const { store, clock } = this.deps;
    const manual = new Set(CHECKLIST.filter((item) => !isAutomated(item)).map((item) => item.id));
    // Rebuilt on every attempt: after a lost CAS, what the retry applies to the fresh copy is what counts.
    const applied: string[] = [];
    const updated = await updateRelease(store, releaseId, (r) => {
      applied.length = 0;
      // A queued release's checklist may be ticked while it waits its turn.
      if (r.state !== 'awaiting_start' && r.state !== 'queued') return undefined;
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
    if (updated.state !== 'awaiting_start' && updated.state !== 'queued') {
      throw new InvalidRequestError(
        'checklist_closed',
        `release ${releaseId} ${stateSentence(updated)}; its checklist is closed`,
      );
    }
    if (applied.length > 0) {
      await this.audit(by, 'checklist.tick', updated, applied.join(' '));
      await bestEffort(this.deps.logger, 'chat update', () => this.deps.chat.releaseUpdated(updated));
    }
    return updated;
  }

  /**
   * Starts a release awaiting its start: its next step is queued. Every required
   * checklist item must be ticked, by people or by preflight; `override` (a
   * reason, audited) starts it anyway. One compare-and-set decides: of many
   * concurrent Starts exactly one audits, queues and posts; the others are
   * refused as `not_startable`.
   */
  async start(releaseId: string, by: string, options: { override?: string } = {}): Promise<Release> {
    const { store, clock, locks, config } = this.deps;
    const existing = await this.get(releaseId);
    refuseUnstartable(existing);
    // Checked before the lock is touched so that a plain refusal changes nothing; checked again in the CAS.
    const missing = this.missingForStart(existing);
    if (missing.length > 0 && !options.override) throw checklistIncomplete(missing);
    // The schedule holds at Start too: a release requested inside its window may be started after it
    // closed. A rollback is a remedy, never scheduled; a break-glass release carries its override.
    if (!existing.rollbackOf && !existing.override) {
      scheduleGate(resolveTarget(config, existing.app, existing.environment), existing.type, clock.now());
    }
    const scope = { app: existing.app, environment: existing.environment };
    // A manual lock stops deploys, not the remedy an approver chose.
    const lock = await locks.acquire(scope, releaseId, config.engine.lockTtl, {
      overManualLock: existing.rollbackOf !== undefined,
    });
    if (!lock.acquired) {
      throw await this.lockedError(scope, lock.holder);
    }
    let won = false;
    let skipped: ReturnType<typeof missingForStart> = [];
    const started = await updateRelease(store, releaseId, (r) => {
      won = false;
      if (r.state !== 'awaiting_start' || (r.rollbackOf && !r.proposal?.approvedBy)) return undefined;
      skipped = this.missingForStart(r);
      if (skipped.length > 0 && !options.override) return undefined;
      r.state = nextReleaseState(r.state, 'start');
      r.startedAt = clock.now();
      r.startedBy = by;
      r.updatedAt = clock.now();
      won = true;
      return r;
    });
    if (!won) {
      // A cancel won the race: its lock, just re-taken by us, must not outlive it.
      if (isFinished(started)) await locks.release(scope, releaseId);
      // Still waiting (an item was unticked meanwhile): it keeps its pre-start lease.
      if (started.state === 'awaiting_start') {
        await locks.heartbeat(scope, releaseId, config.engine.startTimeout);
        if (skipped.length > 0) throw checklistIncomplete(skipped);
      }
      refuseUnstartable(started);
      throw new InvalidRequestError('not_startable', `release ${releaseId} ${stateSentence(started)}`);
    }
    if (skipped.length > 0) {
      const items = skipped.map((m) => m.item.id).join(', ');
      await this.audit(by, 'checklist.override', started, `${options.override} [${items}]`);
    }
    const first = nextRunnableStep(started);
    if (first) await this.deps.queue.enqueue(releaseId, first.name);
    await this.audit(by, 'release.started', started, started.version);
    await bestEffort(this.deps.logger, 'chat update', () => this.deps.chat.releaseUpdated(started));
    return started;
  }

  /** Required items not yet ticked; a rollback has none (its approval is the approver pressing Start). */
  private missingForStart(release: Release): ReturnType<typeof missingForStart> {
    return release.rollbackOf ? [] : missingForStart(releaseChecklist(release, this.deps.config));
  }

  /** Proposes a rollback (services, or with `database` the database); see RollbackProposals. */
  async proposeRollback(input: ProposalRequest): Promise<Release> {
    return this.proposals.propose(input);
  }

  /**
   * An approver's yes, as one compare-and-swap: refused as `superseded` (and
   * the proposal closed) when the world moved past it, as `already_decided`
   * for every click but the first; see RollbackDecisions.
   */
  async approveRollback(rollbackId: string, by: string): Promise<Release> {
    return this.decisions.approve(rollbackId, by);
  }

  /** The second confirmation of a snapshot restore: it starts. */
  async confirmRestore(rollbackId: string, by: string): Promise<Release> {
    return this.decisions.confirmRestore(rollbackId, by);
  }

  /**
   * Closes an undecided proposal in place, audited `rollback.withdrawn` — e.g.
   * "the release stayed healthy after 15m; nothing to roll back". A no-op
   * (returning the record as it is) on a proposal already decided.
   */
  async withdrawProposal(rollbackId: string, reason: string): Promise<Release> {
    return this.decisions.withdraw(rollbackId, reason);
  }

  /** Closes a proposal nobody decided within `afterMs`, audited `rollback.expired`; a no-op once decided. */
  async expireProposal(rollbackId: string, afterMs: number): Promise<Release> {
    return this.decisions.expire(rollbackId, afterMs);
  }

  /** After a rollback ended: offers what the database needs next, as its own proposal. */
  async offerDatabaseRollback(ended: Release): Promise<Release | undefined> {
    return this.proposals.offerDatabaseRollback(ended);
  }

  /**
   * Ends a release that has not finished. Work already handed to AWS (a rollout,
   * a migration task) keeps going there; no further step starts. One
   * compare-and-set decides: of concurrent cancels (or rejections of a
   * proposal) exactly one audits, frees the lock and posts; the others are
   * refused. A proposal an approver has claimed is refused as `already_decided`.
   */
  async cancel(releaseId: string, by: string): Promise<Release> {
    const { store, clock, locks } = this.deps;
    refuseUncancellable(await this.get(releaseId));
    let won = false;
    const cancelled = await updateRelease(store, releaseId, (r) => {
      won = false;
      if (isFinished(r) || isClaimedProposal(r)) return undefined;
      r.state = nextReleaseState(r.state, 'cancel');
      r.cancelledBy = by;
      r.endedAt = clock.now();
      r.updatedAt = clock.now();
      won = true;
      return r;
    });
    if (!won) {
      refuseUncancellable(cancelled);
      throw new InvalidRequestError(
        'not_cancellable',
        `release ${releaseId} ${stateSentence(cancelled)}; there is nothing to cancel`,
      );
    }
    await locks.release({ app: cancelled.app, environment: cancelled.environment }, releaseId);
    await this.audit(by, 'release.cancelled', cancelled, cancelled.version);
    await bestEffort(this.deps.logger, 'chat finish', () => this.deps.chat.releaseFinished(cancelled));
    return cancelled;
  }

  async get(releaseId: string): Promise<Release> {
    const release = await this.deps.store.get(releaseId);
    if (!release) throw new InvalidRequestError('unknown_release', `no release ${releaseId}`);
    return release;
  }

  /**
   * Names who holds a lock, in words a person can act on: who locked it, why and
   * since when; or which release is busy with it, what it is doing, who asked
   * for it and — where the end is known — when it frees up. With lock groups the
   * holder may be a release of another app or environment: it is named.
   */
  async describeHolder(scope: LockScope, holder: LockHolder): Promise<string> {
    const where = `${scope.app}/${scope.environment}`;
    const now = this.deps.clock.now();
    if (holder.kind === 'manual') {
      return `${where} is locked by ${person(holder.by)}: ${holder.reason} (locked ${agoWords(holder.at, now)})`;
    }
    const other = await this.deps.store.get(holder.owner);
    if (!other) return `${where} is locked by release ${holder.owner}`;
    const elsewhere = `${other.app}/${other.environment}`;
    const of = elsewhere === where ? '' : ` of ${elsewhere}, which shares its lock group`;
    const what = other.rollbackOf ? `${releaseKind(other)} of ${other.rollbackOf.version}` : other.version;
    const busy = `${where} is busy with release ${other.id}${of} (${what}, ${busyDoing(other)}, requested by ${person(other.requestedBy)})`;
    const windows = environmentOf(this.deps.config, other)?.monitoring;
    const end = windows && freeAt(other, windows);
    return end === undefined
      ? busy
      : `${busy}; it frees up ${untilWords(end, now)}, when its monitoring window ends`;
  }

  /** The refusal for a lock someone else holds, naming the holder; see describeHolder. */
  async lockedError(scope: LockScope, holder: LockHolder): Promise<LockedError> {
    return new LockedError(await this.describeHolder(scope, holder), holder, scope);
  }

  /** What `/deploy status` and `deploybot status` show; see releasesInFlight. */
  inFlight(app?: string): Promise<InFlight> {
    return releasesInFlight(this.deps, app);
  }

  private async audit(actor: string, action: string, about: Release, detail: string): Promise<void> {
    const { app, environment, id: releaseId } = about;
    await appendAudit(this.deps, { actor, action, app, environment, releaseId, detail });
  }
}

/** A release that is not awaiting its start, or a rollback nobody approved, does not start. */
function refuseUnstartable(release: Release): void {
  if (release.state !== 'awaiting_start') {
    throw new InvalidRequestError(
      'not_startable',
      `release ${release.id} ${stateSentence(release)}; only a release awaiting its start can be started`,
    );
  }
  if (release.rollbackOf && !release.proposal?.approvedBy) {
    throw new InvalidRequestError(
      'not_startable',
      `rollback ${release.id} starts when an approver approves it, not with Start`,
    );
  }
}

function checklistIncomplete(missing: ReturnType<typeof missingForStart>): InvalidRequestError {
  const names = missing.map((m) =>
    m.state === 'pending' ? `${m.item.text} (preflight still checking)` : m.item.text,
  );
  return new InvalidRequestError('checklist_incomplete', `Start needs: ${names.join('; ')}`);
}

/** An approver's click has claimed this proposal; it is starting, and no longer anyone's to reject. */
function isClaimedProposal(release: Release): boolean {
  return release.state === 'awaiting_start' && release.proposal?.approvedBy !== undefined;
}

function refuseUncancellable(release: Release): void {
  if (isFinished(release)) {
    throw new InvalidRequestError(
      'not_cancellable',
      `release ${release.id} ${stateSentence(release)}; there is nothing to cancel`,
    );
  }
  const approved = release.proposal?.approvedBy;
  if (isClaimedProposal(release) && approved) {
    throw new InvalidRequestError(
      'already_decided',
      `rollback ${release.id} was already approved by ${person(approved.by)} and is starting`,
    );
  }
}

/** The configuration of a release's environment, if it is still configured. */
function environmentOf(config: Config, release: Release): EnvironmentConfig | undefined {
  const app = Object.hasOwn(config.apps, release.app) ? config.apps[release.app] : undefined;
  return app && Object.hasOwn(app.environments, release.environment)
    ? app.environments[release.environment]
    : undefined;
}
