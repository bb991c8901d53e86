import { planDatabaseRollbackSteps, planRollbackSteps } from '../../../../src/domain/plan';
import type { DatabaseRollback, ProposalClosing, Release } from '../../../../src/domain/release';
import { T0, aRelease, done, withSteps } from './fixtures';

/**
 * The README's incident, as stored at each stage: backend v1.3.0-bad reaches
 * production, monitoring proposes a rollback, someone approves it, and the
 * rollback points backend-service back at social-analytics-backend:8.
 */

export const BAD_ID = 'r20261127t171340-3f9a';
export const ROLLBACK_ID = 'r20261127t180000-beef';
export const REASON = 'error-rate: 5xx rate 8.0% > 5.0% in 2 consecutive samples';
const TD = (revision: number) =>
  `arn:aws:ecs:us-east-1:123456789012:task-definition/social-analytics-backend:${revision}`;

export const STARTED = T0 + 300_000;
export const APPROVED = STARTED + 600_000;

/** backend v1.3.0-bad, monitoring at sample 12 of 24. */
export function badRelease(overrides: Partial<Release> = {}): Release {
  return withSteps(
    aRelease({
      id: BAD_ID,
      version: 'v1.3.0-bad',
      state: 'running',
      startedAt: STARTED,
      facts: {
        previousTaskDefinitions: { 'backend-service': TD(8) },
        targetTaskDefinitions: { 'backend-service': TD(9) },
      },
      ...overrides,
    }),
    {
      preflight: done(T0, 12, '9 checks passed'),
      backup: done(STARTED, 95, 'snapshot deploybot-r20261127t171340-3f9a is available'),
      baseline: done(STARTED + 95_000, 20, 'p99 120ms, 5xx 0.0%'),
      migrate: done(STARTED + 115_000, 40, '`alembic upgrade head` exited 0'),
      deploy: done(STARTED + 155_000, 100, 'backend-service steady on social-analytics-backend:9'),
      verify: done(STARTED + 255_000, 17, '3 health endpoints answered 2xx'),
      monitor: {
        state: 'running',
        startedAt: STARTED + 272_000,
        runs: 1,
        progress: { note: 'watching: 12/24 samples, all clear' },
      },
    },
  );
}

/** The same release once monitoring proposed a rollback (the monitor note still says its last sample). */
export function proposedFor(): Release {
  return badRelease({
    facts: { ...badRelease().facts, rollbackProposal: ROLLBACK_ID },
  });
}

/** The reverted release as stored from the approval on: `rolled_back`, naming its rollback. */
export function revertedRelease(): Release {
  return {
    ...proposedFor(),
    state: 'rolled_back',
    rolledBackBy: ROLLBACK_ID,
    cancelledBy: 'U0APPROVER',
    endedAt: APPROVED,
  };
}

const of = { releaseId: BAD_ID, version: 'v1.3.0-bad', requestedBy: 'U0DEPLOYER', reason: REASON };

/** The service rollback proposal, at the stage `overrides` put it in. */
export function serviceRollback(overrides: Partial<Release> = {}): Release {
  return aRelease({
    id: ROLLBACK_ID,
    version: 'v1.3.0-bad',
    type: 'hotfix',
    requestedBy: 'deploybot',
    createdAt: APPROVED - 60_000,
    steps: planRollbackSteps(),
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: { 'backend-service': TD(8) } },
    rollbackOf: of,
    proposal: { expects: { 'backend-service': TD(9) } },
    ...overrides,
  });
}

export function databaseRollback(database: DatabaseRollback, overrides: Partial<Release> = {}): Release {
  return serviceRollback({
    id: 'r20261127t181500-cafe',
    steps: planDatabaseRollbackSteps(database.action),
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: { 'backend-service': TD(9) } },
    rollbackOf: { ...of, reason: 'v1.3.0-bad ran its migration', database },
    proposal: { expects: {} },
    ...overrides,
  });
}

export const approved = { by: 'U0APPROVER', at: APPROVED };

/** Approved and running: its deploy is under way. */
export function runningRollback(): Release {
  return withSteps(
    serviceRollback({
      state: 'running',
      startedAt: APPROVED,
      startedBy: 'U0APPROVER',
      proposal: { expects: {}, approvedBy: approved },
    }),
    {
      deploy: {
        state: 'waiting',
        startedAt: APPROVED,
        runs: 1,
        progress: { note: 'backend-service: 1/2 tasks on social-analytics-backend:8' },
      },
    },
  );
}

/** Finished 1m 7s after its approval. */
export function succeededRollback(): Release {
  return withSteps(
    { ...runningRollback(), state: 'succeeded', endedAt: APPROVED + 67_000 },
    {
      deploy: done(APPROVED, 40, 'backend-service steady on social-analytics-backend:8'),
      verify: done(APPROVED + 40_000, 7, '3 health endpoints answered 2xx'),
      monitor: done(APPROVED + 47_000, 20, 'watched 20s: all clear'),
    },
  );
}

export function failedRollback(): Release {
  return withSteps(
    {
      ...runningRollback(),
      state: 'failed',
      endedAt: APPROVED + 30_000,
      failure: { step: 'deploy', code: 'DEPLOY_FAILED', message: 'backend-service did not become steady' },
    },
    {
      deploy: {
        state: 'failed',
        startedAt: APPROVED,
        finishedAt: APPROVED + 30_000,
        runs: 1,
        progress: {},
        error: { code: 'DEPLOY_FAILED', message: 'backend-service did not become steady' },
      },
    },
  );
}

export function closedProposal(how: ProposalClosing['how'], text: string): Release {
  return serviceRollback({
    state: 'cancelled',
    cancelledBy: 'deploybot',
    endedAt: APPROVED,
    proposal: { expects: {}, closed: { how, text, at: APPROVED } },
  });
}

export const CLOSINGS: [ProposalClosing['how'], string][] = [
  ['superseded', 'superseded by v1.3.1 (r20261127t190000-aaaa), started since this proposal'],
  ['withdrawn', 'withdrawn: the release stayed healthy after 15m; nothing to roll back'],
  ['expired', 'expired: nobody decided within 30m 00s'],
];
