import type { DatabaseRollback, ReleaseState, ReleaseType, StepName, StepRecord } from './release';

/**
 * What each release type runs (runbook "Release Types"). A hotfix runs only the
 * critical preflight checks so that a degraded service can still be fixed; a
 * major release gets the extended monitoring window once monitoring exists.
 */
export type PreflightDepth = 'critical' | 'full';

export interface ReleasePlanRules {
  steps: readonly StepName[];
  preflight: PreflightDepth;
  /** Major releases are watched for longer, sampled less often (runbook: 24-48 h). */
  monitoring: 'standard' | 'extended';
}

const RUNBOOK_STEPS: readonly StepName[] = [
  'preflight',
  'backup',
  'baseline',
  'migrate',
  'deploy',
  'verify',
  'monitor',
];

export const PLAN_RULES: Record<ReleaseType, ReleasePlanRules> = {
  hotfix: { steps: RUNBOOK_STEPS, preflight: 'critical', monitoring: 'standard' },
  minor: { steps: RUNBOOK_STEPS, preflight: 'full', monitoring: 'standard' },
  major: { steps: RUNBOOK_STEPS, preflight: 'full', monitoring: 'extended' },
};

/**
 * Steps that run as soon as a release is requested, before anyone presses
 * Start: read-only checks whose results tick the checklist.
 */
export const RUNS_BEFORE_START: readonly StepName[] = ['preflight'];

/** Whether a step of a release in `state` may run now. */
export function mayRunStep(state: ReleaseState, step: StepName): boolean {
  return state === 'running' || (state === 'awaiting_start' && RUNS_BEFORE_START.includes(step));
}

/** The parts of an environment's configuration that decide which steps apply. */
export interface PlanInput {
  hasDatabase: boolean;
  hasMigration: boolean;
}

/** Why a step does not apply to this environment, or undefined when it does. */
function skipReason(step: StepName, input: PlanInput): string | undefined {
  if (step === 'backup' && !input.hasDatabase) return 'no database configured';
  if (step === 'migrate' && !input.hasMigration) return 'no migration configured';
  return undefined;
}

export function planSteps(type: ReleaseType, input: PlanInput): StepRecord[] {
  return PLAN_RULES[type].steps.map((name) => {
    const reason = skipReason(name, input);
    return reason
      ? { name, state: 'skipped', reason, runs: 0, progress: {} }
      : { name, state: 'pending', runs: 0, progress: {} };
  });
}

/**
 * A rollback points services back at the revisions they ran before a release
 * (runbook "Rollback Application"), checks health and watches the result
 * (runbook: "Monitoring for 30 minutes"): nothing to snapshot, migrate or
 * preflight, and no time to lose.
 */
export function planRollbackSteps(): StepRecord[] {
  return (['deploy', 'verify', 'monitor'] as const).map((name) => ({
    name,
    state: 'pending',
    runs: 0,
    progress: {},
  }));
}

/**
 * A database rollback is one step, approved on its own: the migration's
 * rollback command, or restoring the snapshot into a new instance.
 */
export function planDatabaseRollbackSteps(action: DatabaseRollback['action']): StepRecord[] {
  const name: StepName = action === 'downgrade' ? 'migrate_down' : 'restore';
  return [{ name, state: 'pending', runs: 0, progress: {} }];
}
