import type { LogEvent, StepTimes } from './deployment-log';
import { formatDuration } from './duration';
import { isFinished, releaseKind, type Release } from './release';

/**
 * The timeline's events that the release records tell: the release's own
 * (request, queue, override, ticks, start, end, follow-ups, review), its
 * steps', and those of the rollbacks that revert it.
 */

/** Who the bot's own doings are by, as in the audit log. */
export const DEPLOYBOT = 'deploybot';

export function stepEvents(step: StepTimes): LogEvent[] {
  const events: LogEvent[] = [];
  if (step.startedAt !== undefined) {
    events.push({ at: step.startedAt, who: DEPLOYBOT, kind: 'step', what: `${step.name} started` });
  }
  if (step.finishedAt !== undefined) {
    const took =
      step.startedAt === undefined ? '' : ` after ${formatDuration(step.finishedAt - step.startedAt)}`;
    events.push({
      at: step.finishedAt,
      who: DEPLOYBOT,
      kind: step.state === 'failed' ? 'issue' : 'step',
      what: `${step.name} ${step.state}${took}${step.note ? `: ${step.note}` : ''}`,
    });
  }
  return events;
}

export function releaseEvents(r: Release): LogEvent[] {
  const events: LogEvent[] = [
    { at: r.createdAt, who: r.requestedBy, kind: 'request', what: requestWords(r) },
  ];
  if (r.queue) {
    const notBefore =
      r.queue.notBefore === undefined ? '' : ` (not before ${new Date(r.queue.notBefore).toISOString()})`;
    events.push({
      at: r.queue.queuedAt,
      who: r.queue.queuedBy,
      kind: 'queue',
      what: `queued: ${r.queue.why}${notBefore}`,
    });
  }
  if (r.override) {
    events.push({
      at: r.override.at,
      who: r.override.by,
      kind: 'override',
      what: `overrode the release policy (${r.override.overrode}): ${r.override.reason}`,
    });
  }
  for (const [item, tick] of Object.entries(r.checklist)) {
    events.push({
      at: tick.at,
      who: tick.by,
      kind: 'checklist',
      what: `ticked ${item}${tick.note ? ` (${tick.note})` : ''}`,
    });
  }
  const database = r.rollbackOf?.database;
  if (database?.confirmedBy) {
    events.push({
      at: database.confirmedBy.at,
      who: database.confirmedBy.by,
      kind: 'start',
      what: 'confirmed the snapshot restore once',
    });
  }
  const approved = r.proposal?.approvedBy;
  if (approved)
    events.push({ at: approved.at, who: approved.by, kind: 'start', what: `approved the ${releaseKind(r)}` });
  if (r.startedAt !== undefined)
    events.push({ at: r.startedAt, who: r.startedBy ?? DEPLOYBOT, kind: 'start', what: 'started' });
  const closed = r.proposal?.closed;
  if (closed)
    events.push({
      at: closed.at,
      who: DEPLOYBOT,
      kind: 'end',
      what: `proposal ${closed.how}: ${closed.text}`,
    });
  for (const f of r.followUps ?? []) {
    events.push({
      at: f.at,
      who: DEPLOYBOT,
      kind: 'follow-up',
      what: f.lines.join(' · ') || `${f.kind} +${formatDuration(f.afterMs)}`,
    });
  }
  if (r.review)
    events.push({
      at: r.review.at,
      who: r.review.by,
      kind: 'review',
      what: 'answered the post-deployment review',
    });
  if (r.endedAt !== undefined && isFinished(r) && !closed) {
    events.push({ at: r.endedAt, who: endedBy(r), kind: 'end', what: endWords(r) });
  }
  return events;
}

function requestWords(r: Release): string {
  const target = `${r.app}/${r.environment}`;
  if (r.rollbackOf) {
    const reason = r.rollbackOf.reason ? `: ${r.rollbackOf.reason}` : '';
    return `proposed a ${releaseKind(r)} of ${r.rollbackOf.version} (release ${r.rollbackOf.releaseId}) in ${target}${reason}`;
  }
  const promoted = r.promotedFrom
    ? ` promoted from ${r.promotedFrom.environment} (release ${r.promotedFrom.releaseId})`
    : '';
  return `requested ${r.version} (${r.type}) to ${target}${promoted}`;
}

function endedBy(r: Release): string {
  return r.state === 'cancelled' || r.state === 'rolled_back' ? (r.cancelledBy ?? DEPLOYBOT) : DEPLOYBOT;
}

function endWords(r: Release): string {
  switch (r.state) {
    case 'succeeded':
      return r.rollbackOf ? `${releaseKind(r)} succeeded` : `released ${r.version}`;
    case 'failed':
      return `failed${r.failure?.step ? ` at ${r.failure.step}` : ''}${r.failure ? `: ${r.failure.message}` : ''}`;
    case 'rolled_back':
      return `rolled back${r.rolledBackBy ? ` by release ${r.rolledBackBy}` : ''}`;
    default:
      return r.expired
        ? `expired: nobody pressed Start within ${formatDuration(r.expired.afterMs)}`
        : 'cancelled';
  }
}

export function rollbackEvents(r: Release): LogEvent[] {
  const kind = releaseKind(r);
  const events: LogEvent[] = [
    {
      at: r.createdAt,
      who: r.requestedBy,
      kind: 'rollback',
      what: `proposed ${kind} ${r.id}${r.rollbackOf?.reason ? `: ${r.rollbackOf.reason}` : ''}`,
    },
  ];
  const approved = r.proposal?.approvedBy;
  if (approved)
    events.push({ at: approved.at, who: approved.by, kind: 'rollback', what: `approved ${kind} ${r.id}` });
  const closed = r.proposal?.closed;
  if (closed)
    events.push({
      at: closed.at,
      who: DEPLOYBOT,
      kind: 'rollback',
      what: `${kind} ${r.id} ${closed.how}: ${closed.text}`,
    });
  else if (r.endedAt !== undefined && isFinished(r)) {
    const failure = r.failure ? `: ${r.failure.message}` : '';
    events.push({
      at: r.endedAt,
      who: endedBy(r),
      kind: 'rollback',
      what: `${kind} ${r.id} ${r.state}${failure}`,
    });
  }
  return events;
}
