import assert from 'node:assert/strict';
import sinon from 'sinon';
import { ChannelPacer, memoryChannelIds } from '../../../src/slack/channel-pacer';

const SPACING = 30;

describe('ChannelPacer and channel names', () => {
  let clock: sinon.SinonFakeTimers;
  let start: number;
  /** [label, fake ms since start] for every post as it starts */
  let started: [string, number][];

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_764_000_000_000 });
    start = Date.now();
    started = [];
  });

  afterEach(() => {
    clock.restore();
  });

  /** A post that records when it starts and answers as chat.postMessage does, with the channel's id. */
  function post(label: string, channelId = 'C0ENG'): () => Promise<{ channel: string; ts: string }> {
    return async () => {
      started.push([label, Date.now() - start]);
      return { channel: channelId, ts: label };
    };
  }

  it('paces a channel named by name and by id as one, once an answer has told the id', async () => {
    const pacer = new ChannelPacer(SPACING);
    await Promise.all([pacer.run('engineering', post('by name')), clock.tickAsync(0)]);
    const next = [pacer.run('C0ENG', post('by id')), pacer.run('engineering', post('by name again'))];
    await clock.tickAsync(1000);
    await Promise.all(next);
    assert.deepEqual(started, [
      ['by name', 0],
      ['by id', 30],
      ['by name again', 60],
    ]);
  });

  it('keeps names that answer different ids apart', async () => {
    const pacer = new ChannelPacer(SPACING);
    await Promise.all([pacer.run('engineering', post('eng', 'C0ENG')), clock.tickAsync(0)]);
    const next = [pacer.run('C0OPS', post('ops', 'C0OPS'))];
    await clock.tickAsync(1000);
    await Promise.all(next);
    assert.deepEqual(started, [
      ['eng', 0],
      ['ops', 0],
    ]);
  });

  it('tells shared channel ids what it learned', async () => {
    const ids = memoryChannelIds();
    const pacer = new ChannelPacer(SPACING, () => Date.now(), { slots: async () => 0, channelIds: ids });
    await Promise.all([pacer.run('engineering', post('eng')), clock.tickAsync(0)]);
    assert.equal(await ids.idOf('engineering'), 'C0ENG');
    assert.equal(await ids.idOf('random'), 'random');
  });

  it("waits as long as the shared slot says, not this process's own spacing", async () => {
    const waits = [0, 500];
    const pacer = new ChannelPacer(SPACING, () => Date.now(), { slots: async () => waits.shift() ?? 0 });
    const posts = [pacer.run('C0ENG', post('a')), pacer.run('C0ENG', post('b'))];
    await clock.tickAsync(1000);
    await Promise.all(posts);
    assert.deepEqual(started, [
      ['a', 0],
      ['b', 500],
    ]);
  });
});
