import assert from 'node:assert/strict';
import type { EnvironmentConfig } from '../../../src/config/schema';
import type { Sample } from '../../../src/domain/monitoring';
import type { Json, Release, StepRecord } from '../../../src/domain/release';
import type { StepOutcome } from '../../../src/steps/step-handler';
import { monitor } from '../../../src/steps/monitor';
import { FakeCloud } from '../../fakes/fake-cloud';
import { FakeMetrics } from '../../fakes/fake-metrics';
import { FakeProbe } from '../../fakes/fake-probe';
import { testConfig } from '../../support/test-config';

/** Test config production: a 100 ms window in 25 ms slots, a status post every 2 samples. */
const T0 = 1_764_000_000_000;
const SLOT = 25;
const CLUSTER = 'social-analytics-cluster';

interface Run {
  metrics: FakeMetrics;
  posts: string[][];
  proposals: string[];
  step: StepRecord;
  env: EnvironmentConfig;
  /** Moves the clock to `ms` after the window start and runs the step once. */
  at(ms: number): Promise<StepOutcome>;
  samples(): Sample[];
}

/** The monitor step alone, with fakes behind its ports and a clock the test moves. */
function monitorRun(configure: (env: EnvironmentConfig) => void = () => undefined): Run {
  const env = testConfig().apps.backend?.environments.production as EnvironmentConfig;
  configure(env);
  const metrics = new FakeMetrics();
  const cloud = new FakeCloud();
  const step: StepRecord = { name: 'monitor', state: 'running', runs: 1, progress: {} };
  const release: Release = {
    id: 'backend-production-1',
    app: 'backend',
    environment: 'production',
    version: 'v1.2.0',
    type: 'hotfix',
    requestedBy: 'U0DEPLOYER',
    state: 'running',
    createdAt: T0,
    updatedAt: T0,
    revision: 1,
    steps: [step],
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    checklist: {},
  };
  let now = T0;
  const posts: string[][] = [];
  const proposals: string[] = [];
  const run: Run = {
    metrics,
    posts,
    proposals,
    step,
    env,
    async at(ms) {
      now = T0 + ms;
      return monitor.run({
        release,
        step,
        env,
        ports: {
          platform: cloud,
          registry: cloud,
          database: cloud,
          logs: cloud,
          metrics,
          probe: new FakeProbe(),
          releases: undefined as never,
        },
        clock: { now: () => now },
        pollIntervalMs: 20,
        async record(patch) {
          Object.assign(step.progress, patch.progress ?? {});
          Object.assign(release.facts, patch.facts ?? {});
        },
        async post(lines) {
          posts.push(lines);
        },
        async proposeRollback(reason) {
          proposals.push(reason);
          return 'backend-production-2';
        },
      });
    },
    samples: () => (step.progress.samples ?? []) as Json[] as unknown as Sample[],
  };
  return run;
}

const withMetrics = (env: EnvironmentConfig) => {
  env.monitoring.metrics = true;
};

