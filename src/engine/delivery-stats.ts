import { resolveTarget } from '../config/target';
import type { Config } from '../config/schema';
import { deliveryFigures, type DeliveryFigures } from '../domain/dora/figures';
import type { ReleaseSummary } from '../domain/dora/release-summary';
import { InvalidRequestError } from '../domain/errors';
import type { Clock } from '../ports/clock';
import type { ReleaseStore } from '../ports/release-store';

const DAY = 86_400_000;
/** A year at most: with its previous period that reads two years of summaries, still well under a second. */
export const MAX_STATS_DAYS = 365;

/** `/deploy stats [app] [env] [30d]`: no app means every configured app, no environment every one. */
export interface StatsQuery {
  app?: string;
  environment?: string;
  days: number;
}

export interface StatsAnswer {
  query: StatsQuery;
  /** The app-and-environment pairs the figures cover. */
  scopes: { app: string; environment: string }[];
  /** The last `days` up to now. */
  current: DeliveryFigures;
  /** The `days` before that: what each figure's trend compares against. */
  previous: DeliveryFigures;
  /** When the query spans several apps: each app's own figures for the current period, by name. */
  byApp: { app: string; figures: DeliveryFigures }[];
}

/**
 * DORA figures from the bot's own history. Reads only the release summaries
 * the store keeps beside each release (one script call per app returning small
 * JSON), never the releases, so a year of 50 busy apps is answered well under
 * a second (bench/stats/stats-bench.ts).
 */
export class DeliveryStats {
  constructor(private readonly deps: { config: Config; store: ReleaseStore; clock: Clock }) {}

  async figures(query: StatsQuery): Promise<StatsAnswer> {
    if (!Number.isInteger(query.days) || query.days < 1 || query.days > MAX_STATS_DAYS) {
      throw new InvalidRequestError(
        'invalid_period',
        `a period of 1 to ${MAX_STATS_DAYS} days, like 30d (got ${String(query.days)})`,
      );
    }
    const scopes = scopesOf(this.deps.config, query);
    const now = this.deps.clock.now();
    const length = query.days * DAY;
    const current = { from: now - length, to: now };
    const previous = { from: now - 2 * length, to: now - length };
    const apps = [...new Set(scopes.map((s) => s.app))];
    // Up to a day past now: a release another process created with its clock a
    // little ahead may still be what restored a failure.
    const read = await Promise.all(
      apps.map((app) => this.deps.store.summaries(app, previous.from, now + DAY)),
    );
    const perApp = read.map((list, i) => {
      const environments = new Set(scopes.filter((s) => s.app === apps[i]).map((s) => s.environment));
      return list.filter((s) => environments.has(s.environment));
    });
    const summaries: ReleaseSummary[] = perApp.flat();
    return {
      query,
      scopes,
      current: deliveryFigures(summaries, current, scopes.length),
      previous: deliveryFigures(summaries, previous, scopes.length),
      byApp:
        apps.length < 2
          ? []
          : apps.map((app, i) => ({
              app,
              figures: deliveryFigures(perApp[i] ?? [], current, scopes.filter((s) => s.app === app).length),
            })),
    };
  }
}

/** The configured app-and-environment pairs a query names; refuses names that are not configured. */
function scopesOf(config: Config, query: StatsQuery): { app: string; environment: string }[] {
  if (query.app !== undefined && query.environment !== undefined) {
    const target = resolveTarget(config, query.app, query.environment);
    return [{ app: target.app, environment: target.environment }];
  }
  if (query.app !== undefined) {
    const app = Object.hasOwn(config.apps, query.app) ? config.apps[query.app] : undefined;
    // Throws for an unknown app, with a did-you-mean, before it looks at environments.
    if (!app) resolveTarget(config, query.app);
    return Object.keys(app?.environments ?? {}).map((environment) => ({
      app: query.app as string,
      environment,
    }));
  }
  const scopes = Object.entries(config.apps).flatMap(([app, appConfig]) =>
    Object.keys(appConfig.environments)
      .filter((environment) => query.environment === undefined || environment === query.environment)
      .map((environment) => ({ app, environment })),
  );
  if (scopes.length === 0) {
    throw new InvalidRequestError(
      'unknown_environment',
      `no app has an environment "${String(query.environment)}"`,
    );
  }
  return scopes;
}
