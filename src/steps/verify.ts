import { endpointUrl } from '../domain/health';
import { StepFailure } from '../domain/errors';
import type { ProbeResult } from '../ports/probe';
import type { StepHandler } from './step-handler';

/**
 * The health endpoints answer 2xx (runbook "Verify Deployment"). A service that
 * just finished rolling out may need a moment behind its load balancer, so verify
 * tries `health.attempts` times, `health.interval` apart, before failing.
 */
export const verify: StepHandler = {
  describe(env) {
    return env.health.endpoints.map((path) => `HTTP GET ${endpointUrl(env.health.url, path)} expecting 2xx`);
  },
  timeoutMs: (env) => env.timeouts.verify,
  async run(ctx) {
    const { health } = ctx.env;
    const results: ProbeResult[] = [];
    for (const path of health.endpoints) {
      results.push(await ctx.ports.probe.get(endpointUrl(health.url, path), health.timeout));
    }
    const lines = results.map(
      (r) =>
        `${isHealthy(r) ? '✓' : '✗'} ${r.url} → ${r.status || r.error || 'no answer'} in ${Math.round(r.latencyMs)}ms`,
    );
    if (results.every(isHealthy)) {
      return { kind: 'done', summary: `${results.length} health endpoints answered 2xx`, details: lines };
    }
    const attempt = Number(ctx.step.progress.attempt ?? 0) + 1;
    await ctx.record({ progress: { attempt, lastResults: lines } });
    if (attempt < health.attempts) {
      return {
        kind: 'wait',
        note: `attempt ${attempt}/${health.attempts}: ${lines.join('; ')}`,
        delayMs: health.interval,
      };
    }
    throw new StepFailure(
      'verify_failed',
      `health checks failed after ${attempt} attempts:\n${lines.join('\n')}`,
    );
  },
};

function isHealthy(result: ProbeResult): boolean {
  return result.status >= 200 && result.status < 300;
}
