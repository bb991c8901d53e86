import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import {
  redisChannelIds,
  redisPostSlots,
  redisUpdateGate,
  type ChannelUpdateBudget,
} from '../../../src/redis/slack-pacing';
import { ChannelPacer } from '../../../src/slack/channel-pacer';
import { UpdateCoalescer } from '../../../src/slack/update-coalescer';
import { cleanup, connectTestRedis, freshPrefix } from '../../support/redis';

/** A budget whose refill is too slow to matter within a test: only the burst counts. */
const BURST_ONLY = (burst: number): ChannelUpdateBudget => ({ perMinute: burst + 1, burst });

/** Polls `probe` every few ms until it answers true: a condition, not a fixed sleep. */
async function until(probe: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('per-channel Slack budgets through Redis', () => {
  let redis: Redis;
  let other: Redis;
  let prefix: string;

  beforeEach(() => {
    redis = connectTestRedis();
    other = connectTestRedis();
    prefix = freshPrefix();
  });

  afterEach(async () => {
    await cleanup(redis, prefix);
    await Promise.all([redis.quit(), other.quit()]);
  });

  describe('redisUpdateGate with a channel budget', () => {
    it('lets through no more edits to one channel than its budget, whichever process asks', async () => {
      const web = redisUpdateGate(redis, prefix, { budget: BURST_ONLY(3) });
      const worker = redisUpdateGate(other, prefix, { budget: BURST_ONLY(3) });
      const answers = await Promise.all(
        ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].map((id, i) => (i % 2 ? worker : web)(id, 1000, 'C1')),
      );
      assert.equal(answers.filter((wait) => wait === 0).length, 3, `answers ${answers}`);
      for (const wait of answers.filter((w) => w > 0))
        assert.ok(wait <= 5_000, `wait ${wait} above the re-ask cap`);
    });

    it('keeps separate budgets for separate channels', async () => {
      const gate = redisUpdateGate(redis, prefix, { budget: BURST_ONLY(1) });
      assert.equal(await gate('r1', 1000, 'C1'), 0);
      assert.ok((await gate('r2', 1000, 'C1')) > 0, 'C1 is spent');
      assert.equal(await gate('r3', 1000, 'C2'), 0, 'C2 is not held back by C1');
    });

    it('counts a channel named by name and by id as one, once the id is learned', async () => {
      const ids = redisChannelIds(redis, prefix);
      await ids.learn('engineering', 'C0ENG');
      const gate = redisUpdateGate(other, prefix, {
        budget: BURST_ONLY(1),
        channelIds: redisChannelIds(other, prefix),
      });
      assert.equal(await gate('r1', 1000, 'C0ENG'), 0);
      assert.ok((await gate('r2', 1000, 'engineering')) > 0, 'the name spends the same budget as the id');
    });

    it("still spaces one release's edits by its interval when the channel has budget left", async () => {
      const gate = redisUpdateGate(redis, prefix, { budget: BURST_ONLY(10) });
      assert.equal(await gate('r1', 5000, 'C1'), 0);
      const wait = await gate('r1', 5000, 'C1');
      assert.ok(wait > 4000 && wait <= 5000, `wait ${wait}`);
    });

    it('without a channel, applies the per-release interval only', async () => {
      const gate = redisUpdateGate(redis, prefix, { budget: BURST_ONLY(1) });
      assert.equal(await gate('r1', 1000), 0);
      assert.equal(await gate('r2', 1000), 0);
    });

    it('gives a refilled token to the release that has waited longest, not to whoever asks first', async function () {
      this.timeout(10_000);
      // One token at a time, refilled every ~100 ms.
      const gate = redisUpdateGate(redis, prefix, { budget: { perMinute: 601, burst: 1 } });
      assert.equal(await gate('first', 60_000, 'C1'), 0);
      assert.ok((await gate('oldest', 60_000, 'C1')) > 0);
      assert.ok((await gate('younger', 60_000, 'C1')) > 0);
      // The younger release and a newcomer ask before the oldest every round: neither may pass it.
      await until(async () => {
        assert.ok((await gate('younger', 60_000, 'C1')) > 0, 'younger went before oldest');
        assert.ok((await gate('newcomer', 60_000, 'C1')) > 0, 'newcomer went before oldest');
        return (await gate('oldest', 60_000, 'C1')) === 0;
      }, 'the oldest waiter to be let through');
      await until(async () => {
        assert.ok((await gate('newcomer', 60_000, 'C1')) > 0, 'newcomer went before younger');
        return (await gate('younger', 60_000, 'C1')) === 0;
      }, 'the next oldest to be let through');
      await until(async () => (await gate('newcomer', 60_000, 'C1')) === 0, 'the newcomer to be let through');
    });

    it('lets coalescers in two processes send every release’s last state when the channel is over budget', async function () {
      this.timeout(15_000);
      const budget: ChannelUpdateBudget = { perMinute: 601, burst: 1 };
      const sent = new Map<string, number>();
      const stored = new Map<string, number>();
      const make = (connection: Redis) =>
        new UpdateCoalescer(
          async (id) => void sent.set(id, stored.get(id) ?? -1),
          redisUpdateGate(connection, prefix, { budget }),
          20,
        );
      const web = make(redis);
      const worker = make(other);
      const releases = ['a', 'b', 'c', 'd', 'e', 'f'];
      try {
        for (let version = 1; version <= 3; version += 1)
          for (const [i, id] of releases.entries()) {
            stored.set(id, version);
            (i % 2 ? worker : web).request(id, 'C1');
          }
        await until(
          async () => releases.every((id) => sent.get(id) === 3),
          'every release to show its last state',
          10_000,
        );
      } finally {
        web.close();
        worker.close();
      }
    });
  });

  describe('redisPostSlots', () => {
    it('hands out slots of a channel a spacing apart, in the order asked, across connections', async () => {
      const web = redisPostSlots(redis, prefix);
      const worker = redisPostSlots(other, prefix);
      const waits = [await web('C1', 1000), await worker('C1', 1000), await web('C1', 1000)];
      assert.equal(waits[0], 0);
      // Each wait is its slot less the few ms the asks took.
      assert.ok((waits[1] as number) > 900 && (waits[1] as number) <= 1000, `waits ${waits}`);
      assert.ok((waits[2] as number) > 1900 && (waits[2] as number) <= 2000, `waits ${waits}`);
      assert.equal(await worker('C2', 1000), 0, 'another channel has its own slots');
    });
  });

  describe('ChannelPacer with shared slots', () => {
    it('spaces posts of two processes to one channel, named by name in one and by id in the other', async function () {
      this.timeout(10_000);
      const SPACING = 100;
      const starts: { at: number; by: string }[] = [];
      const pacer = (connection: Redis) =>
        new ChannelPacer(SPACING, () => Date.now(), {
          slots: redisPostSlots(connection, prefix),
          channelIds: redisChannelIds(connection, prefix),
        });
      const web = pacer(redis);
      const worker = pacer(other);
      const post = (by: string) => async () => {
        starts.push({ at: performance.now(), by });
        return { ok: true, channel: 'C0ENG', ts: String(starts.length) };
      };
      // The web process learns the id from its first answer; the worker only ever uses the id.
      await web.run('engineering', post('web'));
      await Promise.all([
        web.run('engineering', post('web')),
        worker.run('C0ENG', post('worker')),
        web.run('engineering', post('web')),
        worker.run('C0ENG', post('worker')),
      ]);
      const times = starts.map((s) => s.at).sort((a, b) => a - b);
      for (let k = 1; k < times.length; k += 1) {
        const gap = (times[k] as number) - (times[k - 1] as number);
        // Timers have millisecond resolution, and Redis's clock and ours differ by a few.
        assert.ok(gap >= SPACING - 5, `posts ${gap.toFixed(1)} ms apart`);
      }
      assert.deepEqual(new Set(starts.map((s) => s.by)), new Set(['web', 'worker']));
    });

    it("posts on this process's own spacing when Redis cannot answer", async () => {
      const pacer = new ChannelPacer(30, () => Date.now(), {
        slots: async () => {
          throw new Error('Connection is closed.');
        },
      });
      assert.equal(await pacer.run('C1', async () => 'posted'), 'posted');
    });
  });

  describe('redisChannelIds', () => {
    it('resolves a name learned on one connection on another; ids and unknown names resolve to themselves', async () => {
      await redisChannelIds(redis, prefix).learn('engineering', 'C0ENG');
      const ids = redisChannelIds(other, prefix);
      assert.equal(await ids.idOf('engineering'), 'C0ENG');
      assert.equal(await ids.idOf('C0ENG'), 'C0ENG');
      assert.equal(await ids.idOf('random'), 'random');
    });
  });
});
