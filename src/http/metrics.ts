import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process, served on GET /metrics. */
export class Metrics {
  readonly registry = new Registry();
  readonly releasesFinished = new Counter({
    name: 'deploybot_releases_finished_total',
    help: 'Releases that ended, by final state',
    labelNames: ['app', 'environment', 'state'] as const,
    registers: [this.registry],
  });
  readonly stepRuns = new Counter({
    name: 'deploybot_step_runs_total',
    help: 'Step job runs, by step and result (next, wait, retry, completed, failed, ignored)',
    labelNames: ['step', 'result'] as const,
    registers: [this.registry],
  });
  readonly stepRunSeconds = new Histogram({
    name: 'deploybot_step_run_seconds',
    help: 'Time one run of a step took (a poll, not the whole step)',
    labelNames: ['step'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'deploybot_' });
  }
}
