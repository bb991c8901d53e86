import assert from 'node:assert/strict';
import type { EnvironmentConfig } from '../../../src/config/schema';
import type { Json, Release, ReleaseFacts, StepRecord } from '../../../src/domain/release';
import { preflight } from '../../../src/steps/preflight';
import { FakeCloud } from '../../fakes/fake-cloud';
import { FakeProbe } from '../../fakes/fake-probe';
import { testConfig } from '../../support/test-config';

const T0 = 1_767_225_600_000;

interface Recorded {
  progress?: Record<string, Json>;
  facts?: Partial<ReleaseFacts>;
}

/** Preflight alone against the fake cloud, production's two services; a hotfix, so no staging check. */
async function runPreflight(cloud: FakeCloud): Promise<Recorded[]> {
  const env = testConfig().apps.backend?.environments.production as EnvironmentConfig;
  const step: StepRecord = { name: 'preflight', state: 'running', runs: 1, progress: {} };
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
  const recorded: Recorded[] = [];
  await preflight.run({
    release,
    step,
    env,
    ports: {
      platform: cloud,
      registry: cloud,
      database: cloud,
      logs: cloud,
      probe: new FakeProbe(),
      releases: undefined as never,
    },
    clock: { now: () => T0 },
    pollIntervalMs: 20,
    async record(patch) {
      recorded.push(structuredClone(patch));
    },
    async post() {},
    async proposeRollback() {
      throw new Error('preflight proposes nothing');
    },
    async withdrawRollback() {},
  });
  return recorded;
}

describe('preflight: the change time for lead time', () => {
  it('records the earliest push of the release’s images as the change time, with the checks, in one write', async () => {
    const cloud = new FakeCloud();
    cloud.imagePushedAt.set('backend:v1.2.0', T0 - 3 * 3_600_000);
    cloud.imagePushedAt.set('worker:v1.2.0', T0 - 5 * 3_600_000);

    const recorded = await runPreflight(cloud);

    assert.equal(recorded.length, 1);
    assert.deepEqual(recorded[0]?.facts, { changeAt: { at: T0 - 5 * 3_600_000, source: 'ecr-push' } });
    assert.ok(Array.isArray(recorded[0]?.progress?.checks));
  });

  it('records no change time when the registry knows no push time', async () => {
    const recorded = await runPreflight(new FakeCloud());

    assert.equal(recorded.length, 1);
    assert.equal(recorded[0]?.facts, undefined);
  });

  it('asks the registry once per released container', async () => {
    const cloud = new FakeCloud();

    await runPreflight(cloud);

    assert.equal(cloud.calls.describeImage, 2);
  });
});
