import { isUndecidedProposal } from '../domain/reconcile';
import type { Config, EnvironmentConfig } from '../config/schema';
import { decide, type Rule } from '../domain/authorization';
import { isFinished, type Release } from '../domain/release';
import { runningVersion } from '../domain/running-version';
import type { Clock } from '../ports/clock';
import type { LockScope, LockService } from '../ports/lock';
import type { ReleaseStore } from '../ports/release-store';
import {
  LAST_RELEASES,
  type AppRow,
  type DoraLines,
  type FreezeState,
  type LockState,
  type TeamView,
} from '../slack/home/team-view-model';

/** Where an environment's configuration and name come together, as the policy sources take it. */
export interface EnvironmentTarget {
  app: string;
  environment: string;
  config: EnvironmentConfig;
}

/**
 * What the team view reads. The first five exist today; the last three are
 * plugged in where their features live, and the view goes without them
 * until then (queued releases are then read from the store's active index).
 */
export interface TeamViewSources {
  config: Config;
  store: ReleaseStore;
  locks: LockService;
  /** The user groups a user belongs to among candidates (UsergroupDirectory). */
  groups: { groupsOf(userId: string, candidates: readonly string[]): Promise<string[]> };
  clock: Clock;
  /** The deploy queue of one app and environment, in queue order. */
  queued?: (scope: LockScope) => Promise<Release[]>;
  /** The freeze in force for an environment now, if any. */
  freeze?: (target: EnvironmentTarget, now: number) => FreezeState | undefined;
  /** Pre-rendered DORA figures. A failure leaves them out of the view rather than failing it. */
  dora?: () => Promise<DoraLines | undefined>;
  /** How many of each app's newest releases are read for what runs and the last releases. */
  historyDepth?: number;
}

/** Everything in the view that is the same for everyone: gathered once, shown to many. */
export type TeamBoard = Omit<TeamView, 'viewer' | 'pendingApprovals'> & {
  /** Every rollback proposal still awaiting its decision, oldest first. */
  proposals: Release[];
};

const DEFAULT_HISTORY_DEPTH = 20;

/**
 * Fills the Home tab's TeamView from the store, the locks and the
 * configuration. `board()` reads what everyone sees (one read per app, one
 * per environment's lock, the active releases); `forViewer()` adds what only
 * the viewer sees: the proposals they may decide.
 */
export class TeamViewGatherer {
  constructor(private readonly sources: TeamViewSources) {}

  async gather(viewer: string): Promise<TeamView> {
    return this.forViewer(await this.board(), viewer);
  }

  async board(): Promise<TeamBoard> {
    const { config, store, clock } = this.sources;
    const now = clock.now();
    const apps = Object.keys(config.apps);
    const depth = this.sources.historyDepth ?? DEFAULT_HISTORY_DEPTH;
    const [histories, active, dora] = await Promise.all([
      Promise.all(apps.map((app) => store.history(app, { limit: depth }))),
      this.activeReleases(),
      this.doraLines(),
    ]);
    const rows = await Promise.all(apps.map((app, i) => this.appRow(app, histories[i] ?? [], active, now)));
    const lastReleases = histories
      .flat()
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, LAST_RELEASES);
    const proposals = active.filter(awaitsApproval).sort(byCreation);
    return {
      now,
      apps: rows,
      lastReleases,
      related: await this.related(lastReleases, histories.flat()),
      proposals,
      ...(dora ? { dora } : {}),
    };
  }

  /** The board as `viewer` sees it: with the proposals they may approve. */
  async forViewer(board: TeamBoard, viewer: string): Promise<TeamView> {
    const { proposals, ...shared } = board;
    const allowed = await Promise.all(proposals.map((p) => this.mayApprove(p, viewer)));
    return { ...shared, viewer, pendingApprovals: proposals.filter((_, i) => allowed[i]) };
  }

  /**
   * The approver rule and the two-person rule, as commands/rollback.ts applies
   * them to a click, but without auditing: looking is not a refused attempt.
   */
  private async mayApprove(proposal: Release, viewer: string): Promise<boolean> {
    const env = this.sources.config.apps[proposal.app]?.environments[proposal.environment];
    if (!env) return false;
    const rule: Rule = { principals: env.approvers, emptyMeans: 'no-one' };
    const groups = await this.sources.groups.groupsOf(viewer, rule.principals);
    if (!decide(rule, viewer, groups, 'approve').allowed) return false;
    return !(env.rollback.twoPersonRule && proposal.rollbackOf?.requestedBy === viewer);
  }

  private async appRow(app: string, history: Release[], active: Release[], now: number): Promise<AppRow> {
    const environments = Object.entries(this.sources.config.apps[app]?.environments ?? {});
    return {
      app,
      environments: await Promise.all(
        environments.map(async ([environment, config]) => {
          const here = active.filter((r) => r.app === app && r.environment === environment);
          const running = runningVersion(history, environment);
          const lock = await this.lockOf({ app, environment });
          const freeze = this.sources.freeze?.({ app, environment, config }, now);
          return {
            environment,
            ...(running ? { running } : {}),
            ...(lock ? { lock } : {}),
            ...(freeze ? { freeze } : {}),
            inFlight: here.filter((r) => r.state !== 'queued').sort(byCreation),
            queued: this.sources.queued
              ? await this.sources.queued({ app, environment })
              : here.filter((r) => r.state === 'queued').sort(byCreation),
          };
        }),
      ),
    };
  }

  private async lockOf(scope: LockScope): Promise<LockState | undefined> {
    const holder = await this.sources.locks.holder(scope);
    if (!holder) return undefined;
    return holder.kind === 'manual'
      ? { kind: 'manual', by: holder.by, reason: holder.reason, since: holder.at }
      : { kind: 'release', releaseId: holder.owner, since: holder.acquiredAt };
  }

  /** Releases not finished, from the store's index of them: exact however long the history. */
  private async activeReleases(): Promise<Release[]> {
    const { store, config } = this.sources;
    const found = await Promise.all((await store.activeIds()).map((id) => store.get(id)));
    return found.filter(
      (r): r is Release => r !== undefined && !isFinished(r) && Object.hasOwn(config.apps, r.app),
    );
  }

  /** The rollbacks of reverted releases among `listed`, from what was read or the store. */
  private async related(listed: Release[], read: Release[]): Promise<Record<string, Release>> {
    const byId = new Map(read.map((r) => [r.id, r]));
    const related: Record<string, Release> = {};
    for (const id of listed.map((r) => r.rolledBackBy)) {
      if (id === undefined || Object.hasOwn(related, id)) continue;
      const found = byId.get(id) ?? (await this.sources.store.get(id));
      if (found) related[id] = found;
    }
    return related;
  }

  private async doraLines(): Promise<DoraLines | undefined> {
    if (!this.sources.dora) return undefined;
    // The figures are a summary: a failure to compute them must not cost the whole Home tab.
    return this.sources.dora().catch(() => undefined);
  }
}

/** A rollback proposal still open for an approver: undecided (reconcile.ts) and neither started nor closed. */
function awaitsApproval(release: Release): boolean {
  return (
    release.state === 'awaiting_start' &&
    isUndecidedProposal(release) &&
    release.proposal?.closed === undefined
  );
}

function byCreation(a: Release, b: Release): number {
  return a.createdAt - b.createdAt;
}
