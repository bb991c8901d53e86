import assert from 'node:assert/strict';
import { redisKeys } from '../../../src/redis/keys';
import { EngineHarness } from '../../support/engine-harness';

const STAGING = { app: 'backend', environment: 'staging' };

/**
 * StepRunner.holdLock, as the reconciler's heartbeat calls it with the copy it
 * read at the start of its sweep: re-taking a lapsed lock must not revive the
 * lock of a release that ended in between.
 */
describe('holding a release’s lock on real Redis', () => {
  let h: EngineHarness;

  beforeEach(() => {
    h = new EngineHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('re-takes a lapsed lock for a release still waiting or running', async () => {
    const release = await h.engine.service.request({ version: 'v1.2.0', ...STAGING, requestedBy: 'U0FIRST' });
    await h.client.del(redisKeys(h.prefix).lock(STAGING));
    assert.equal(await h.engine.runner.holdLock(release), true);
    const holder = await h.engine.locks.holder(STAGING);
    assert.equal(holder?.kind === 'release' && holder.owner, release.id);
  });

  it('gives the lock straight back when the copy it was given ended meanwhile (a sweep read it running)', async () => {
    const release = await h.engine.service.request({ version: 'v1.2.0', ...STAGING, requestedBy: 'U0FIRST' });
    const readBySweep = await h.engine.store.get(release.id);
    assert.ok(readBySweep);
    // The release ends between the sweep's read and its heartbeat, freeing its lock.
    await h.engine.service.cancel(release.id, 'U0FIRST');
    assert.equal(await h.engine.locks.holder(STAGING), undefined);

    assert.equal(await h.engine.runner.holdLock(readBySweep), false);
    assert.equal(await h.engine.locks.holder(STAGING), undefined, 'a finished release holds no lock');
    // The scope is free for the next release at once, not after a lock TTL.
    const next = await h.engine.service.request({ version: 'v1.2.1', ...STAGING, requestedBy: 'U0SECOND' });
    assert.equal(next.state, 'awaiting_start');
  });
});
