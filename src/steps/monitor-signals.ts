import type { EnvironmentConfig } from '../config/schema';
import { newCrashes } from '../domain/crashes';
import type { Crash, MinuteFigures } from '../domain/monitoring';
import type { Release } from '../domain/release';
import type { TrafficCounts } from '../domain/traffic';
import type { AccessLogSpec } from '../ports/access-logs';
import type { AlarmState } from '../ports/alarms';
import { resolveTargets, type LoadBalancerTarget } from './load-balancer-targets';
import { readMinuteFigures } from './minute-signals';
import type { StepPorts } from './step-handler';

/**
 * Reading the signals monitoring judges, each from where AWS keeps it. Every
 * reader answers `undefined` when its signal is not configured or its port is
 * not wired: a signal that is not measured neither confirms nor denies health.
 */

/** Minutes of load-balancer and database figures read back on every sample (the judge needs at most five). */
export const MINUTES_KEPT = 10;
const MINUTE = 60_000;

/** The access-log source of an environment, or undefined when it reads none. */
export function accessLogSpec(env: EnvironmentConfig): AccessLogSpec | undefined {
  const a = env.monitoring.accessLogs;
  if (!a) return undefined;
  const group = a.group ?? env.logs.group;
  return 'json' in a
    ? { group, format: { kind: 'json', ...a.json, latencyUnit: a.latencyUnit } }
    : { group, format: { kind: 'parse', parse: a.parse, latencyUnit: a.latencyUnit } };
}

/** The users' requests in [from, to) (slots on whole seconds share Insights queries). */
export async function readTraffic(
  ports: StepPorts,
  env: EnvironmentConfig,
  from: number,
  to: number,
): Promise<TrafficCounts | undefined> {
  const spec = accessLogSpec(env);
  if (!spec || !ports.accessLogs || to <= from) return undefined;
  return ports.accessLogs.traffic(spec, from, to);
}

/** The load balancer's target groups of the app's services (`monitoring.loadBalancers`). */
export async function loadBalancerTargets(
  ports: StepPorts,
  env: EnvironmentConfig,
): Promise<LoadBalancerTarget[]> {
  const setting = env.monitoring.loadBalancers;
  if (!env.monitoring.metrics || !ports.metricData) return [];
  // Only discovery reads the services; listed target groups are taken as written.
  const discover = setting === 'auto' && ports.loadBalancers !== undefined;
  const services = discover
    ? await ports.platform.describeServices(
        env.cluster,
        env.services.map((s) => s.name),
      )
    : [];
  return resolveTargets(setting, services, ports.loadBalancers);
}

/** Complete minutes of load-balancer and database figures over the last `minutes` minutes. */
export async function readMinutes(
  ports: StepPorts,
  env: EnvironmentConfig,
  targets: readonly LoadBalancerTarget[],
  now: number,
  minutes = MINUTES_KEPT,
): Promise<MinuteFigures[] | undefined> {
  if (!env.monitoring.metrics || !ports.metricData) return undefined;
  if (targets.length === 0 && !env.database) return undefined;
  return readMinuteFigures(
    ports.metricData,
    { targets, database: env.database },
    now - minutes * MINUTE - 3 * MINUTE,
    now,
    now,
  );
}

/** The configured alarms' states now (runbook "No alerts triggered"). */
export async function readAlarms(
  ports: StepPorts,
  env: EnvironmentConfig,
): Promise<AlarmState[] | undefined> {
  const selector = env.monitoring.alarms;
  if (!selector || !ports.alarms) return undefined;
  return ports.alarms.describe(selector);
}

/**
 * Crashes of the release's revisions since its deploy began that are not among
 * `known` (ECS lists a stopped task for about an hour, so each comes back on
 * every poll). Ordinary replacements are not crashes (src/domain/crashes.ts).
 */
export async function readCrashes(
  ports: StepPorts,
  env: EnvironmentConfig,
  release: Release,
  known: readonly Crash[],
): Promise<Crash[]> {
  const revisions = new Set(Object.values(release.facts.targetTaskDefinitions));
  const deploy = release.steps.find((s) => s.name === 'deploy');
  const since = deploy?.startedAt ?? release.startedAt ?? 0;
  const seen = new Set(known.map((c) => c.arn));
  const found: Crash[] = [];
  for (const service of env.services) {
    const stopped = await ports.platform.stoppedTasks(env.cluster, service.name);
    found.push(...newCrashes(stopped, { revisions, since, service: service.name }, seen));
  }
  return found;
}

/**
 * Reads an optional signal without letting it fail the release: an access log
 * too large to page through, a missing permission or an alarm API outage
 * leaves the signal unmeasured for now (and says why), while the release goes
 * on being judged on what could be read.
 */
export async function attempt<T>(
  what: string,
  unread: string[],
  read: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    const code = (error as { code?: unknown; name?: unknown }).code ?? (error as { name?: unknown }).name;
    const message = error instanceof Error ? error.message : String(error);
    unread.push(`${what}: ${typeof code === 'string' ? `${code}: ` : ''}${message}`.slice(0, 300));
    return undefined;
  }
}

/** Newer figures of the same minute replace older ones; only the newest `MINUTES_KEPT` stay. */
export function mergeMinutes(
  kept: readonly MinuteFigures[],
  fresh: readonly MinuteFigures[],
): MinuteFigures[] {
  const byMinute = new Map(kept.map((m) => [m.at, m]));
  for (const m of fresh) byMinute.set(m.at, m);
  return [...byMinute.values()].sort((a, b) => a.at - b.at).slice(-MINUTES_KEPT);
}
