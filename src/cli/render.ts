import { formatDuration } from '../domain/duration';
import { agoWords } from '../domain/free-at';
import { releaseKind, type Release, type StepRecord } from '../domain/release';
import { SHOWN_WORDS, shownState } from '../domain/release-status';
import type { ItemStatus } from '../domain/checklist';
import type { InFlight } from '../engine/release-service';
import type { AuditEntry } from '../ports/audit-log';

const MARK: Record<StepRecord['state'], string> = {
  pending: '·',
  running: '▶',
  waiting: '…',
  succeeded: '✓',
  failed: '✗',
  skipped: '–',
};

/**
 * A release as text for the command line: a header, then one line a step. Its
 * state is said as people read it (see shownState): `rollback` is the release
 * named by `release.rolledBackBy`, when there is one.
 */
export function renderRelease(release: Release, now: number, rollback?: Release): string {
  const state = SHOWN_WORDS[shownState(release, rollback)];
  const header = `${release.id}  ${release.app}/${release.environment}  ${release.version} (${releaseKind(release)})  ${state}  requested by ${release.requestedBy}`;
  const lines = release.steps.map(
    (step) => `  ${MARK[step.state]} ${step.name.padEnd(9)} ${describeStep(step, now, release)}`,
  );
  // The failure once, in words: its code is for logs and the audit trail.
  if (release.failure) lines.push(`  failure: ${release.failure.message}`);
  // A proposal closed undecided: how and why, so "cancelled" is not mistaken for someone's no.
  const closed = release.state === 'cancelled' ? release.proposal?.closed : undefined;
  if (closed) lines.push(`  closed: ${closed.text}; nothing was changed`);
  const approved = release.state === 'awaiting_start' ? release.proposal?.approvedBy : undefined;
  if (approved) lines.push(`  approved by ${approved.by}; starting`);
  return [header, ...lines].join('\n');
}

function describeStep(step: StepRecord, now: number, release: Release): string {
  const took = step.startedAt ? formatDuration((step.finishedAt ?? now) - step.startedAt) : '';
  switch (step.state) {
    case 'skipped':
      return `skipped: ${step.reason ?? ''}`;
    case 'pending':
      return 'pending';
    case 'succeeded':
      return `${took.padEnd(7)} ${step.summary ?? ''}`;
    case 'failed': {
      // The release's failure line says the error; a step's own other error is said here.
      const own = step.error && step.error.message !== release.failure?.message ? step.error.message : '';
      return `${took.padEnd(7)} failed${own ? `: ${own}` : ''}`;
    }
    default:
      return `${took.padEnd(7)} ${typeof step.progress.note === 'string' ? step.progress.note : step.state}`;
  }
}

/**
 * `deploybot status`: the releases in flight, one line each, then every manual
 * lock with who placed it, why, since when and the command that lifts it.
 */
export function renderStatus(view: InFlight, now: number): string {
  const releases = view.releases.map((r) => {
    const rollback = r.rolledBackBy ? view.related[r.rolledBackBy] : undefined;
    const kind = r.rollbackOf ? `${releaseKind(r)} of ${r.rollbackOf.version}` : releaseKind(r);
    const doing = SHOWN_WORDS[shownState(r, rollback)];
    return `  ${r.id}  ${r.app}/${r.environment}  ${r.version} (${kind})  ${doing}  requested by ${r.requestedBy}`;
  });
  const locks = view.locks.map(
    (l) =>
      `  ${l.app}/${l.environment}  locked by ${l.by} ${agoWords(l.since, now)}: ${l.reason}  (deploybot unlock ${l.app} ${l.environment})`,
  );
  return [
    releases.length ? 'releases in flight:' : 'no releases in flight',
    ...releases,
    locks.length ? 'locked:' : 'no manual locks',
    ...locks,
  ].join('\n');
}

export function renderHistoryLine(release: Release): string {
  const when = new Date(release.createdAt).toISOString().replace('T', ' ').slice(0, 16);
  return `${when}  ${release.id}  ${release.environment.padEnd(12)} ${release.version.padEnd(14)} ${releaseKind(release).padEnd(7)} ${release.state}`;
}

export function renderAudit(entry: AuditEntry): string {
  const when = new Date(entry.at).toISOString();
  const where = entry.app ? ` ${entry.app}/${entry.environment ?? ''}` : '';
  return `${when}  ${entry.actor}  ${entry.action}${where}${entry.releaseId ? ` ${entry.releaseId}` : ''}${entry.detail ? `  ${entry.detail}` : ''}`;
}

const ITEM_MARK: Record<ItemStatus['state'], string> = {
  ticked: '[x]',
  open: '[ ]',
  failed: '[!]',
  pending: '[…]',
  'not-applicable': '[-]',
};

/** The checklist as text: one line an item, required ones starred, who ticked what. */
export function renderChecklist(items: ItemStatus[]): string {
  return items
    .map((s) => {
      const who = s.tick ? `  (${s.tick.by})` : '';
      return `${ITEM_MARK[s.state]} ${s.required ? '*' : ' '} ${s.item.id.padEnd(26)} ${s.item.text}${who}`;
    })
    .join('\n');
}
