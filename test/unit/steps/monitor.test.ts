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
import { latencyBucket, type TrafficCounts } from '../../../src/domain/traffic';

/** Test config production: a 100 ms window in 25 ms slots, a status post every 2 samples. */
const T0 = 1_764_000_000_000;
const SLOT = 25;
const CLUSTER = 'social-analytics-cluster';

interface Run {
  metrics: FakeMetrics;
  cloud: FakeCloud;
  /** What the users' traffic of each slot looks like; none: no access logs read. */
  traffic?: (from: number) => TrafficCounts;
  withdrawn: string[];
  release: Release;
  posts: string[][];
  /** The step's note as stored when each post was made: what the release message could show by then. */
  notesAtPost: unknown[];
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
  const notesAtPost: unknown[] = [];
  const proposals: string[] = [];
  const withdrawn: string[] = [];
  const run: Run = {
    metrics,
    cloud,
    withdrawn,
    release,
    posts,
    notesAtPost,
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
          accessLogs: {
            traffic: async (_spec, from) => {
              if (!run.traffic) throw new Error('no access logs in this test');
              return run.traffic(from);
            },
          },
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
          notesAtPost.push(step.progress.note);
        },
        async proposeRollback(reason) {
          proposals.push(reason);
          return 'backend-production-2';
        },
        async withdrawRollback(id, reason) {
          withdrawn.push(`${id}: ${reason}`);
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
    assert.match(run.posts[0]?.[0] ?? '', /^Monitoring: sample 2\/4 — /);
    assert.ok(
      run.posts[0]?.includes('cpu 72% (worker-service) memory 55% (backend-service)'),
      JSON.stringify(run.posts),
    );
  });

  it('names the service once when it is the busiest for both', async () => {
    const run = monitorRun(withMetrics);
    run.metrics.cpu.set('backend-service', 31.4).set('worker-service', 12);
    run.metrics.memory.set('backend-service', 41.6).set('worker-service', 30);

    await run.at(0);
    await run.at(2 * SLOT + 5);

    assert.ok(run.posts[0]?.includes('cpu 31% memory 42% (backend-service)'), JSON.stringify(run.posts));
  });

  it('says n/a, and records nothing, when CloudWatch has no datapoints yet', async () => {
    const run = monitorRun(withMetrics);

    await run.at(0);
    await run.at(2 * SLOT + 5);

    assert.equal(run.metrics.calls.length, 1);
    assert.equal(run.samples()[1]?.cpu, undefined);
    assert.ok(
      run.posts[0]?.includes('cpu n/a memory n/a (no CloudWatch datapoints for the slot yet)'),
      JSON.stringify(run.posts),
    );
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
    const line = monitor.describe(run.env, 'hotfix').find((l) => l.includes('GetMetricData'));
    assert.match(
      line ?? '',
      /one CloudWatch GetMetricData per sample moment for every app: AWS\/ECS CPU and memory of backend-service, worker-service/,
    );
    assert.match(line ?? '', /cloudwatch:GetMetricData/);
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
    assert.ok(
      done.kind === 'done' &&
        done.details?.includes('peak:   cpu 64% (backend-service) memory 40% (worker-service)'),
      JSON.stringify(done),
    );
  });
});

describe('monitor step: what the release message shows', () => {
  it('waits with the sample count and the verdict, in the status posts’ words', async () => {
    const run = monitorRun();
    await run.at(0);
    const outcome = await run.at(SLOT + 1);
    assert.equal(outcome.kind, 'wait');
    assert.match(
      outcome.kind === 'wait' ? outcome.note : '',
      /^sample 1\/4 — (healthy so far|inconclusive so far \(too little traffic to judge\))$/,
    );
  });

  it('stores the note before each status post, so a message refreshed before the post is not behind it', async () => {
    const run = monitorRun();
    await run.at(0);
    await run.at(2 * SLOT + 1);
    assert.equal(run.posts.length, 1);
    const heading = run.posts[0]?.[0] ?? '';
    assert.equal(heading, `Monitoring: ${String(run.notesAtPost[0])}`);
    assert.match(heading, /^Monitoring: sample 2\/4 — /);
  });
});

/** n requests a slot, `errors` of them 5xx, latencies spread over 20–40 ms. */
function slotTraffic(n: number, errors: number, slowFactor = 1): TrafficCounts {
  const latency: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const b = String(latencyBucket((20 + (20 * i) / n) * slowFactor));
    latency[b] = (latency[b] ?? 0) + 1;
  }
  return { requests: n, errors, latency };
}

const withAccessLogs = (env: EnvironmentConfig) => {
  env.monitoring.accessLogs = { json: { status: 'status', latency: 'latency_ms' }, latencyUnit: 'ms' };
};

