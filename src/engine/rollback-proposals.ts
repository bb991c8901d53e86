import type { Config } from '../config/schema';
import { resolveTarget } from '../config/target';
import { InvalidRequestError } from '../domain/errors';
import { nextDatabaseRollback } from '../domain/database-rollback';
import { planDatabaseRollbackSteps, planRollbackSteps } from '../domain/plan';
import { stateSentence, type DatabaseRollback, type Release } from '../domain/release';
import { newReleaseId, restoreTargetFor } from '../domain/release-id';
import type { Logger } from '../logging/logger';
import type { AuditLog } from '../ports/audit-log';
import type { Clock } from '../ports/clock';
import type { ContainerPlatform } from '../ports/container-platform';
import type { FollowUpScheduler } from '../ports/follow-ups';
import type { LockService } from '../ports/lock';
import type { ReleaseChat } from '../ports/release-chat';
import type { ReleaseStore } from '../ports/release-store';
import { appendAudit } from './audit-trail';
import { bestEffort } from './best-effort';

/** What rollback orchestration needs: the release engine's ports plus ECS, to check a proposal is current. */
export interface RollbackDeps {
  config: Config;
  store: ReleaseStore;
  locks: LockService;
  audit: AuditLog;
  chat: ReleaseChat;
  clock: Clock;
  logger: Logger;
  platform: ContainerPlatform;
  random?: () => number;
  followUps?: FollowUpScheduler;
}

export interface ProposalRequest {
  app?: string;
  environment?: string;
  requestedBy: string;
  /** What fired, when monitoring proposes. */
  reason?: string;
  /** The release to revert; by default the latest one that changed a service. */
  releaseId?: string;
  /** Revert the database instead of the services: its own, separately approved proposal. */
  database?: DatabaseRollback['action'];
}

/** Who proposes when monitoring (or the engine after a rollback) does. */
export const BOT = 'deploybot';

/**
 * Making rollback proposals. A proposal changes nothing: it records what it
 * expects the services to run and the newest release it knew of, so that its
 * approval (RollbackDecisions) can refuse it once the world has moved on.
 */
export class RollbackProposals {
  constructor(private readonly deps: RollbackDeps) {}

  /**
   * Proposes pointing an app's services back at the revisions they ran before
   * its latest release that changed them. Proposing takes no lock.
   */
  async propose(input: ProposalRequest): Promise<Release> {
    const { config, store, clock } = this.deps;
    const target = resolveTarget(config, input.app, input.environment);
    if (input.database) return this.proposeDatabase({ ...input, database: input.database });
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
    // The services run what the reverted release pointed them at; a service it
    // changed without recording its target is not judged at approval.
    const expects: Record<string, string> = {};
    for (const service of Object.keys(reverted.facts.previousTaskDefinitions)) {
      const revision = reverted.facts.targetTaskDefinitions[service];
      if (revision) expects[service] = revision;
    }
    const release = this.rollbackRelease(
      newReleaseId(clock.now(), this.deps.random ?? Math.random),
      reverted,
      input,
      planRollbackSteps(),
      { ...reverted.facts.previousTaskDefinitions },
      { expects, newestReleaseId: recent[0]?.id },
    );
    return this.publish(release);
  }

  /**
   * Proposes reverting the database a release changed: its migration rollback
   * (run with that release's image), or restoring its pre-release snapshot into
   * a new database. One open proposal of each kind per release.
   */
  private async proposeDatabase(input: ProposalRequest & { database: DatabaseRollback['action'] }) {
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
        `${downgrade ? 'a migration rollback' : 'a snapshot restore'} of ${reverted.version} ${open.state === 'awaiting_start' ? 'is already proposed' : stateSentence(open)} (${open.id})`,
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
      // A database rollback touches no service, so it expects none; it is still superseded by a newer release.
      { expects: {}, newestReleaseId: recent[0]?.id },
      downgrade
        ? { action: 'downgrade' }
        : {
            action: 'restore',
            snapshotId: reverted.facts.snapshotId as string,
            restoreInto: restoreTargetFor(database?.id ?? '', id, database?.kind ?? 'instance'),
          },
    );
    return this.publish(release);
  }

  /** A rollback of `reverted` awaiting its approval: a hotfix-speed release with its own steps. */
  private rollbackRelease(
    id: string,
    reverted: Release,
    input: { requestedBy: string; reason?: string },
    steps: Release['steps'],
    targetTaskDefinitions: Record<string, string>,
    expected: { expects: Record<string, string>; newestReleaseId: string | undefined },
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
      proposal: {
        expects: expected.expects,
        ...(expected.newestReleaseId ? { newestReleaseId: expected.newestReleaseId } : {}),
      },
    };
  }

  /**
   * Stores a proposal, audits it, posts it and schedules the approvers'
   * reminder; a proposal made by a person also gets its expiry (rollback.proposalTtl).
   * Monitoring's own proposals are withdrawn by the monitor step instead.
   */
  private async publish(release: Release): Promise<Release> {
    const { store, followUps, logger } = this.deps;
    const of = release.rollbackOf;
    const settings = resolveTarget(this.deps.config, release.app, release.environment).config.rollback;
    await store.create(release);
    await appendAudit(this.deps, {
      actor: release.requestedBy,
      action: of?.database ? `rollback.${of.database.action}.proposed` : 'rollback.proposed',
      app: release.app,
      environment: release.environment,
      releaseId: release.id,
      detail: `of ${of?.releaseId} (${of?.version})`,
    });
    await bestEffort(logger, 'chat create', () => this.deps.chat.releaseCreated(release));
    await bestEffort(logger, 'reminder', async () =>
      followUps?.schedule({ releaseId: release.id, kind: 'remind-approvers', afterMs: settings.remindAfter }),
    );
    if (release.requestedBy !== BOT) {
      await bestEffort(logger, 'proposal expiry', async () =>
        followUps?.schedule({
          releaseId: release.id,
          kind: 'expire-proposal',
          afterMs: settings.proposalTtl,
        }),
      );
    }
    return (await store.get(release.id)) ?? release;
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
      return await this.propose({
        app: ended.app,
        environment: ended.environment,
        requestedBy: BOT,
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
}
