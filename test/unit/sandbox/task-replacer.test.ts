import assert from 'node:assert/strict';
import type { ServiceBackend } from '../../../src/sandbox/service/service-backend';
import {
  DEFAULT_REPLACEMENT_EVERY_MS,
  nextReplacementDelay,
  TaskReplacer,
} from '../../../src/sandbox/service/task-replacer';

function backend(replaceTask?: (cluster: string, service: string) => string): ServiceBackend {
  return {
    now: () => 0,
    servingTags: () => [],
    appendLog: () => undefined,
    ...(replaceTask && { replaceTask }),
  };
}

/** Waits, turn by turn of the event loop, until `condition` holds (mocha's timeout bounds it). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('TaskReplacer: ordinary task churn of the sandbox service', () => {
  it('jitters the delay uniformly within everyMs × (1 ± jitter)', () => {
    assert.equal(nextReplacementDelay(240_000, 0.5, 0), 120_000);
    assert.equal(nextReplacementDelay(240_000, 0.5, 0.5), 240_000);
    assert.equal(nextReplacementDelay(240_000, 0.5, 0.75), 300_000);
    assert.ok(nextReplacementDelay(240_000, 0.5, 0.999_999) <= 360_000);
    assert.equal(nextReplacementDelay(1_000, 2, 0), 0, 'never negative');
    assert.equal(DEFAULT_REPLACEMENT_EVERY_MS, 240_000);
  });

  it('replaces a task of the configured service through the emulator', () => {
    const calls: [string, string][] = [];
    const replacer = new TaskReplacer(
      backend((cluster, service) => {
        calls.push([cluster, service]);
        return 'arn:aws:ecs:us-east-1:123456789012:task/c1/stopped';
      }),
      { cluster: 'c1', service: 's1' },
    );
    assert.equal(replacer.supported, true);
    assert.equal(replacer.replaceNow(), true);
    assert.deepEqual(calls, [['c1', 's1']]);
    assert.deepEqual(replacer.counts(), { replaced: 1, failed: 0 });
  });

  it('does nothing against an emulator without replaceTask', () => {
    const replacer = new TaskReplacer(backend());
    assert.equal(replacer.supported, false);
    assert.equal(replacer.replaceNow(), false);
    replacer.start();
    replacer.stop();
    assert.deepEqual(replacer.counts(), { replaced: 0, failed: 0 });
  });

  it('reports a refused replacement and keeps going', () => {
    const seen: unknown[] = [];
    const replacer = new TaskReplacer(
      backend(() => {
        throw new Error('no running task to replace');
      }),
      { onError: (error) => seen.push(error) },
    );
    assert.equal(replacer.replaceNow(), false);
    assert.deepEqual(replacer.counts(), { replaced: 0, failed: 1 });
    assert.match(String(seen[0]), /no running task/);
  });

  it('replaces on its own timer once started, and stop() ends it', async () => {
    let calls = 0;
    const replacer = new TaskReplacer(
      backend(() => {
        calls += 1;
        return 'stopped-task-arn';
      }),
      { everyMs: 2, jitter: 0.5 },
    );
    replacer.start();
    assert.throws(() => replacer.start(), /already started/);
    await until(() => calls >= 3);
    replacer.stop();
    const stoppedAt = calls;
    // Another replacer firing several times proves timers ran after stop(); the first did not.
    let other = 0;
    const witness = new TaskReplacer(
      backend(() => {
        other += 1;
        return 'stopped-task-arn';
      }),
      { everyMs: 2 },
    );
    witness.start();
    await until(() => other >= 5);
    witness.stop();
    assert.equal(calls, stoppedAt);
  });
});