describe("monitor step: judging the users' traffic", () => {
  const baseline = {
    requests: 10,
    failures: 0,
    errorRate: 0,
    p99: 40,
    errorLogsPerMinute: 6,
    errorLogs: { count: 90, minutes: 15 },
    at: T0,
    traffic: slotTraffic(45_000, 90),
  };

  it('a noisy but healthy service (0.4 % 5xx, one error line a slot) runs its window without a proposal', async () => {
    const run = monitorRun(withAccessLogs);
    run.release.facts.baseline = baseline;
    run.traffic = () => slotTraffic(250, 1);
    for (let t = 0; t <= 4 * SLOT; t += SLOT) await run.at(t + 1);
    assert.deepEqual(run.proposals, []);
    assert.ok(run.samples().every((s) => s.traffic?.requests === 250));
  });

  it('12 % 5xx is proposed with the real-traffic numbers', async () => {
    const run = monitorRun(withAccessLogs);
    run.release.facts.baseline = baseline;
    run.traffic = () => slotTraffic(250, 30);
    await run.at(0);
    await run.at(2 * SLOT + 1);
    assert.equal(run.proposals.length, 1);
    assert.match(
      run.proposals[0] ?? '',
      /^error-rate: 5xx 12\.0% of 500 requests in the last 50ms vs 0\.2% of 45,000 at baseline \(limit 5%\)$/,
    );
  });

  it('says the rule fired, then that a rollback was proposed once the proposal exists', async () => {
    const run = monitorRun(withAccessLogs);
    run.release.facts.baseline = baseline;
    run.traffic = () => slotTraffic(250, 30);
    await run.at(0);
    const first = await run.at(2 * SLOT + 1);
    assert.equal(run.proposals.length, 1);
    // The status post comes before its proposal: it cannot say the rollback was proposed yet.
    assert.equal(run.posts[0]?.[0], 'Monitoring: sample 2/4 — error-rate fired');
    assert.equal(first.kind === 'wait' && first.note, 'sample 2/4 — error-rate fired — rollback proposed');
    const next = await run.at(3 * SLOT + 1);
    assert.equal(next.kind === 'wait' && next.note, 'sample 3/4 — error-rate fired — rollback proposed');
    assert.equal(run.proposals.length, 1, 'proposed once');
  });

  it('withdraws its automatic proposal when the window ends with nothing firing any more', async () => {
    const run = monitorRun(withAccessLogs);
    run.release.facts.baseline = baseline;
    // Two bad slots, then two healthy ones with plenty of traffic: by the window's end nothing fires.
    run.traffic = (from) => (from < T0 + 2 * SLOT ? slotTraffic(250, 30) : slotTraffic(2_000, 0));
    await run.at(0);
    await run.at(2 * SLOT + 1);
    assert.equal(run.proposals.length, 1);
    run.release.facts.rollbackProposal = 'backend-production-2';
    const done = await run.at(4 * SLOT + 1);
    assert.equal(done.kind, 'done');
    assert.equal(run.withdrawn.length, 1);
    assert.match(
      run.withdrawn[0] ?? '',
      /^backend-production-2: the release stayed healthy until its 100ms window ended; nothing to roll back$/,
    );
  });

  it('keeps a proposal when the window ends with its rule still firing', async () => {
    const run = monitorRun(withAccessLogs);
    run.release.facts.baseline = baseline;
    run.traffic = () => slotTraffic(250, 30);
    await run.at(0);
    await run.at(2 * SLOT + 1);
    run.release.facts.rollbackProposal = 'backend-production-2';
    await run.at(4 * SLOT + 1);
    assert.deepEqual(run.withdrawn, []);
  });

  it('two crashed tasks of the new revision are proposed with their cause; a replacement is not a crash', async () => {
    const run = monitorRun(withAccessLogs);
    run.release.facts.baseline = baseline;
    run.release.facts.targetTaskDefinitions = { 'backend-service': 'td:8' };
    run.traffic = () => slotTraffic(250, 0);
    const task = (arn: string, stopCode: string, exitCode: number) => ({
      arn,
      taskDefinition: 'td:8',
      stoppedAt: T0 + 10,
      stopCode,
      stoppedReason:
        stopCode === 'EssentialContainerExited'
          ? 'Essential container in task exited'
          : 'Scaling activity initiated by deployment',
      containers: [{ name: 'backend', exitCode }],
    });
    run.cloud.stopped.set('backend-service', [
      task('t1', 'ServiceSchedulerInitiated', 143),
      task('t2', 'EssentialContainerExited', 1),
    ]);
    await run.at(0);
    await run.at(SLOT + 1);
    assert.deepEqual(run.proposals, [], 'one crash and one replacement');
    run.cloud.stopped.get('backend-service')?.push(task('t3', 'EssentialContainerExited', 137));
    await run.at(SLOT + 30_001);
    assert.equal(run.proposals.length, 1);
    assert.match(
      run.proposals[0] ?? '',
      /^crashes: 2 tasks of the new revision crashed \(limit 2\): backend-service: Essential container in task exited.*exited 1.*exited 137/,
    );
  });

  it('says when the verdict rests on the health probes alone, and how to judge real traffic', async () => {
    const run = monitorRun();
    await run.at(0);
    await run.at(2 * SLOT + 5);
    assert.ok(
      run.posts[0]?.some(
        (l) =>
          l.startsWith("Judged on the bot's own health probes only") && l.includes('monitoring.accessLogs'),
      ),
      JSON.stringify(run.posts),
    );
  });
});
