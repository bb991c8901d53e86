import { deploymentLog, type DeploymentLog } from '../domain/deployment-log';
import { InvalidRequestError } from '../domain/errors';
import type { Release } from '../domain/release';
import type { AuditLog } from '../ports/audit-log';
import type { ReleaseStore } from '../ports/release-store';

/**
 * Gathers what a deployment log is made of: the release, the releases that
 * revert it (found in its app's history, which lists newest first, so the
 * search stops at the release itself), and its audit entries.
 */
export interface DeploymentLogSources {
  store: ReleaseStore;
  audit: AuditLog;
}

/**
 * More audit entries than any one release makes (a request, a few dozen
 * ticks, a start, an end); the audit stream is read newest first until this
 * many match or it ends.
 */
const MAX_AUDIT_ENTRIES = 1000;
/** The first page of an app's history; each further read asks for twice as many. */
const FIRST_PAGE = 100;

export async function deploymentLogOf(
  sources: DeploymentLogSources,
  releaseId: string,
): Promise<DeploymentLog> {
  const release = await sources.store.get(releaseId);
  if (!release) throw new InvalidRequestError('unknown_release', `no release ${releaseId}`);
  const [rollbacks, audit] = await Promise.all([
    rollbacksOf(sources.store, release),
    sources.audit.recent(MAX_AUDIT_ENTRIES, { releaseId }),
  ]);
  return deploymentLog(release, rollbacks, audit);
}

/**
 * The logs of every release of `apps` created at or after `since`, newest
 * first, for the export. They are built from the release records alone: the
 * audit stream has no index by time or release, so reading it once per
 * release would cost the whole stream a thousand times over; what the audit
 * alone knows (unticks, refusals) is in `deploybot log <id>`.
 */
export async function deploymentLogsSince(
  store: ReleaseStore,
  apps: readonly string[],
  since: number,
): Promise<DeploymentLog[]> {
  const logs: DeploymentLog[] = [];
  for (const app of apps) {
    const releases = await releasesSince(store, app, since);
    // Rollbacks are newer than what they revert, so a release's are in this list too.
    const rollbacks = new Map<string, Release[]>();
    for (const r of releases) {
      const of = r.rollbackOf?.releaseId;
      if (of !== undefined) rollbacks.set(of, [...(rollbacks.get(of) ?? []), r]);
    }
    for (const release of releases) {
      logs.push(deploymentLog(release, rollbacks.get(release.id) ?? [], []));
    }
  }
  return logs.sort((a, b) => b.requestedAt - a.requestedAt);
}

/**
 * An app's releases created at or after `since`, newest first. The store
 * pages only by count, so the page grows until it reaches past `since` or
 * holds the whole history: at most twice the reads of an exact range.
 */
export async function releasesSince(store: ReleaseStore, app: string, since: number): Promise<Release[]> {
  for (let limit = FIRST_PAGE; ; limit *= 2) {
    const page = await store.history(app, { limit });
    const oldest = page.at(-1);
    if (page.length < limit || (oldest !== undefined && oldest.createdAt < since)) {
      return page.filter((r) => r.createdAt >= since);
    }
  }
}

/** Releases of the app that revert `release`: its rollback and any database rollbacks. */
async function rollbacksOf(store: ReleaseStore, release: Release): Promise<Release[]> {
  const newer = await releasesSince(store, release.app, release.createdAt);
  return newer.filter((r) => r.rollbackOf?.releaseId === release.id);
}
