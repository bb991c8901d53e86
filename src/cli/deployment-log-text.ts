import type { DeploymentLog } from '../domain/deployment-log';
import { formatDuration } from '../domain/duration';

/**
 * `deploybot log <release-id>`: the whole deployment log as text, nothing left
 * out (chat shows what fits; this is where the rest is). Times are UTC.
 */
export function renderDeploymentLog(log: DeploymentLog): string {
  const lines = [
    `${log.id}  ${log.app}/${log.environment}  ${log.version} (${log.kind})  ${log.state}`,
    `  requested by ${log.requestedBy} at ${utc(log.requestedAt)}`,
  ];
  if (log.startedAt !== undefined)
    lines.push(`  started by ${log.startedBy ?? 'deploybot'} at ${utc(log.startedAt)}`);
  if (log.endedAt !== undefined) {
    const took = log.startedAt === undefined ? '' : ` (took ${formatDuration(log.endedAt - log.startedAt)})`;
    lines.push(`  ended at ${utc(log.endedAt)}${took}${log.cancelledBy ? ` by ${log.cancelledBy}` : ''}`);
  }
  if (log.approvedBy) lines.push(`  approved by ${log.approvedBy.by} at ${utc(log.approvedBy.at)}`);
  if (log.rollbackOf)
    lines.push(`  rolls back ${log.rollbackOf.version} (release ${log.rollbackOf.releaseId})`);
  if (log.promotedFrom)
    lines.push(`  promoted from ${log.promotedFrom.environment} (release ${log.promotedFrom.releaseId})`);
  if (log.queued)
    lines.push(`  queued by ${log.queued.queuedBy} at ${utc(log.queued.queuedAt)}: ${log.queued.why}`);
  if (log.override) {
    lines.push(
      `  BREAK-GLASS: ${log.override.by} overrode "${log.override.overrode}": ${log.override.reason}`,
    );
  }
  lines.push('steps:');
  for (const s of log.steps) {
    const times =
      s.startedAt === undefined
        ? ''
        : `  ${utc(s.startedAt)} → ${s.finishedAt === undefined ? '…' : utc(s.finishedAt)}`;
    lines.push(`  ${s.name.padEnd(12)} ${s.state.padEnd(9)}${times}${s.note ? `  ${s.note}` : ''}`);
  }
  section(lines, 'issues', log.issues);
  section(
    lines,
    'rollbacks',
    log.rollbacks.map(
      (r) =>
        `${r.id} ${r.kind} ${r.state}, proposed by ${r.requestedBy}${r.approvedBy ? `, approved by ${r.approvedBy.by}` : ''}${r.reason ? `: ${r.reason}` : ''}`,
    ),
  );
  section(
    lines,
    'follow-ups',
    log.followUps.map((f) => `+${formatDuration(f.afterMs)} at ${utc(f.at)}: ${f.lines.join('; ')}`),
  );
  if (log.review) {
    section(lines, `review by ${log.review.by} at ${utc(log.review.at)}`, [
      `went well: ${log.review.wentWell}`,
      `could improve: ${log.review.couldImprove}`,
      `unexpected issues: ${log.review.unexpectedIssues}`,
      `follow-up actions: ${log.review.followUpActions}`,
    ]);
  }
  section(
    lines,
    'timeline',
    log.events.map((e) => `${utc(e.at)}  ${e.who}  ${e.what}`),
  );
  return lines.map((l) => printable(l).trimEnd()).join('\n');
}

/**
 * Review answers, reasons and notes are typed by people: control characters
 * (a terminal's escape sequences among them) are shown as `?` rather than obeyed.
 */
function printable(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function section(lines: string[], title: string, items: readonly string[]): void {
  if (items.length === 0) return;
  lines.push(`${title}:`, ...items.map((i) => `  ${i.replace(/\s*\n\s*/g, ' ')}`));
}

function utc(at: number): string {
  return Number.isFinite(at) ? `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')}Z` : '?';
}
