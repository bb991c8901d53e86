import { randomUUID } from 'node:crypto';
import type { Config } from '../config/schema';
import { resolveTarget } from '../config/target';
import { formatDuration } from '../domain/duration';
import { DeploybotError } from '../domain/errors';
import { mayRunStep } from '../domain/plan';
import { lockTtlFor } from '../domain/reconcile';
import {
  findStep,
  isFinished,
  nextRunnableStep,
  type Release,
  type StepError,
  type StepName,
} from '../domain/release';
import { nextReleaseState, nextStepState } from '../domain/state-machine';
import { isTransientError } from '../aws/transient';
import type { Logger } from '../logging/logger';
import type { AuditLog } from '../ports/audit-log';
import type { Clock } from '../ports/clock';
import type { FollowUpScheduler } from '../ports/follow-ups';
import type { LockService } from '../ports/lock';
import type { ReleaseChat } from '../ports/release-chat';
import type { ReleaseStore } from '../ports/release-store';
import type { RunLeases } from '../ports/run-lease';
import { STEP_HANDLERS } from '../steps';
import type { StepHandler, StepPorts } from '../steps/step-handler';
import { bestEffort } from './best-effort';
import { LeaseLostError, LockLostError, RunContext } from './run-context';
import { updateRelease } from './update-release';

export interface EngineDeps {
  config: Config;
  store: ReleaseStore;
  locks: LockService;
  audit: AuditLog;
  chat: ReleaseChat;
  ports: StepPorts;
  clock: Clock;
  logger: Logger;
  handlers?: Record<StepName, StepHandler>;
  isTransient?: (error: unknown) => boolean;
  followUps?: FollowUpScheduler;
  /** One run per release at a time; see RunLeases. */
  runLeases: RunLeases;
  /** How long a run's lease outlives its last renewal: the queue's job lock duration. */
  runLeaseTtlMs: number;
}

/** What the queue should do after one run of a step. */
export type StepRunResult =
  | { kind: 'next'; step: StepName }
  | { kind: 'wait'; delayMs: number }
  | { kind: 'retry'; error: unknown }
  | { kind: 'completed' }
  | { kind: 'failed'; error: StepError }
  | { kind: 'ignored'; reason: string }
  /** A step that runs before Start finished; the rest waits for a person. */
  | { kind: 'parked' }
  /** Another run of this release holds its lease (a stalled run not yet expired): try again then. */
  | { kind: 'lease_busy'; retryInMs: number }
  /** This run's lease went to another run: it stopped without acting, and that run carries on. */
  | { kind: 'lease_lost' };

export interface RunOptions {
  finalAttempt: boolean;
  /** The run's owner token for its lease (the queue job's lock token); random when absent. */
  runToken?: string;
}

/** A run's hold on its release's lease. */
interface HeldLease {
  confirm(): Promise<boolean>;
}

/**
 * Runs one step of one release, once. Knows nothing of BullMQ: the job processor
 * turns the result into queue operations. Safe to call again for the same step
 * at any time (a redelivered or resumed job): finished steps are not rerun, and
 * each step handler observes AWS before it acts.
 */
export class StepRunner {
  private readonly handlers: Record<StepName, StepHandler>;
  private readonly isTransient: (error: unknown) => boolean;
  /** Set by the engine once the release service exists (it needs the runner's queue first). */
  rollbackProposer?: (release: Release, reason: string) => Promise<string>;
  /** Set by the engine: withdraws a proposal the monitoring window ended healthy on. */
  rollbackWithdrawer?: (proposalId: string, reason: string) => Promise<void>;
  /** Set by the engine: after a rollback ends, offers what the database needs next. */
  afterRollback?: (release: Release) => Promise<unknown>;

  constructor(private readonly deps: EngineDeps) {
    this.handlers = deps.handlers ?? STEP_HANDLERS;
    this.isTransient = deps.isTransient ?? isTransientError;
  }

