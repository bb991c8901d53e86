import { randomUUID } from 'node:crypto';
import type { Logger } from '../logging/logger';
import type { RunLeases } from '../ports/run-lease';

/**
 * The step runs this worker has in progress, by job id, with the owner token
 * of each run's lease. BullMQ renews the job locks of a live worker; when it
 * has, `renewed` extends the leases of the same runs, so a run's lease lives
 * exactly as long as its job lock does: a killed (or frozen) worker stops
 * renewing both at once, and the worker that takes the job over finds the
 * lease lapsed at about the moment it gets the job.
 */
export class RunningSteps {
  private readonly runs = new Map<string, { releaseId: string; owner: string }>();

  constructor(
    private readonly leases: RunLeases,
    private readonly ttlMs: number,
    private readonly logger: Logger,
  ) {}

  /** Records a run of `jobId`; returns its lease owner (the job's lock token when there is one). */
  begin(jobId: string | undefined, releaseId: string, token: string | undefined): string {
    const owner = token ?? randomUUID();
    if (jobId !== undefined) this.runs.set(jobId, { releaseId, owner });
    return owner;
  }

  end(jobId: string | undefined): void {
    if (jobId !== undefined) this.runs.delete(jobId);
  }

  /** BullMQ's `locksRenewed`: these jobs' locks were extended just now. */
  async renewed(jobIds: readonly string[]): Promise<void> {
    await Promise.all(
      jobIds.map(async (jobId) => {
        const run = this.runs.get(jobId);
        if (!run) return;
        try {
          // A lost lease stays lost; the run finds out before its next side effect.
          await this.leases.confirm(run.releaseId, run.owner, this.ttlMs);
        } catch (err) {
          this.logger.warn({ err, releaseId: run.releaseId }, 'could not renew a run lease');
        }
      }),
    );
  }
}
