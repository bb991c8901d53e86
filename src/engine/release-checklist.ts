import type { Config } from '../config/schema';
import { resolveTarget } from '../config/target';
import { CHECKLIST, checklistStatus, type ItemStatus, type PreflightCheck } from '../domain/checklist';
import type { Release } from '../domain/release';

/** The checklist of a release as people see it: manual ticks plus what preflight proved. */
export function releaseChecklist(release: Release, config: Config): ItemStatus[] {
  const env = resolveTarget(config, release.app, release.environment).config;
  const preflight = release.steps.find((s) => s.name === 'preflight');
  const checks = preflight?.progress.checks as PreflightCheck[] | undefined;
  // Preflight that has not reported yet proves nothing either way.
  const reported =
    preflight && (preflight.state === 'succeeded' || preflight.state === 'failed') ? checks : undefined;
  return checklistStatus(CHECKLIST, release.checklist, reported, env.checklist.required);
}
