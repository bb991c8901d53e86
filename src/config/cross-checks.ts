/**
 * Checks that read more than one setting: a migration borrowing a service the
 * environment has, service names listed once, `requireSuccessIn` naming another
 * environment of the app. They run even when other settings failed (so one
 * pass lists every problem), hence on possibly partial, unvalidated data.
 * Each message names what was written and what there is to choose from.
 */

export interface Problem {
  path: (string | number)[];
  message: string;
}

/** Problems within one environment; paths are relative to it. */
export function environmentProblems(env: unknown): Problem[] {
  if (!isRecord(env)) return [];
  const problems: Problem[] = [];
  const names: string[] = [];
  const services = Array.isArray(env.services) ? (env.services as unknown[]) : [];
  services.forEach((service, index) => {
    const name = isRecord(service) ? service.name : undefined;
    if (typeof name !== 'string') return;
    if (names.includes(name)) {
      problems.push({
        path: ['services', index, 'name'],
        message: `'${name}' is listed twice: each service once`,
      });
    } else names.push(name);
  });
  const migration = isRecord(env.migration) ? env.migration : undefined;
  const wanted = migration?.service;
  if (typeof wanted === 'string' && !names.includes(wanted)) {
    problems.push({
      path: ['migration', 'service'],
      message: `no service '${wanted}' in this environment (have: ${names.join(', ') || 'none'})`,
    });
  }
  return problems;
}

/** `requireSuccessIn` naming an environment the app lacks, or its own; paths from the top. */
export function requiredEnvironmentProblems(apps: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  for (const [appName, app] of Object.entries(apps)) {
    const environments = isRecord(app) && isRecord(app.environments) ? app.environments : {};
    const have = Object.keys(environments);
    for (const [envName, env] of Object.entries(environments)) {
      const required = isRecord(env) ? env.requireSuccessIn : undefined;
      if (typeof required !== 'string') continue;
      const path = ['apps', appName, 'environments', envName, 'requireSuccessIn'];
      // Own keys only: `constructor` or `toString` are no environments.
      if (!Object.hasOwn(environments, required)) {
        problems.push({
          path,
          message: `no environment '${required}' in ${appName} (have: ${have.join(', ')})`,
        });
      } else if (required === envName) {
        problems.push({
          path,
          message: `names ${envName} itself: name the environment a version must succeed in first, e.g. staging`,
        });
      }
    }
  }
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
