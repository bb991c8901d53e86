import type { AuditLog } from '../ports/audit-log';
import type { Clock } from '../ports/clock';

/** One audit entry about a release (or, without `releaseId`, about an app and environment), stamped now. */
export async function appendAudit(
  deps: { audit: AuditLog; clock: Clock },
  entry: {
    actor: string;
    action: string;
    app: string;
    environment: string;
    releaseId?: string;
    detail: string;
  },
): Promise<void> {
  await deps.audit.append({
    at: deps.clock.now(),
    actor: entry.actor,
    action: entry.action,
    app: entry.app,
    environment: entry.environment,
    ...(entry.releaseId ? { releaseId: entry.releaseId } : {}),
    detail: entry.detail,
  });
}
