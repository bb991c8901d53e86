import assert from 'node:assert/strict';
import type { HomeView } from '@slack/types';
import type { Redis } from 'ioredis';
import pino from 'pino';
import type { TeamBoard } from '../../../src/engine/team-view';
import { systemClock } from '../../../src/ports/clock';
import { HomePublisher, type HomePublisherOptions } from '../../../src/slack/home/home-publisher';
import { cleanup, connectTestRedis, freshPrefix } from '../../support/redis';

/**
 * A board that says how many times it was gathered, in its `now`, so that a
 * published view shows which gathering it came from.
 */
function countingGatherer(): HomePublisherOptions['gatherer'] & { boards: number } {
  const gatherer = {
    boards: 0,
    board: async (): Promise<TeamBoard> => {
      gatherer.boards += 1;
      return { now: gatherer.boards * 60_000, apps: [], lastReleases: [], related: {}, proposals: [] };
    },
    forViewer: async (board: TeamBoard, viewer: string) => {
      const { proposals: _proposals, ...shared } = board;
      return { ...shared, viewer, pendingApprovals: [] };
    },
  };
  return gatherer;
}

/** The Updated line names the board's `now`: here, a minute per gathering. */
function boardOf(view: HomeView): number {
  const match = /<!date\^(-?\d+)\^/.exec(JSON.stringify(view.blocks[1]));
  return Number(match?.[1]);
}

describe('HomePublisher on real Redis', function () {
  this.timeout(10_000);
  let redis: Redis;
  let prefix: string;
  let published: { user: string; view: HomeView }[];
  const publishers: HomePublisher[] = [];

  function publisher(
    gatherer = countingGatherer(),
    options: Partial<HomePublisherOptions> = {},
  ): HomePublisher {
    const made = new HomePublisher({
      publish: async (user, view) => void published.push({ user, view }),
      gatherer,
      redis,
      prefix,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      minIntervalMs: 300,
      settleMs: 10,
      ...options,
    });
    publishers.push(made);
    return made;
  }

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = freshPrefix();
    published = [];
  });
  afterEach(async () => {
    for (const p of publishers.splice(0)) p.close();
    await cleanup(redis, prefix);
    await redis.quit();
  });

  const to = (user: string) => published.filter((p) => p.user === user);

  it('publishes on open, and on a change only to those who opened Home, from any process', async () => {
    const web = publisher();
    const worker = publisher();
    await web.opened('U0APPROVER');
    assert.equal(to('U0APPROVER').length, 1);
    assert.equal(to('U0APPROVER')[0]?.view.type, 'home');
    await redis.del(`${prefix}:home:published:U0APPROVER`);

    // The worker never saw the open; Redis tells it who looks.
    worker.changed();
    await worker.idle();
    assert.deepEqual(
      published.map((p) => p.user),
      ['U0APPROVER', 'U0APPROVER'],
    );
    assert.deepEqual(await worker.recentViewers(), ['U0APPROVER']);
  });

  it('forgets viewers who have not opened Home recently', async () => {
    const web = publisher(countingGatherer(), { rememberViewersMs: 50 });
    await web.opened('U0OLD');
    await redis.zadd(`${prefix}:home:viewers`, Date.now() - 60_000, 'U0OLD');
    await redis.del(`${prefix}:home:published:U0OLD`);
    web.changed();
    await web.idle();
    assert.equal(to('U0OLD').length, 1, 'only the open published');
    assert.deepEqual(await redis.zrange(`${prefix}:home:viewers`, '0', '-1'), []);
  });

  it('turns a burst of changes in two processes into one trailing publish per user, showing the last state', async () => {
    const gatherer = countingGatherer();
    const web = publisher(gatherer);
    const worker = publisher(gatherer);
    await web.opened('U0APPROVER');
    await web.opened('U0LEAD');
    assert.equal(published.length, 2);
    for (let i = 0; i < 25; i += 1) {
      web.changed();
      worker.changed();
    }
    await Promise.all([web.idle(), worker.idle()]);
    // Each user: the open, then exactly one refresh after their interval, not 50.
    assert.equal(to('U0APPROVER').length, 2);
    assert.equal(to('U0LEAD').length, 2);
    // The refresh gathered after the burst: it shows a board newer than any the opens used.
    const opened = Math.max(...published.slice(0, 2).map((p) => boardOf(p.view)));
    assert.ok(boardOf(to('U0APPROVER')[1]!.view) > opened);
    assert.ok(gatherer.boards <= 4, `${gatherer.boards} boards gathered`);
  });

  it('keeps publishing after one publish fails', async () => {
    let fail = true;
    const flaky = publisher(countingGatherer(), {
      publish: async (user, view) => {
        if (fail) {
          fail = false;
          throw new Error('views.publish failed');
        }
        published.push({ user, view });
      },
      minIntervalMs: 1,
    });
    await flaky.opened('U0APPROVER');
    assert.equal(published.length, 0);
    await flaky.opened('U0APPROVER');
    // Right away, or once the failed attempt's interval lapsed.
    await flaky.idle();
    assert.equal(published.length, 1);
  });
});
