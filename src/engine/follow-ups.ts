import type { Config, EnvironmentConfig } from '../config/schema';
import { resolveTarget } from '../config/target';
import { mention } from '../domain/authorization';
import { formatDuration } from '../domain/duration';
import { change, perMinute, probeStats } from '../domain/monitoring';
import type { Release } from '../domain/release';
import type { Logger } from '../logging/logger';
import type { Clock } from '../ports/clock';
import type { FollowUp, FollowUpKind, FollowUpScheduler } from '../ports/follow-ups';
import type { ReleaseChat } from '../ports/release-chat';
import type { ReleaseStore } from '../ports/release-store';
import { probeEndpoints } from '../steps/health-probes';
import type { StepPorts } from '../steps/step-handler';
import { updateRelease } from './update-release';

/** How many times approvers are reminded of an undecided proposal. */
const MAX_REMINDERS = 6;

/**
 * Follow-ups whose findings belong in the deployment log. Reminders to
 * approvers are nudges, not findings; the review keeps its own answers.
 */
const RECORDED_KINDS: ReadonlySet<FollowUpKind> = new Set(['summary', 'postmortem']);
/**
 * Bounds on what a release record keeps of its follow-ups, so a long-lived
 * release (or a replayed job) cannot grow its JSON without end: the runbook
 * has three summaries and one reminder, so ten entries are plenty.
 */
const MAX_RECORDED_FOLLOW_UPS = 10;
const MAX_RECORDED_LINES = 12;
const MAX_RECORDED_LINE_LENGTH = 500;

type RecordedFollowUp = NonNullable<Release['followUps']>[number];

/** Closes an undecided rollback proposal; ReleaseService is one. */
export interface ProposalExpiry {
  expireProposal(rollbackId: string, afterMs: number): Promise<unknown>;
}

/**
 * Runs one follow-up: a post in the release's thread, measured now where it
 * reports figures, or (expire-proposal) closing a proposal nobody decided.
 */
export class FollowUpRunner {
  constructor(
    private readonly deps: {
      config: Config;
      store: ReleaseStore;
      chat: ReleaseChat;
      ports: Pick<StepPorts, 'probe' | 'logs'>;
      clock: Clock;
      scheduler: FollowUpScheduler;
      logger: Logger;
      /** Needed for 'expire-proposal'; without it such a job fails and is retried. */
      proposals?: ProposalExpiry;
    },
  ) {}

  async run(followUp: FollowUp): Promise<void> {
    const release = await this.deps.store.get(followUp.releaseId);
    if (!release) return;
    if (followUp.kind === 'expire-proposal') return this.expire(release, followUp.afterMs);
    const env = resolveTarget(this.deps.config, release.app, release.environment).config;
    const lines = await this.linesFor(followUp, release, env);
    if (!lines) return;
    // Stored before it is posted: a failed post retries the job, which measures
    // again and replaces its own entry, so the record never holds two of one follow-up.
    if (RECORDED_KINDS.has(followUp.kind)) await this.record(release.id, followUp, lines);
    await this.deps.chat.stepDetail(release, release.steps.at(-1)?.name ?? 'monitor', lines);
  }

  /** Keeps what a follow-up found on the release, for the deployment log. */
  private async record(releaseId: string, followUp: FollowUp, lines: string[]): Promise<void> {
    const at = this.deps.clock.now();
    const entry: RecordedFollowUp = {
      kind: followUp.kind,
      afterMs: followUp.afterMs,
      at,
      lines: lines.slice(0, MAX_RECORDED_LINES).map((l) => l.slice(0, MAX_RECORDED_LINE_LENGTH)),
    };
    await updateRelease(this.deps.store, releaseId, (r) => {
      const others = (r.followUps ?? []).filter((f) => f.kind !== entry.kind || f.afterMs !== entry.afterMs);
      r.followUps = [...others, entry].slice(-MAX_RECORDED_FOLLOW_UPS);
      r.updatedAt = at;
      return r;
    });
  }

  private async linesFor(
    f: FollowUp,
    release: Release,
    env: EnvironmentConfig,
  ): Promise<string[] | undefined> {
    switch (f.kind) {
      case 'summary':
        return this.summary(release, env, f.afterMs);
      case 'review':
        await this.deps.chat.reviewRequested(release);
        return undefined;
      case 'postmortem':
        return [
          `Post-mortem reminder: ${release.version} was rolled back ${formatDuration(f.afterMs)} ago (runbook "Post-Rollback").`,
          `• Create the incident ticket and schedule the post-mortem — ${[release.requestedBy, ...env.approvers].map(mentionable).join(' ')}`,
          `• ${release.app}/${release.environment} stays locked until \`/deploy unlock ${release.app} ${release.environment}\`.`,
        ];
      case 'remind-approvers': {
        if (release.state !== 'awaiting_start') return undefined;
        const round = (f.round ?? 0) + 1;
        if (round < MAX_REMINDERS) {
          await this.deps.scheduler.schedule({ ...f, round });
        }
        const who = env.approvers.length > 0 ? env.approvers.map(mention).join(' ') : 'approvers';
        return [`Still waiting for a decision on rollback \`${release.id}\`: ${who}`];
      }
      case 'expire-proposal':
        return undefined;
    }
  }

  /** Closing says why in the proposal's own message; one already decided is left as it is. */
  private async expire(release: Release, afterMs: number): Promise<void> {
    if (release.state !== 'awaiting_start') return;
    if (!this.deps.proposals) throw new Error('expire-proposal needs the release service (proposals)');
    await this.deps.proposals.expireProposal(release.id, afterMs);
  }

  /** The runbook's "First Hour / 24 Hours / Week" check: now against the baseline. */
  private async summary(release: Release, env: EnvironmentConfig, afterMs: number): Promise<string[]> {
    const { ports, clock } = this.deps;
    const probes = probeStats(await probeEndpoints(ports, env.health, env.monitoring.probes));
    const to = clock.now();
    const from = to - Math.min(afterMs, 3_600_000);
    const errorLogs = await ports.logs.countMatches(env.logs.group, env.logs.errorPattern, from, to);
    const b = release.facts.baseline;
    const ms = (x: number | undefined) => (x === undefined ? 'not measured' : `${Math.round(x)}ms`);
    return [
      `Follow-up +${formatDuration(afterMs)}: ${release.app} ${release.version} in ${release.environment}`,
      `5xx ${(probes.errorRate * 100).toFixed(1)}% (${b ? `baseline ${(b.errorRate * 100).toFixed(1)}%` : 'no baseline'})`,
      `latency p50 ${ms(probes.p50)} p99 ${ms(probes.p99)} (${b?.p99 === undefined ? 'no baseline' : `p99 ${change(b.p99, probes.p99)} vs baseline`})`,
      `error logs ${perMinute(errorLogs, from, to).toFixed(1)}/min over the last ${formatDuration(to - from)} (${b ? `baseline ${b.errorLogsPerMinute.toFixed(1)}/min` : 'no baseline'})`,
    ];
  }
}

function mentionable(principal: string): string {
  return /^[UWS][A-Z0-9]+$/.test(principal) ? mention(principal) : principal;
}
