import type { ReleaseSummary } from './release-summary';

/**
 * DORA's four figures over one period, from release summaries. Pure.
 *
 * What counts (decided here, shown in the reply):
 * - A *change* is a release that is not a rollback, requested (createdAt) in
 *   the period. Rollbacks are the remedy, not changes: they appear only as the
 *   end of a time to restore.
 * - A *deployment* is a change whose deploy step started. Frequency counts
 *   them per app and environment in scope (`scopes`), as DORA asks how often
 *   one service is deployed, not how busy the whole estate is.
 * - A change *failed* when an approved rollback replaced it (`rolledBack`) or
 *   it ended failed or rolled back after its deploy started. Change failure
 *   rate divides failed changes by deployments whose outcome is known: one
 *   still running is left out until it ends (`undecided`). A release that
 *   failed before deploy never touched a service: not a deployment, not a
 *   failure, counted as excluded.
 * - Lead time: change time (image push, label or commit) to the end of a
 *   change that succeeded and stayed; medians, because one release that
 *   waited a month for its window must not hide a fortnight of same-day ones.
 * - Time to restore: from monitoring's first failing sample (else the first
 *   rollback proposal, else the moment it failed) to the end of the first
 *   release of the same app and environment that then succeeded and stayed:
 *   its rollback, or a fix forward. A rollback ends after its own watch
 *   window, so this is the time until the service was known healthy again.
 * - Overrides (break-glass) are counted in every figure like any release and
 *   reported beside them, so the team sees how many of its numbers rest on them.
 */
export interface Period {
  /** Inclusive, epoch ms. */
  from: number;
  /** Exclusive, epoch ms. */
  to: number;
}

export interface DeliveryFigures {
  period: Period;
  /** Changes requested in the period (rollbacks not included). */
  changes: number;
  deploymentFrequency: { deployments: number; perDay: number; scopes: number };
  leadTime: { medianMs?: number; measured: number; withoutChangeTime: number };
  changeFailureRate: { rate?: number; failed: number; decided: number; undecided: number };
  timeToRestore: { medianMs?: number; restored: number; notRestored: number };
  /** Changes that never reached deploy, by why; and rollbacks, which are no changes. */
  excluded: {
    failedBeforeDeploy: number;
    stoppedBeforeDeploy: number;
    notDeployedYet: number;
    rollbacks: number;
  };
  overrides: { changes: number; deployments: number; failed: number };
}

const DAY = 86_400_000;

/**
 * `summaries`: every release of the apps and environment in scope created
 * from `period.from` on, later ones included (a failure late in the period may
 * be restored after it). `scopes`: how many app-and-environment pairs the
 * query covers, for the frequency per pair.
 */
export function deliveryFigures(
  summaries: readonly ReleaseSummary[],
  period: Period,
  scopes: number,
): DeliveryFigures {
  const inPeriod = summaries.filter((s) => s.createdAt >= period.from && s.createdAt < period.to);
  const changes = inPeriod.filter((s) => s.rollbackOf === undefined);
  const deployed = changes.filter((s) => s.deployedAt !== undefined);
  // Only a release created after a failed change can restore it: none from before the period.
  const restorers = new Restorers(summaries.filter((s) => s.createdAt >= period.from));

  const decided = deployed.filter((s) => isFailedChange(s) || !isInFlight(s));
  const failed = deployed.filter(isFailedChange);
  const leadTimes: number[] = [];
  let withoutChangeTime = 0;
  for (const s of deployed) {
    if (s.state !== 'succeeded' || s.rolledBack || s.endedAt === undefined) continue;
    if (s.changeAt === undefined) withoutChangeTime += 1;
    else leadTimes.push(Math.max(0, s.endedAt - s.changeAt));
  }
  const restoreTimes: number[] = [];
  for (const s of failed) {
    const ms = restorers.timeToRestore(s);
    if (ms !== undefined) restoreTimes.push(ms);
  }
  const notDeployed = changes.filter((s) => s.deployedAt === undefined);
  const overrides = changes.filter((s) => s.override);
  const days = (period.to - period.from) / DAY;

  return {
    period,
    changes: changes.length,
    deploymentFrequency: {
      deployments: deployed.length,
      perDay: scopes > 0 && days > 0 ? deployed.length / scopes / days : 0,
      scopes,
    },
    leadTime: { ...medianOf(leadTimes), measured: leadTimes.length, withoutChangeTime },
    changeFailureRate: {
      ...(decided.length > 0 && { rate: failed.length / decided.length }),
      failed: failed.length,
      decided: decided.length,
      undecided: deployed.length - decided.length,
    },
    timeToRestore: {
      ...medianOf(restoreTimes),
      restored: restoreTimes.length,
      notRestored: failed.length - restoreTimes.length,
    },
    excluded: {
      failedBeforeDeploy: notDeployed.filter((s) => s.state === 'failed').length,
      notDeployedYet: notDeployed.filter(isInFlight).length,
      stoppedBeforeDeploy: notDeployed.filter((s) => s.state !== 'failed' && !isInFlight(s)).length,
      rollbacks: inPeriod.length - changes.length,
    },
    overrides: {
      changes: overrides.length,
      deployments: overrides.filter((s) => s.deployedAt !== undefined).length,
      failed: overrides.filter((s) => s.deployedAt !== undefined && isFailedChange(s)).length,
    },
  };
}

