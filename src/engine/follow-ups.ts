import type { Config, EnvironmentConfig } from '../config/schema';
import { resolveTarget } from '../config/target';
import { mention } from '../domain/authorization';
import { formatDuration } from '../domain/duration';
import { change, perMinute, probeStats } from '../domain/monitoring';
import type { Release } from '../domain/release';
import type { Logger } from '../logging/logger';
import type { Clock } from '../ports/clock';
import type { FollowUp, FollowUpScheduler } from '../ports/follow-ups';
import type { ReleaseChat } from '../ports/release-chat';
import type { ReleaseStore } from '../ports/release-store';
import { probeEndpoints } from '../steps/health-probes';
import type { StepPorts } from '../steps/step-handler';

/** How many times approvers are reminded of an undecided proposal. */
const MAX_REMINDERS = 6;

export const REVIEW_QUESTIONS = [
  'Post-deployment review (runbook "Continuous Improvement"):',
  '• What went well?',
  '• What could be improved?',
  '• Any unexpected issues?',
  'Update the runbook, scripts or monitoring with what you learned.',
];

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
    if (lines) await this.deps.chat.stepDetail(release, release.steps.at(-1)?.name ?? 'monitor', lines);
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