  /**
   * Runs the step under the release's run lease: taken first (or the run waits
   * for the one holding it), confirmed before every side effect and before the
   * outcome is written, and given up when the run returns, so that the next
   * step's job, queued right after, finds it free.
   */
  async run(releaseId: string, stepName: StepName, options: RunOptions): Promise<StepRunResult> {
    const { runLeases, runLeaseTtlMs: ttl } = this.deps;
    const owner = options.runToken ?? randomUUID();
    const taken = await runLeases.take(releaseId, owner, ttl);
    if (!taken.taken) return { kind: 'lease_busy', retryInMs: taken.retryInMs };
    const lease: HeldLease = { confirm: () => runLeases.confirm(releaseId, owner, ttl) };
    try {
      return await this.runHeld(releaseId, stepName, options, lease);
    } finally {
      await bestEffort(this.deps.logger, 'give up run lease', () => runLeases.give(releaseId, owner));
    }
  }

  private async runHeld(
    releaseId: string,
    stepName: StepName,
    options: RunOptions,
    lease: HeldLease,
  ): Promise<StepRunResult> {
    const { store, clock } = this.deps;
    const release = await store.get(releaseId);
    if (!release) return { kind: 'ignored', reason: 'release not found' };
    if (!mayRunStep(release.state, stepName))
      return { kind: 'ignored', reason: `release is ${release.state}` };
    const step = findStep(release, stepName);
    if (step.state === 'succeeded' || step.state === 'skipped') return this.afterStep(release, stepName);
    if (step.state === 'failed') return { kind: 'ignored', reason: 'step already failed' };

    let env;
    let requiredEnv;
    try {
      env = resolveTarget(this.deps.config, release.app, release.environment).config;
      if (env.requireSuccessIn)
        requiredEnv = resolveTarget(this.deps.config, release.app, env.requireSuccessIn).config;
    } catch (error) {
      return this.fail(releaseId, stepName, toStepError(error));
    }
    if (!(await this.holdLock(release))) {
      return this.fail(releaseId, stepName, {
        code: 'lock_lost',
        message: `the lock on ${release.app}/${release.environment} lapsed and was taken by someone else`,
      });
    }

    const wasPending = step.state === 'pending';
    const begun = await updateRelease(store, releaseId, (r) => {
      const s = findStep(r, stepName);
      if (!mayRunStep(r.state, stepName) || s.state === 'succeeded' || s.state === 'failed') return undefined;
      s.state = nextStepState(s.state, 'begin');
      s.runs += 1;
      s.startedAt ??= clock.now();
      r.updatedAt = clock.now();
      return r;
    });
    if (!mayRunStep(begun.state, stepName)) return { kind: 'ignored', reason: `release is ${begun.state}` };
    if (wasPending)
      await bestEffort(this.deps.logger, 'chat update', () => this.deps.chat.releaseUpdated(begun));

    const handler = this.handlers[stepName];
    const context = new RunContext(
      begun,
      stepName,
      env,
      this.deps,
      (id, change) => updateRelease(store, id, change),
      {
        post: (release, step, lines) =>
          bestEffort(this.deps.logger, 'chat post', () => this.deps.chat.stepDetail(release, step, lines)),
        proposeRollback: (release, reason) => {
          if (!this.rollbackProposer) throw new Error('no rollback proposer wired');
          return this.rollbackProposer(release, reason);
        },
        withdrawRollback: async (proposalId, reason) => {
          if (!this.rollbackWithdrawer) throw new Error('no rollback withdrawer wired');
          await this.rollbackWithdrawer(proposalId, reason);
        },
        beforeSideEffect: async (current) => {
          if (!(await lease.confirm())) throw new LeaseLostError(releaseId, stepName);
          if (!(await this.holdLock(current))) throw new LockLostError(current);
        },
      },
      requiredEnv,
    );
    const log = this.deps.logger.child({ releaseId, step: stepName });
    let outcome;
    try {
      outcome = await handler.run(context);
    } catch (error) {
      // A run overtaken by another neither retries nor fails the release: the other run decides.
      if (error instanceof LeaseLostError || !(await lease.confirm())) return this.leaseLost(log);
      if (!(error instanceof DeploybotError) && this.isTransient(error) && !options.finalAttempt) {
        log.warn({ err: error }, 'transient error; the step will be retried');
        return { kind: 'retry', error };
      }
      return this.fail(releaseId, stepName, toStepError(error));
    }

    if (!(await lease.confirm())) return this.leaseLost(log);
    const startedAt = findStep(context.release, stepName).startedAt ?? clock.now();
    if (outcome.kind === 'wait') {
      const timeout = handler.timeoutMs(env);
      if (clock.now() - startedAt > timeout) {
        return this.fail(releaseId, stepName, {
          code: 'step_timeout',
          message: `${stepName} did not finish within ${formatDuration(timeout)}: ${outcome.note}`,
        });
      }
      // A step may have recorded its note itself before a thread post (monitoring does): new is
      // what this run changed.
      const noted = findStep(begun, stepName).progress.note !== outcome.note;
      let written = false;
      const waiting = await updateRelease(store, releaseId, (r) => {
        written = false;
        const s = findStep(r, stepName);
        if (!mayRunStep(r.state, stepName) || s.state !== 'running') return undefined;
        written = true;
        s.state = nextStepState(s.state, 'wait');
        s.progress.note = outcome.note;
        r.updatedAt = clock.now();
        return r;
      });
      log.debug({ note: outcome.note }, 'waiting');
      // The message shows the note (monitoring's sample count and verdict): a new one is worth
      // an update, which the chat coalesces however often samples come.
      if (noted && written)
        await bestEffort(log, 'chat update', () => this.deps.chat.releaseUpdated(waiting));
      return { kind: 'wait', delayMs: outcome.delayMs ?? this.deps.config.engine.pollInterval };
    }

    const done = await updateRelease(store, releaseId, (r) => {
      const s = findStep(r, stepName);
      if (!mayRunStep(r.state, stepName) || s.state !== 'running') return undefined;
      s.state = nextStepState(s.state, 'succeed');
      s.finishedAt = clock.now();
      s.summary = outcome.summary;
      if (outcome.details) s.details = outcome.details;
      delete s.progress.note;
      r.updatedAt = clock.now();
      return r;
    });
    log.info({ summary: outcome.summary }, 'step succeeded');
    await bestEffort(log, 'chat detail', () =>
      this.deps.chat.stepDetail(done, stepName, [outcome.summary, ...(outcome.details ?? [])]),
    );
    await bestEffort(log, 'chat update', () => this.deps.chat.releaseUpdated(done));
    if (done.state === 'awaiting_start') return { kind: 'parked' };
    if (done.state !== 'running') return { kind: 'ignored', reason: `release is ${done.state}` };
    return this.afterStep(done, stepName);
  }

