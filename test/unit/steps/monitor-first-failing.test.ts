import assert from 'node:assert/strict';
import type { EnvironmentConfig } from '../../../src/config/schema';
import type { Release, ReleaseFacts, StepRecord } from '../../../src/domain/release';
import { monitor } from '../../../src/steps/monitor';
import { FakeCloud } from '../../fakes/fake-cloud';
import { FakeMetrics } from '../../fakes/fake-metrics';
import { FakeProbe } from '../../fakes/fake-probe';
import { testConfig } from '../../support/test-config';

/** Test config production: 25 ms slots; CPU above 80 % in 2 consecutive samples is a breach. */
const T0 = 1_764_000_000_000;
const SLOT = 25;

interface Run {
  metrics: FakeMetrics;
  release: Release;
  /** Each `facts` patch the step recorded, in order, with the proposals made between them. */
  events: string[];
  at(ms: number): Promise<void>;
  /** The step's note: what the release message shows of the verdict. */
  note(): unknown;
}

function monitorRun(rollbackOf?: Release['rollbackOf']): Run {
  const env = testConfig().apps.backend?.environments.production as EnvironmentConfig;
  env.monitoring.metrics = true;
  env.rollback.cpu = 80;
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
    ...(rollbackOf && { rollbackOf }),
  };
  const events: string[] = [];
  let now = T0;
  return {
    metrics,
    release,
    events,
    note: () => step.progress.note,
    async at(ms) {
      now = T0 + ms;
      await monitor.run({
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
          // Facts are written once, as the real run context does.
          for (const [key, value] of Object.entries(patch.facts ?? {})) {
            const k = key as keyof ReleaseFacts;
            if (release.facts[k] === undefined) Object.assign(release.facts, { [k]: value });
            events.push(`fact ${k}`);
          }
        },
        async post() {},
        async proposeRollback() {
          events.push('proposed');
          return 'backend-production-2';
        },
        async withdrawRollback() {},
      });
    },
  };
}

describe('monitor step: when the release first failed, for time to restore', () => {
  it('records the moment a rule first fires, before it proposes the rollback', async () => {
    const run = monitorRun();
    run.metrics.cpu.set('backend-service', 95);

    await run.at(0);
    await run.at(SLOT + 1);
    assert.equal(run.release.facts.firstFailingAt, undefined, 'one saturated sample is no breach');
    await run.at(2 * SLOT + 1);

    assert.equal(run.release.facts.firstFailingAt, T0 + 2 * SLOT + 1);
    assert.deepEqual(run.events, ['fact firstFailingAt', 'proposed', 'fact rollbackProposal']);
  });

  it('keeps the first time when the rule goes on firing', async () => {
    const run = monitorRun();
    run.metrics.cpu.set('backend-service', 95);

    await run.at(0);
    await run.at(SLOT + 1);
    await run.at(2 * SLOT + 1);
    await run.at(3 * SLOT + 1);

    assert.equal(run.release.facts.firstFailingAt, T0 + 2 * SLOT + 1);
    assert.equal(run.events.filter((e) => e === 'fact firstFailingAt').length, 1);
  });

  it('records nothing on a healthy window, nor on a rollback’s own window', async () => {
    const healthy = monitorRun();
    healthy.metrics.cpu.set('backend-service', 20);
    const rollback = monitorRun({ releaseId: 'backend-production-0', version: 'v1.1.0', requestedBy: 'U1' });
    rollback.metrics.cpu.set('backend-service', 95);

    for (const run of [healthy, rollback]) {
      await run.at(0);
      await run.at(SLOT + 1);
      await run.at(2 * SLOT + 1);
    }

    assert.match(String(rollback.note()), /saturation/, 'the rule did fire on the rollback');
    assert.equal(healthy.release.facts.firstFailingAt, undefined);
    assert.equal(rollback.release.facts.firstFailingAt, undefined);
  });
});
