import type { Config } from '../config/schema';
import {
  expiryText,
  holdsLock,
  reconcileAction,
  startExpired,
  stepToKeepMoving,
  type JobPresence,
  type ReconcileTiming,
} from '../domain/reconcile';
import type { Release, StepName } from '../domain/release';
import { nextReleaseState } from '../domain/state-machine';
import type { Logger } from '../logging/logger';
import type { AuditLog } from '../ports/audit-log';
import type { Clock } from '../ports/clock';
import type { LockService } from '../ports/lock';
import type { ReleaseChat } from '../ports/release-chat';
import type { ReleaseStore } from '../ports/release-store';
import { appendAudit } from './audit-trail';
import { bestEffort } from './best-effort';
import { updateRelease } from './update-release';

/** What the reconciler needs to know of the step queue (BullmqStepQueue). */
export interface StepJobs {
  presence(releaseId: string, step: StepName): Promise<JobPresence>;
  /** Queues the step; with `replaceFinished`, first removes its finished job, which would dedupe the add. */
  requeue(releaseId: string, step: StepName, replaceFinished: boolean): Promise<void>;
}

export interface ReconcilerDeps {
  config: Config;
  store: ReleaseStore;
  locks: LockService;
  audit: AuditLog;
  chat: ReleaseChat;
  jobs: StepJobs;
  clock: Clock;
  logger: Logger;
  /** Extends (or re-takes, when it lapsed and is free) a release's lock: StepRunner.holdLock. */
  holdLock(release: Release): Promise<boolean>;
}

/** What one sweep did, for logs and tests. */
export interface SweepReport {
  heartbeats: number;
  lostLocks: string[];
  expired: string[];
  requeued: { releaseId: string; step: StepName }[];
}

const BOT = 'deploybot';

/**
 * Keeps every active release moving whatever happened to the processes that
 * ran it. Each sweep, for each release running or awaiting Start:
 * - heartbeats its lock, so a release waiting ten minutes between two samples
 *   keeps its lock as surely as one running a step (the lock TTL is checked at
 *   start-up to outlast several sweeps: src/config/lease-timing.ts);
 * - expires it when nobody pressed Start within `engine.startTimeout`;
 * - queues its next job again when none is waiting, running or delayed (a job
 *   lost with a Redis failover, an enqueue that failed right after Start).
 *   Only for a release quiet for `quietMs` (see ReconcileTiming): a step
 *   handing over to the next writes the release, then queues the next job;
 *   a release written a moment ago may be in that gap. Queueing twice would be
 *   harmless anyway (same job id), but re-adding a step whose finished job was
 *   only about to be followed is not, so the quiet period decides.
 */
export class Reconciler {
  constructor(
    private readonly deps: ReconcilerDeps,
    private readonly timing: ReconcileTiming,
  ) {}

  async sweep(): Promise<SweepReport> {
    const report: SweepReport = { heartbeats: 0, lostLocks: [], expired: [], requeued: [] };
    for (const id of await this.deps.store.activeIds()) {
      try {
        await this.reconcile(id, report);
      } catch (err) {
        // One release's trouble (a store hiccup, a queue error) must not stop the others' sweep.
        this.deps.logger.warn({ err, releaseId: id }, 'could not reconcile a release');
      }
    }
    if (report.expired.length > 0 || report.requeued.length > 0 || report.lostLocks.length > 0) {
      this.deps.logger.info(report, 'reconciled releases');
    }
    return report;
  }

  private async reconcile(id: string, report: SweepReport): Promise<void> {
    const { store, clock } = this.deps;
    const release = await store.get(id);
    if (!release) {
      await store.forgetActive(id);
      return;
    }
    const now = clock.now();
    if (startExpired(release, now, this.timing.startTimeoutMs)) {
      if (await this.expire(id)) report.expired.push(id);
      return;
    }
    if (holdsLock(release)) {
      if (await this.deps.holdLock(release)) report.heartbeats += 1;
      // Someone else holds it now: the release's next run fails as lock_lost and says so.
      else report.lostLocks.push(id);
    }
    const step = stepToKeepMoving(release);
    const job = step ? await this.deps.jobs.presence(id, step) : undefined;
    const action = reconcileAction(release, job, now, this.timing);
    if (action.kind !== 'enqueue') return;
    await this.deps.jobs.requeue(id, action.step, action.replaceFinished);
    report.requeued.push({ releaseId: id, step: action.step });
  }

  /**
   * Cancels a release nobody started in time, as deploybot, and frees its lock.
   * A compare-and-set: a Start that lands first wins, and of concurrent sweeps
   * one expires it.
   */
  private async expire(id: string): Promise<boolean> {
    const { store, clock, locks, chat, logger } = this.deps;
    const afterMs = this.timing.startTimeoutMs;
    let won = false;
    const expired = await updateRelease(store, id, (r) => {
      won = false;
      const now = clock.now();
      if (!startExpired(r, now, afterMs)) return undefined;
      r.state = nextReleaseState(r.state, 'cancel');
      r.cancelledBy = BOT;
      r.expired = { afterMs, at: now };
      r.endedAt = now;
      r.updatedAt = now;
      won = true;
      return r;
    });
    if (!won) return false;
    const scope = { app: expired.app, environment: expired.environment };
    await locks.release(scope, id);
    const words = expiryText(afterMs);
    await appendAudit(this.deps, {
      actor: BOT,
      action: 'release.expired',
      ...scope,
      releaseId: id,
      detail: words,
    });
    const first = expired.steps[0]?.name ?? 'preflight';
    await bestEffort(logger, 'chat detail', () =>
      chat.stepDetail(expired, first, [
        `${expired.version} ${words}; ${scope.app}/${scope.environment} is free again.`,
      ]),
    );
    await bestEffort(logger, 'chat finish', () => chat.releaseFinished(expired));
    return true;
  }
}
