import type { AuditRecord, LogEvent, LogEventKind } from './deployment-log';
import type { Release } from './release';

/**
 * Audit actions whose facts the release record already holds; the log takes
 * them from the record (it has the exact times) and skips the audit copy.
 * `checklist.tick` is merged separately: the record keeps only the last tick.
 */
const TOLD_BY_RECORD: ReadonlySet<string> = new Set([
  'release.requested',
  'release.queued',
  'release.override',
  'release.reviewed',
  'release.started',
  'release.cancelled',
  'release.succeeded',
  'release.failed',
  'release.expired',
  'release.rolled_back',
  'rollback.proposed',
  'rollback.downgrade.proposed',
  'rollback.restore.proposed',
  'rollback.approved',
  'rollback.restore.approved',
  'rollback.restore.confirmed_once',
  'rollback.withdrawn',
  'rollback.expired',
  'rollback.superseded',
]);

/**
 * Audit entries the record does not tell. Of the checklist's, the newest tick
 * of an item by the person the record names is the record's own tick; earlier
 * ticks (since unticked) and unticks are kept.
 */
export function auditEvents(release: Release, audit: readonly AuditRecord[]): LogEvent[] {
  const recorded = new Set(Object.entries(release.checklist).map(([item, t]) => `${item}\u0000${t.by}`));
  const events: LogEvent[] = [];
  for (const entry of [...audit].sort((a, b) => b.at - a.at)) {
    if (TOLD_BY_RECORD.has(entry.action)) continue;
    if (entry.action === 'checklist.tick') {
      const what = tickWords(entry, recorded);
      if (what) events.push({ at: entry.at, who: entry.actor, kind: 'checklist', what });
      continue;
    }
    events.push({ at: entry.at, who: entry.actor, kind: auditKind(entry.action), what: auditWords(entry) });
  }
  return events;
}

/** `+item -item` → "ticked a; unticked b", leaving out the ticks the record holds. */
function tickWords(entry: AuditRecord, recorded: Set<string>): string {
  const ticked: string[] = [];
  const unticked: string[] = [];
  for (const change of (entry.detail ?? '').split(/\s+/).filter(Boolean)) {
    const item = change.replace(/^[+-]/, '');
    if (change.startsWith('-')) unticked.push(item);
    else if (!recorded.delete(`${item}\u0000${entry.actor}`)) ticked.push(item);
  }
  return [
    ticked.length ? `ticked ${ticked.join(', ')}` : '',
    unticked.length ? `unticked ${unticked.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

function auditKind(action: string): LogEventKind {
  return action.startsWith('refused') || action.endsWith('override') ? 'issue' : 'audit';
}

function auditWords(entry: AuditRecord): string {
  if (entry.action === 'checklist.override') {
    return `started with required checklist items unticked: ${entry.detail ?? ''}`;
  }
  const action = entry.action.replace(/[._]/g, ' ');
  return entry.detail ? `${action}: ${entry.detail}` : action;
}