  private leaseLost(log: Logger): StepRunResult {
    log.warn('another run took over this release; this one stops without acting');
    return { kind: 'lease_lost' };
  }

  private async afterStep(release: Release, stepName: StepName): Promise<StepRunResult> {
    const next = nextRunnableStep(release, stepName);
    if (next) return { kind: 'next', step: next.name };
    return this.complete(release.id);
  }

  private async complete(releaseId: string): Promise<StepRunResult> {
    const { store, clock } = this.deps;
    const finished = await updateRelease(store, releaseId, (r) => {
      if (r.state !== 'running') return undefined;
      r.state = nextReleaseState(r.state, 'complete');
      r.endedAt = clock.now();
      r.updatedAt = clock.now();
      return r;
    });
    if (finished.state !== 'succeeded') return { kind: 'ignored', reason: `release is ${finished.state}` };
    await this.endRelease(finished, 'release.succeeded', `${finished.version} released`);
    await this.scheduleFollowUps(finished);
    return { kind: 'completed' };
  }

  /** Fails the release at once: the step, the release, the lock and the chat. */
  async fail(releaseId: string, stepName: StepName, error: StepError): Promise<StepRunResult> {
    const { store, clock } = this.deps;
    // Only the call that moves the release to failed reports it: the queue's own
    // failure handler may call again for the same step.
    let reported = false;
    const failed = await updateRelease(store, releaseId, (r) => {
      reported = false;
      // Rolled back is as final as the rest: the queue's failure handler may still call.
      if (isFinished(r)) return undefined;
      reported = true;
      const s = findStep(r, stepName);
      if (s.state !== 'succeeded' && s.state !== 'skipped' && s.state !== 'failed') {
        s.state = nextStepState(s.state, 'fail');
        s.error = error;
        s.finishedAt = clock.now();
      }
      r.state = nextReleaseState(r.state, 'fail');
      r.failure = { ...error, step: stepName };
      r.endedAt = clock.now();
      r.updatedAt = clock.now();
      return r;
    });
    if (!reported) return { kind: 'ignored', reason: `release is ${failed.state}` };
    this.deps.logger.error({ releaseId, step: stepName, code: error.code }, error.message);
    await bestEffort(this.deps.logger, 'chat detail', () =>
      this.deps.chat.stepDetail(failed, stepName, [`${stepName} failed`, error.message]),
    );
    await this.endRelease(failed, 'release.failed', `${stepName}: ${error.code}`);
    return { kind: 'failed', error };
  }

