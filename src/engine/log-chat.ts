import type { Release, StepName } from '../domain/release';
import type { Logger } from '../logging/logger';
import type { QueueTurn, ReleaseChat } from '../ports/release-chat';

/** ReleaseChat that writes to the log, so the engine runs without Slack. */
export class LogChat implements ReleaseChat {
  constructor(private readonly logger: Logger) {}

  async releaseCreated(release: Release): Promise<void> {
    this.logger.info({ releaseId: release.id, ...where(release) }, 'release created');
  }

  async releaseUpdated(release: Release): Promise<void> {
    const steps = release.steps.map((s) => `${s.name}:${s.state}`).join(' ');
    this.logger.info({ releaseId: release.id, state: release.state, steps }, 'release updated');
  }

  async stepDetail(release: Release, step: StepName, lines: string[]): Promise<void> {
    this.logger.info({ releaseId: release.id, step, lines }, `${step} detail`);
  }

  async releaseFinished(release: Release): Promise<void> {
    this.logger.info(
      { releaseId: release.id, state: release.state, failure: release.failure, ...where(release) },
      `release ${release.state}`,
    );
  }

  async appLocked(release: Release, lock: { by: string; reason: string; at: number }): Promise<void> {
    this.logger.warn(
      { releaseId: release.id, ...where(release), lockedBy: lock.by, reason: lock.reason },
      `locked ${release.app}/${release.environment}: ${lock.reason}; unlock with /deploy unlock ${release.app} ${release.environment}`,
    );
  }

  async policyOverridden(release: Release): Promise<void> {
    const o = release.override;
    this.logger.warn(
      { releaseId: release.id, ...where(release), overriddenBy: o?.by, overrode: o?.overrode, reason: o?.reason },
      'release policy overridden (break-glass)',
    );
  }

  async reviewRequested(release: Release): Promise<void> {
    this.logger.info({ releaseId: release.id, ...where(release) }, 'post-deployment review due');
  }

  async queueTurnCame(release: Release, turn: QueueTurn): Promise<void> {
    const said = turn.kind === 'started' ? 'started by itself: its checklist was completed while it waited' : 'its turn: press Start';
    this.logger.info({ releaseId: release.id, ...where(release), requestedBy: release.requestedBy, turn }, `queued release ${said}`);
  }

  async queuedReleaseSuperseded(release: Release, newer: { id: string; version: string }): Promise<void> {
    this.logger.warn(
      { releaseId: release.id, ...where(release), newerId: newer.id, newerVersion: newer.version },
      `queued ${release.version} was overtaken by ${newer.version}; it waits for its requester to run it anyway or cancel it`,
    );
  }
}

function where(release: Release) {
  return { app: release.app, environment: release.environment, version: release.version, type: release.type };
}
