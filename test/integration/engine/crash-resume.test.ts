import assert from 'node:assert/strict';
import type { StepName } from '../../../src/domain/release';
import { EngineHarness } from '../../support/engine-harness';

/**
 * A worker dies in the middle of each step — at the worst moment, right after
 * the step's side effect reached AWS and before the step recorded it. Another
 * worker must take the job over and finish the release without doing any side
 * effect a second time.
 */
interface CrashPoint {
  step: StepName;
  /** The call after (or before) which the worker dies. */
  method: string;
  phase: 'before' | 'after';
  /** Which occurrence of that call, counting from 1. */
  nth: number;
}

const CRASH_POINTS: CrashPoint[] = [
  { step: 'preflight', method: 'describeImage', phase: 'after', nth: 1 },
  { step: 'backup', method: 'createSnapshot', phase: 'after', nth: 1 },
  { step: 'migrate', method: 'registerImageRevision', phase: 'after', nth: 1 },
  { step: 'migrate', method: 'runTask', phase: 'after', nth: 1 },
  { step: 'deploy', method: 'registerImageRevision', phase: 'after', nth: 2 },
  { step: 'deploy', method: 'updateService', phase: 'after', nth: 1 },
  { step: 'deploy', method: 'updateService', phase: 'after', nth: 2 },
  // Baseline probes each of the 3 endpoints 3 times (test config): probes #1-9.
  { step: 'baseline', method: 'probe', phase: 'before', nth: 2 },
  { step: 'verify', method: 'probe', phase: 'before', nth: 11 },
  { step: 'monitor', method: 'countMatches', phase: 'after', nth: 3 },
];

describe('a worker killed in the middle of a step', () => {
  let h: EngineHarness;

  beforeEach(() => {
    h = new EngineHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  for (const point of CRASH_POINTS) {
    it(`resumes ${point.step} on another worker after dying ${point.phase} ${point.method} #${point.nth}, each side effect once`, async () => {
      let seen = 0;
      let crashed = false;
      let releaseHungWorker: () => void = () => undefined;
      const hook = async (method: string, phase: 'before' | 'after') => {
        if (crashed || method !== point.method || phase !== point.phase) return;
        seen += 1;
        if (seen < point.nth) return;
        crashed = true;
        h.kill(h.engine);
        h.addWorker();
        // The dead worker never gets past this line.
        await new Promise<void>((resolve) => (releaseHungWorker = resolve));
        throw new Error('a dead worker cannot continue');
      };
      h.cloud.hook = hook;
      h.probe.hook = hook;

      const started = await h.release('v1.2.0', 'production', 'hotfix');
      const done = await h.waitForEnd(started.id);
      releaseHungWorker();

      assert.ok(crashed, 'the crash point was reached');
      assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));
      const crashedStep = done.steps.find((s) => s.name === point.step);
      assert.ok((crashedStep?.runs ?? 0) >= 2, `${point.step} ran again on the second worker`);
      assert.deepEqual(h.cloud.sideEffects(), {
        createSnapshot: 1,
        registerImageRevision: 2,
        updateService: 2,
        runTask: 1,
        restore: 0,
      });
      assert.equal(h.cloud.snapshots.size, 1);
      assert.equal(h.cloud.tasks.size, 1);
      assert.equal(await h.engine.locks.holder({ app: 'backend', environment: 'production' }), undefined);
    });
  }
});