describe('monitor step: CPU and memory from CloudWatch', () => {
  it('reads every service once, over the latest slot only, and records the busiest of each figure', async () => {
    const run = monitorRun(withMetrics);
    run.metrics.cpu.set('backend-service', 31).set('worker-service', 72.4);
    run.metrics.memory.set('backend-service', 55).set('worker-service', 20);

    await run.at(0);
    await run.at(2 * SLOT + 5); // slots 0 and 1 have ended; 1 is the latest

    assert.deepEqual(run.metrics.calls, [
      {
        cluster: CLUSTER,
        services: ['backend-service', 'worker-service'],
        from: T0 + SLOT,
        to: T0 + 2 * SLOT,
      },
    ]);
    const [backfilled, latest] = run.samples();
    assert.equal(backfilled?.cpu, undefined, 'a slot that passed unwatched keeps its logs only');
    assert.equal(backfilled?.memory, undefined);
    assert.deepEqual(latest?.cpu, { percent: 72.4, service: 'worker-service' });
    assert.deepEqual(latest?.memory, { percent: 55, service: 'backend-service' });
  });

  it('posts the figures with their services in the status post', async () => {
    const run = monitorRun(withMetrics);
    run.metrics.cpu.set('backend-service', 31).set('worker-service', 72.4);
    run.metrics.memory.set('backend-service', 55).set('worker-service', 20);

    await run.at(0);
    await run.at(2 * SLOT + 5);

    assert.equal(run.posts.length, 1);
    assert.equal(run.posts[0]?.[0], 'Monitoring: sample 2/4');
    assert.equal(run.posts[0]?.at(-1), 'cpu 72% (worker-service) memory 55% (backend-service)');
  });

  it('names the service once when it is the busiest for both', async () => {
    const run = monitorRun(withMetrics);
    run.metrics.cpu.set('backend-service', 31.4).set('worker-service', 12);
    run.metrics.memory.set('backend-service', 41.6).set('worker-service', 30);

    await run.at(0);
    await run.at(2 * SLOT + 5);

    assert.equal(run.posts[0]?.at(-1), 'cpu 31% memory 42% (backend-service)');
  });

  it('says n/a, and records nothing, when CloudWatch has no datapoints yet', async () => {
    const run = monitorRun(withMetrics);

    await run.at(0);
    await run.at(2 * SLOT + 5);

    assert.equal(run.metrics.calls.length, 1);
    assert.equal(run.samples()[1]?.cpu, undefined);
    assert.equal(run.posts[0]?.at(-1), 'cpu n/a memory n/a (no CloudWatch datapoints for the slot yet)');
  });

  it('asks CloudWatch nothing, and shows no figures, where metrics are not enabled', async () => {
    const run = monitorRun();
    run.metrics.cpu.set('backend-service', 99);

    await run.at(0);
    await run.at(2 * SLOT + 5);

    assert.equal(run.metrics.calls.length, 0);
    assert.equal(run.samples()[1]?.cpu, undefined);
    assert.ok(
      run.posts[0]?.every((line) => !line.startsWith('cpu')),
      JSON.stringify(run.posts),
    );
    assert.ok(monitor.describe(run.env, 'hotfix').every((line) => !line.includes('GetMetricData')));
  });

  it('lists the GetMetricData call in describe() when enabled', () => {
    const run = monitorRun(withMetrics);
    assert.ok(
      monitor
        .describe(run.env, 'hotfix')
        .includes(
          'CloudWatch GetMetricData AWS/ECS CPUUtilization and MemoryUtilization of backend-service, worker-service over the slot, one request',
        ),
    );
  });

  it('proposes a rollback when CPU stays above rollback.cpu for two consecutive samples, quoting the numbers', async () => {
    const run = monitorRun((env) => {
      withMetrics(env);
      env.rollback.cpu = 80;
    });
    run.metrics.cpu.set('backend-service', 93.5).set('worker-service', 20);

    await run.at(0);
    await run.at(SLOT + 1);
    assert.deepEqual(run.proposals, [], 'one saturated sample is not enough');
    await run.at(2 * SLOT + 1);

    assert.deepEqual(run.proposals, [
      'saturation: cpu 93.5% (backend-service) > 80% in 2 consecutive samples',
    ]);
  });

  it('does not judge saturation without a limit, however high the figures', async () => {
    const run = monitorRun(withMetrics);
    run.metrics.cpu.set('backend-service', 100);
    run.metrics.memory.set('backend-service', 100);

    await run.at(0);
    await run.at(SLOT + 1);
    await run.at(2 * SLOT + 1);

    assert.deepEqual(run.proposals, []);
  });

  it('ends the window with the peak figures among the details', async () => {
    const run = monitorRun(withMetrics);
    run.metrics.cpu.set('backend-service', 30);
    run.metrics.memory.set('worker-service', 40);

    await run.at(0);
    await run.at(SLOT + 1);
    run.metrics.cpu.set('backend-service', 64);
    await run.at(2 * SLOT + 1);
    run.metrics.cpu.set('backend-service', 35);
    const done = await run.at(4 * SLOT + 1);

    assert.equal(done.kind, 'done');
    assert.equal(
      done.kind === 'done' ? done.details?.at(-1) : undefined,
      'peak:   cpu 64% (backend-service) memory 40% (worker-service)',
    );
  });
});
