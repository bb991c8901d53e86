import { formatDuration } from '../domain/duration';
import { perMinute, probeStats, type Baseline } from '../domain/monitoring';
import { trafficPercentile } from '../domain/traffic';
import { dbConnectionsBaseline, loadBalancerBaseline } from './minute-signals';
import {
  accessLogSpec,
  attempt,
  loadBalancerTargets,
  readAlarms,
  readMinutes,
  readTraffic,
} from './monitor-signals';
import { probeEndpoints } from './health-probes';
import type { StepHandler } from './step-handler';

/**
 * The "before" picture (runbook "Health Check Baseline"), over the last
 * monitoring window before the deploy: the users' traffic from access logs,
 * the load balancer's and the database's complete minutes, the alarms' states,
 * the error-log rate and volume, and health-probe latencies. Measured once and
 * kept: a resumed run does not measure again.
 */
export const baseline: StepHandler = {
  describe(env) {
    const window = formatDuration(env.monitoring.window);
    const spec = accessLogSpec(env);
    return [
      `HTTP GET each health endpoint ${env.monitoring.baselineProbes} times: p50/p95/p99 and 5xx rate`,
      `CloudWatch Logs FilterLogEvents ${env.logs.group} "${env.logs.errorPattern}" over the last ${window}`,
      ...(spec
        ? [
            `CloudWatch Logs Insights: requests, 5xx and latency of ${spec.group}'s access logs over the last ${window}`,
          ]
        : []),
      ...(env.monitoring.metrics
        ? [
            `CloudWatch GetMetricData: the load balancer's and database's complete minutes over the last ${window}${env.monitoring.loadBalancers === 'auto' ? ' (target groups found with ELB DescribeTargetGroups)' : ''}`,
          ]
        : []),
      ...(env.monitoring.alarms ? ['CloudWatch DescribeAlarms: which alarms are OK now'] : []),
    ];
  },
  timeoutMs: (env) => env.timeouts.verify,
  async run(ctx) {
    if (ctx.release.facts.baseline) return { kind: 'done', summary: summarize(ctx.release.facts.baseline) };
    const { env, clock, ports } = ctx;
    const results = await probeEndpoints(ports, env.health, env.monitoring.baselineProbes);
    const to = clock.now();
    const from = to - env.monitoring.window;
    const errorLogs = await ports.logs.countMatches(env.logs.group, env.logs.errorPattern, from, to);
    const unread: string[] = [];
    // On whole minutes, so that one Insights query bins it (FilterLogEvents could not page through it).
    const trafficTo = Math.floor(to / 60_000) * 60_000;
    const trafficFrom = Math.floor((trafficTo - env.monitoring.window) / 60_000) * 60_000;
    const traffic = await attempt('access logs', unread, () =>
      readTraffic(ports, env, trafficFrom, trafficTo),
    );
    const targets =
      (await attempt('load balancer target groups', unread, () => loadBalancerTargets(ports, env))) ?? [];
    const minutes = await attempt('CloudWatch minutes', unread, () =>
      readMinutes(ports, env, targets, to, Math.max(1, Math.round(env.monitoring.window / 60_000))),
    );
    const lb = minutes && loadBalancerBaseline(minutes);
    const db = minutes && dbConnectionsBaseline(minutes);
    const alarms = await attempt('alarms', unread, () => readAlarms(ports, env));
    const measured: Baseline = {
      ...probeStats(results),
      errorLogsPerMinute: perMinute(errorLogs, from, to),
      errorLogs: { count: errorLogs, minutes: (to - from) / 60_000 },
      at: to,
      ...(traffic ? { traffic } : {}),
      ...(lb ? { loadBalancer: lb } : {}),
      ...(db !== undefined ? { dbConnections: db } : {}),
      ...(alarms ? { alarms: Object.fromEntries(alarms.map((a) => [a.name, a.state])) } : {}),
      ...(targets.length > 0 ? { loadBalancerTargets: targets } : {}),
      ...(unread.length > 0 ? { unread } : {}),
    };
    await ctx.record({ facts: { baseline: measured } });
    return { kind: 'done', summary: summarize(measured) };
  },
};

function summarize(b: Baseline): string {
  const ms = (x: number | undefined) => (x === undefined ? 'n/a' : `${Math.round(x)}ms`);
  const parts: string[] = [];
  if (b.traffic && b.traffic.requests > 0) {
    const t = b.traffic;
    parts.push(
      `${t.requests.toLocaleString('en-US')} requests: 5xx ${((t.errors / t.requests) * 100).toFixed(2)}%, p99 ${ms(trafficPercentile(t, 99))}`,
    );
  }
  if (b.loadBalancer && b.loadBalancer.requests > 0) {
    const l = b.loadBalancer;
    parts.push(`load balancer ${((l.errors / l.requests) * 100).toFixed(2)}% 5xx, p99 ${ms(l.p99)}`);
  }
  parts.push(`probes p50 ${ms(b.p50)}, p99 ${ms(b.p99)}`);
  parts.push(`${b.errorLogsPerMinute.toFixed(1)} error logs/min`);
  if (b.dbConnections !== undefined) parts.push(`${Math.round(b.dbConnections)} DB connections`);
  if (b.alarms) parts.push(`${Object.keys(b.alarms).length} alarms`);
  for (const u of b.unread ?? []) parts.push(`not measured — ${u}`);
  return parts.join(', ');
}
