import type { LockScope, LockScopeResolver } from '../ports/lock';

/**
 * Lock groups: the release lock is per app and environment, which only keeps
 * releases apart when each environment owns what it changes. Two environments
 * (of one app or of two) that point at the same ECS service or the same
 * database would each take their own lock and then roll out over each other,
 * so the configuration refuses them unless both declare the same `lockGroup`;
 * the environments of a group then share one lock (manual locks included: a
 * `/deploy lock` protects the shared resource, whichever member it names).
 */

/** The `app: '@lock-group'` part cannot be an app's name (names start with a letter or digit). */
const GROUP_APP = '@lock-group';

/** What this module reads of an environment; the schema hands it possibly partial, unvalidated data. */
interface EnvironmentShape {
  cluster?: unknown;
  services?: unknown;
  database?: unknown;
  lockGroup?: unknown;
}

/** Two places that change one resource without sharing a lock group. */
export interface SharedResourceConflict {
  /** Where the second place is, as a path into the configuration. */
  path: (string | number)[];
  /** The first place, e.g. `apps.backend.environments.production`. */
  first: string;
  /** What both change, e.g. [`ECS service backend-service in cluster prod`, `RDS instance main-db`]. */
  resources: string[];
}

/**
 * Every pair of environments sharing an ECS service (same cluster and service
 * name) or a database (same RDS instance id, or same Aurora cluster id) that
 * are not declared one lock group. A pair is one mistake (a missing
 * `lockGroup`), so it is reported once, by the later place, with everything
 * the two share.
 */
export function sharedResourceConflicts(apps: unknown): SharedResourceConflict[] {
  const firstUser = new Map<string, { place: string; group: unknown }>();
  const conflicts: SharedResourceConflict[] = [];
  for (const [appName, envName, env] of environmentsOf(apps)) {
    const place = `apps.${appName}.environments.${envName}`;
    for (const [key, resource] of resourcesOf(env)) {
      const first = firstUser.get(key);
      if (!first) {
        firstUser.set(key, { place, group: env.lockGroup });
        continue;
      }
      if (first.place === place) continue;
      if (typeof env.lockGroup === 'string' && env.lockGroup === first.group) continue;
      const known = conflicts.find((c) => c.first === first.place && c.path.join('.') === place);
      if (known) known.resources.push(resource);
      else
        conflicts.push({
          path: ['apps', appName, 'environments', envName],
          first: first.place,
          resources: [resource],
        });
    }
  }
  return conflicts;
}

/** The message of a conflict: both places, the resource, and what to do; one line. */
export function conflictMessage(conflict: SharedResourceConflict): string {
  return (
    `shares the ${conflict.resources.join(' and the ')} with ${conflict.first}; ` +
    'declare both in one lock group (the same `lockGroup:` on each) or point them at different resources'
  );
}

/**
 * The lock each scope takes: its group's shared one when its environment
 * declares `lockGroup`, else its own. Unknown scopes map to themselves.
 */
export function lockScopeResolver(config: {
  apps: Record<string, { environments: Record<string, { lockGroup?: string | undefined }> }>;
}): LockScopeResolver {
  return (scope: LockScope): LockScope => {
    const app = Object.hasOwn(config.apps, scope.app) ? config.apps[scope.app] : undefined;
    const env =
      app && Object.hasOwn(app.environments, scope.environment)
        ? app.environments[scope.environment]
        : undefined;
    return env?.lockGroup ? { app: GROUP_APP, environment: env.lockGroup } : scope;
  };
}

function* environmentsOf(apps: unknown): Generator<[string, string, EnvironmentShape]> {
  if (!isRecord(apps)) return;
  for (const [appName, app] of Object.entries(apps)) {
    const environments = isRecord(app) && isRecord(app.environments) ? app.environments : {};
    for (const [envName, env] of Object.entries(environments)) {
      if (isRecord(env)) yield [appName, envName, env];
    }
  }
}

/** [identity key, words for people] of every ECS service and database an environment changes. */
function resourcesOf(env: EnvironmentShape): [string, string][] {
  const found: [string, string][] = [];
  if (typeof env.cluster === 'string' && Array.isArray(env.services)) {
    for (const service of env.services as unknown[]) {
      const name = isRecord(service) ? service.name : undefined;
      if (typeof name !== 'string') continue;
      found.push([`ecs\0${env.cluster}\0${name}`, `ECS service ${name} in cluster ${env.cluster}`]);
    }
  }
  // Parsed, a database is {kind, id}; written, it is {instance} or {cluster}: read both.
  const db = isRecord(env.database) ? env.database : undefined;
  const instance = db?.kind === 'instance' ? db.id : db?.instance;
  const cluster = db?.kind === 'cluster' ? db.id : db?.cluster;
  if (typeof instance === 'string') found.push([`rds\0${instance}`, `RDS instance ${instance}`]);
  if (typeof cluster === 'string') found.push([`aurora\0${cluster}`, `Aurora cluster ${cluster}`]);
  return found;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
