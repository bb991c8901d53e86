import type { DeploymentLog } from './deployment-log';
import { formatDuration } from './duration';
import { STEP_NAMES } from './release';

/**
 * A deployment log flattened into one row for the export (CSV or JSON lines):
 * scalar cells only, the same columns in the same order for every release, so
 * a spreadsheet or `jq` can line releases up. Times are ISO 8601 UTC; lists
 * (issues, rollbacks, follow-ups) are joined with " | ".
 */
export type LogCell = string | number | null;
export type LogRow = Record<string, LogCell>;

const JOIN = ' | ';

/** Every column, in order: the summary, one trio per step, then the review's answers. */
export const LOG_COLUMNS: readonly string[] = [
  'id',
  'app',
  'environment',
  'version',
  'kind',
  'state',
  'requested_by',
  'requested_at',
  'started_by',
  'started_at',
  'ended_at',
  'duration_s',
  'approved_by',
  'cancelled_by',
  'override_by',
  'override_reason',
  'override_overrode',
  'queued_by',
  'queued_why',
  'promoted_from',
  'rollback_of',
  'ticks',
  ...STEP_NAMES.flatMap((s) => [`${s}_state`, `${s}_started_at`, `${s}_finished_at`]),
  'issues',
  'rollbacks',
  'follow_ups',
  'review_by',
  'review_at',
  'review_went_well',
  'review_could_improve',
  'review_unexpected_issues',
  'review_follow_up_actions',
  'events',
];

export function deploymentLogRow(log: DeploymentLog): LogRow {
  const row: LogRow = Object.fromEntries(LOG_COLUMNS.map((c) => [c, null]));
  Object.assign(row, {
    id: log.id,
    app: log.app,
    environment: log.environment,
    version: log.version,
    kind: log.kind,
    state: log.state,
    requested_by: log.requestedBy,
    requested_at: iso(log.requestedAt),
    started_by: log.startedBy ?? null,
    started_at: iso(log.startedAt),
    ended_at: iso(log.endedAt),
    duration_s:
      log.startedAt !== undefined && log.endedAt !== undefined
        ? Math.round((log.endedAt - log.startedAt) / 1000)
        : null,
    approved_by: log.approvedBy?.by ?? null,
    cancelled_by: log.cancelledBy ?? null,
    override_by: log.override?.by ?? null,
    override_reason: log.override?.reason ?? null,
    override_overrode: log.override?.overrode ?? null,
    queued_by: log.queued?.queuedBy ?? null,
    queued_why: log.queued?.why ?? null,
    promoted_from: log.promotedFrom ? `${log.promotedFrom.environment} ${log.promotedFrom.releaseId}` : null,
    rollback_of: log.rollbackOf ? `${log.rollbackOf.version} ${log.rollbackOf.releaseId}` : null,
    ticks: joined(log.ticks.map((t) => `${t.item} by ${t.by}`)),
    issues: joined(log.issues),
    rollbacks: joined(
      log.rollbacks.map(
        (r) => `${r.kind} ${r.id} ${r.state}${r.approvedBy ? ` approved by ${r.approvedBy.by}` : ''}`,
      ),
    ),
    follow_ups: joined(log.followUps.map((f) => `+${formatDuration(f.afterMs)}: ${f.lines.join('; ')}`)),
    review_by: log.review?.by ?? null,
    review_at: iso(log.review?.at),
    review_went_well: log.review?.wentWell ?? null,
    review_could_improve: log.review?.couldImprove ?? null,
    review_unexpected_issues: log.review?.unexpectedIssues ?? null,
    review_follow_up_actions: log.review?.followUpActions ?? null,
    events: log.events.length,
  });
  for (const step of log.steps) {
    row[`${step.name}_state`] = step.state;
    row[`${step.name}_started_at`] = iso(step.startedAt);
    row[`${step.name}_finished_at`] = iso(step.finishedAt);
  }
  return row;
}

function iso(at: number | undefined): string | null {
  if (at === undefined || !Number.isFinite(at)) return null;
  return new Date(at).toISOString();
}

function joined(parts: readonly string[]): string | null {
  return parts.length === 0 ? null : parts.join(JOIN);
}
