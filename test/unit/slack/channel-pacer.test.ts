import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import sinon from 'sinon';
import { ChannelPacer } from '../../../src/slack/channel-pacer';

const SPACING = 30;

describe('ChannelPacer', () => {
  describe('with fake timers', () => {
    let clock: sinon.SinonFakeTimers;
    let start: number;
    /** [channel, label, fake ms since start] for every post as it starts */
    let started: [string, string, number][];

    beforeEach(() => {
      clock = sinon.useFakeTimers({ now: 1_764_000_000_000 });
      start = Date.now();
      started = [];
    });

    afterEach(() => {
      clock.restore();
    });

    /** A post that records when it starts, takes `durationMs`, and answers its label. */
    function post(channel: string, label: string, durationMs = 0): () => Promise<string> {
      return async () => {
        started.push([channel, label, Date.now() - start]);
        if (durationMs > 0) await new Promise((resolve) => setTimeout(resolve, durationMs));
        return label;
      };
    }

    it('spaces posts to one channel by the spacing, in the order they were asked for', async () => {
      const pacer = new ChannelPacer(SPACING);
      const results = ['a', 'b', 'c', 'd', 'e'].map((label) => pacer.run('C1', post('C1', label)));
      await clock.tickAsync(1000);
      assert.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'd', 'e']);
      assert.deepEqual(started, [
        ['C1', 'a', 0],
        ['C1', 'b', 30],
        ['C1', 'c', 60],
        ['C1', 'd', 90],
        ['C1', 'e', 120],
      ]);
    });

    it('posts at once when the last post to the channel was longer ago than the spacing', async () => {
      const pacer = new ChannelPacer(SPACING);
      await Promise.all([pacer.run('C1', post('C1', 'a')), clock.tickAsync(0)]);
      await clock.tickAsync(100);
      const second = pacer.run('C1', post('C1', 'b'));
      await clock.tickAsync(0);
      assert.equal(await second, 'b');
      assert.deepEqual(started, [
        ['C1', 'a', 0],
        ['C1', 'b', 100],
      ]);
    });

    it('waits only for the rest of the spacing when part of it has passed', async () => {
      const pacer = new ChannelPacer(SPACING);
      void pacer.run('C1', post('C1', 'a'));
      await clock.tickAsync(20);
      void pacer.run('C1', post('C1', 'b'));
      await clock.tickAsync(100);
      assert.deepEqual(
        started.map(([, label, at]) => [label, at]),
        [
          ['a', 0],
          ['b', 30],
        ],
      );
    });

    it('starts a post only after the previous one to the channel has finished', async () => {
      const pacer = new ChannelPacer(SPACING);
      const slow = pacer.run('C1', post('C1', 'slow', 200));
      const next = pacer.run('C1', post('C1', 'next'));
      await clock.tickAsync(1000);
      assert.deepEqual(await Promise.all([slow, next]), ['slow', 'next']);
      assert.deepEqual(
        started.map(([, label, at]) => [label, at]),
        [
          ['slow', 0],
          ['next', 200],
        ],
      );
    });

    it("gives a failing post's error to its caller and still runs later posts on time", async () => {
      const pacer = new ChannelPacer(SPACING);
      const failure = new Error('channel_not_found');
      const first = pacer.run('C1', post('C1', 'a'));
      const failing = pacer.run('C1', async () => {
        started.push(['C1', 'fails', Date.now() - start]);
        throw failure;
      });
      const failingOutcome = failing.then(
        () => 'resolved',
        (error: unknown) => error,
      );
      const third = pacer.run('C1', post('C1', 'c'));
      await clock.tickAsync(1000);
      assert.equal(await first, 'a');
      assert.equal(await failingOutcome, failure);
      assert.equal(await third, 'c');
      assert.deepEqual(
        started.map(([, label, at]) => [label, at]),
        [
          ['a', 0],
          ['fails', 30],
          ['c', 60],
        ],
      );
    });

    it('turns a post that throws synchronously into a rejection for its caller only', async () => {
      const pacer = new ChannelPacer(SPACING);
      const failure = new Error('thrown before any promise');
      const failing = pacer
        .run('C1', () => {
          throw failure;
        })
        .then(
          () => 'resolved',
          (error: unknown) => error,
        );
      const next = pacer.run('C1', post('C1', 'b'));
      await clock.tickAsync(1000);
      assert.equal(await failing, failure);
      assert.equal(await next, 'b');
    });

    it('does not make one channel wait for another', async () => {
      const pacer = new ChannelPacer(SPACING);
      const results = [
        pacer.run('C1', post('C1', 'a1', 500)),
        pacer.run('C2', post('C2', 'b1')),
        pacer.run('C1', post('C1', 'a2')),
        pacer.run('C2', post('C2', 'b2')),
        pacer.run('C3', post('C3', 'c1')),
      ];
      await clock.tickAsync(2000);
      await Promise.all(results);
      const at = Object.fromEntries(started.map(([, label, ms]) => [label, ms]));
      assert.deepEqual(at, { a1: 0, b1: 0, c1: 0, b2: 30, a2: 500 });
    });
  });

  describe('with real timers', () => {
    it('spaces posts to one channel by the spacing (within timer precision), in order', async () => {
      const pacer = new ChannelPacer(SPACING, () => performance.now());
      const starts: number[] = [];
      const order: number[] = [];
      await Promise.all(
        [0, 1, 2, 3, 4].map((k) =>
          pacer.run('C1', async () => {
            starts.push(performance.now());
            order.push(k);
          }),
        ),
      );
      assert.deepEqual(order, [0, 1, 2, 3, 4]);
      for (let k = 1; k < starts.length; k++) {
        const gap = (starts[k] as number) - (starts[k - 1] as number);
        // Node timers have millisecond resolution, so allow one or two ms early.
        assert.ok(gap >= SPACING - 2, `posts ${gap.toFixed(1)} ms apart`);
      }
    });

    it('runs posts to different channels concurrently', async () => {
      const pacer = new ChannelPacer(SPACING);
      const running = new Set<string>();
      let overlap = false;
      const slowPost = (channel: string) => async () => {
        running.add(channel);
        await sleep(50);
        if (running.size > 1) overlap = true;
        running.delete(channel);
      };
      await Promise.all([pacer.run('C1', slowPost('C1')), pacer.run('C2', slowPost('C2'))]);
      assert.ok(overlap, 'the posts to C1 and C2 did not overlap');
    });
  });
});
