import { perMinute, probeStats, type Baseline } from '../domain/monitoring';
import type { StepHandler } from './step-handler';
import { probeEndpoints } from './health-probes';

/**
 * The "before" picture (runbook "Health Check Baseline"): health latency
 * percentiles and 5xx rate over `monitoring.baselineProbes` probes per
 * endpoint, and the error-log rate over the last monitoring window. Measured
 * once and kept: a resumed run does not measure again.
 */
export const baseline: StepHandler = {
  describe(env) {
    return [
      `HTTP GET each health endpoint ${env.monitoring.baselineProbes} times: p50/p95/p99 and 5xx rate`,
      `CloudWatch Logs FilterLogEvents ${env.logs.group} "${env.logs.errorPattern}" over the last ${Math.round(env.monitoring.window / 60_000)} min`,
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
    const measured: Baseline = {
      ...probeStats(results),
      errorLogsPerMinute: perMinute(errorLogs, from, to),
      at: to,
    };
    await ctx.record({ facts: { baseline: measured } });
    return { kind: 'done', summary: summarize(measured) };
  },
};

function summarize(b: Baseline): string {
  const ms = (x: number | undefined) => (x === undefined ? 'n/a' : `${Math.round(x)}ms`);
  return `p50 ${ms(b.p50)}, p95 ${ms(b.p95)}, p99 ${ms(b.p99)}, 5xx ${(b.errorRate * 100).toFixed(1)}%, ${b.errorLogsPerMinute.toFixed(1)} error logs/min`;
}
