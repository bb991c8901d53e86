import type { Target } from '../config/target';
import { planSteps } from '../domain/plan';
import type { ReleaseType } from '../domain/release';
import { STEP_HANDLERS } from '../steps';

/** The dry run: every step a release would run and the AWS calls it would make. */
export function renderPlan(target: Target, version: string, type: ReleaseType): string {
  const steps = planSteps(type, {
    hasDatabase: !!target.config.database,
    hasMigration: !!target.config.migration,
  });
  const lines = [
    `plan for ${version} of ${target.app} to ${target.environment} (${type}); nothing is changed`,
  ];
  for (const step of steps) {
    if (step.state === 'skipped') {
      lines.push(`  – ${step.name}: skipped (${step.reason})`);
      continue;
    }
    lines.push(`  ${step.name}`);
    for (const call of STEP_HANDLERS[step.name].describe(target.config, type)) lines.push(`      ${call}`);
  }
  return lines.join('\n');
}