  private async endRelease(release: Release, action: string, detail: string): Promise<void> {
    const { locks, audit, chat, clock, logger } = this.deps;
    const scope = { app: release.app, environment: release.environment };
    if (release.rollbackOf && !release.rollbackOf.database) {
      // After a rollback nobody deploys again by accident: someone looks, then unlocks.
      // The manual lock goes on before the release lock comes off, so there is no gap.
      // Why, not what to do: the announcement and the refusals give the unlock command themselves.
      const reason = `rolled back ${release.rollbackOf.version} (release ${release.rollbackOf.releaseId})`;
      const lock = { by: 'deploybot', reason, at: clock.now() };
      await locks.lockManually(scope, lock.by, lock.reason, lock.at);
      // Said where people look, or the next /deploy meets a lock nobody announced.
      await bestEffort(logger, 'chat lock', () => chat.appLocked(release, lock));
    }
    await locks.release(scope, release.id);
    await audit.append({
      at: clock.now(),
      actor: 'deploybot',
      action,
      app: release.app,
      environment: release.environment,
      releaseId: release.id,
      detail,
    });
    await bestEffort(logger, 'chat finish', () => chat.releaseFinished(release));
    const afterRollback = this.afterRollback;
    if (release.rollbackOf && afterRollback) {
      await bestEffort(logger, 'database rollback offer', () => afterRollback(release));
    }
  }

  /** The runbook's post-deployment summaries and review, as delayed jobs. */
  private async scheduleFollowUps(release: Release): Promise<void> {
    const scheduler = this.deps.followUps;
    if (!scheduler || release.rollbackOf) return;
    const monitoring = resolveTarget(this.deps.config, release.app, release.environment).config.monitoring;
    await bestEffort(this.deps.logger, 'follow-ups', async () => {
      for (const afterMs of monitoring.followUps)
        await scheduler.schedule({ releaseId: release.id, kind: 'summary', afterMs });
      await scheduler.schedule({ releaseId: release.id, kind: 'review', afterMs: monitoring.reviewAfter });
    });
  }

  /**
   * Extends the release's lock; re-takes it when it lapsed and nobody else took
   * it. Called when a run begins, before each side effect, and by the
   * reconciler's heartbeat whatever the release is waiting for.
   */
  async holdLock(release: Release): Promise<boolean> {
    const scope = { app: release.app, environment: release.environment };
    // Before Start the lock lasts as long as a release may wait for it.
    const ttl = lockTtlFor(release, this.deps.clock.now(), this.deps.config.engine);
    if (await this.deps.locks.heartbeat(scope, release.id, ttl)) return true;
    // A rollback took its lock over a manual lock (the one after a rollback, say): so it may again.
    const again = await this.deps.locks.acquire(scope, release.id, ttl, {
      overManualLock: release.rollbackOf !== undefined,
    });
    if (!again.acquired) return false;
    // The copy given may predate the release's end: a sweep that read it running, then heard
    // no heartbeat because the release had ended and freed its lock, would hold the scope in
    // a finished release's name for a whole lock TTL. Give such a lock straight back (which
    // also wakes the scope's queue).
    const current = await this.deps.store.get(release.id);
    if (!current || isFinished(current)) {
      await this.deps.locks.release(scope, release.id);
      return false;
    }
    return true;
  }
}

function toStepError(error: unknown): StepError {
  if (error instanceof DeploybotError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: error.name || 'error', message: error.message };
  return { code: 'error', message: String(error) };
}