function isInFlight(s: ReleaseSummary): boolean {
  return s.state === 'queued' || s.state === 'awaiting_start' || s.state === 'running';
}

/** For a deployed change: reverted by an approved rollback, or ended failed or rolled back. */
function isFailedChange(s: ReleaseSummary): boolean {
  return s.rolledBack === true || s.state === 'failed' || s.state === 'rolled_back';
}

function medianOf(values: number[]): { medianMs?: number } {
  if (values.length === 0) return {};
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { medianMs: median };
}

/** A release that ended healthy: what may end a failure before it. */
interface HealthyEnd {
  id: string;
  createdAt: number;
  endedAt: number;
}

/**
 * What ends a failure: per app and environment, the releases that succeeded
 * and stayed, by createdAt. A failed change looks from its own createdAt on and
 * stops at the first release created after the best end found so far (it
 * cannot end sooner), so a year of 50 apps takes milliseconds, not a scan of
 * each app's whole history per failure.
 */
class Restorers {
  private readonly byScope = new Map<string, HealthyEnd[]>();
  /** Reverted release id -> when its first rollback was proposed. */
  private readonly firstProposal = new Map<string, number>();

  constructor(summaries: readonly ReleaseSummary[]) {
    for (const s of summaries) {
      if (s.rollbackOf !== undefined) {
        const earlier = this.firstProposal.get(s.rollbackOf);
        if (earlier === undefined || s.createdAt < earlier) this.firstProposal.set(s.rollbackOf, s.createdAt);
      }
      if (s.state !== 'succeeded' || s.rolledBack || s.endedAt === undefined) continue;
      const end: HealthyEnd = { id: s.id, createdAt: s.createdAt, endedAt: s.endedAt };
      const key = scopeKey(s);
      const list = this.byScope.get(key);
      if (list) list.push(end);
      else this.byScope.set(key, [end]);
    }
    for (const list of this.byScope.values()) list.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Undefined while nothing has restored the failed change yet. */
  timeToRestore(failed: ReleaseSummary): number | undefined {
    const start = failed.firstFailingAt ?? this.firstProposal.get(failed.id) ?? failed.endedAt;
    if (start === undefined) return undefined;
    const ends = this.byScope.get(scopeKey(failed)) ?? [];
    let end: number | undefined;
    for (let i = firstCreatedFrom(ends, failed.createdAt); i < ends.length; i++) {
      const candidate = ends[i] as HealthyEnd;
      if (end !== undefined && candidate.createdAt > end) break;
      if (candidate.id === failed.id || candidate.endedAt < start) continue;
      if (end === undefined || candidate.endedAt < end) end = candidate.endedAt;
    }
    return end === undefined ? undefined : end - start;
  }
}

/** The index of the first of `sorted` created at or after `at` (binary search). */
function firstCreatedFrom(sorted: readonly HealthyEnd[], at: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as HealthyEnd).createdAt < at) low = middle + 1;
    else high = middle;
  }
  return low;
}

function scopeKey(s: ReleaseSummary): string {
  return `${s.app}\n${s.environment}`;
}
