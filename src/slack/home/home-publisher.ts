import type { HomeView } from '@slack/types';
import type { Redis } from 'ioredis';
import type { TeamBoard, TeamViewGatherer } from '../../engine/team-view';
import type { Logger } from '../../logging/logger';
import type { Clock } from '../../ports/clock';
import { homeView } from './home-view';

export interface HomePublisherOptions {
  /** views.publish for one user (`client.views.publish({ user_id, view })`). */
  publish: (userId: string, view: HomeView) => Promise<unknown>;
  gatherer: Pick<TeamViewGatherer, 'board' | 'forViewer'>;
  redis: Redis;
  prefix: string;
  clock: Clock;
  logger: Logger;
  /** At most one views.publish per user per this long, across every process. Default 5 s. */
  minIntervalMs?: number;
  /** A user who opened Home this recently gets it refreshed on changes. Default 1 hour. */
  rememberViewersMs?: number;
  /** A burst of changes within this long becomes one refresh. Default 250 ms. */
  settleMs?: number;
}

/**
 * Keeps the Home tabs of the people who look at them up to date. Slack limits
 * views.publish per user, and a release changes many times a minute, so:
 * - only users who opened Home within `rememberViewersMs` are refreshed; they
 *   are remembered in Redis (a sorted set scored by when they last opened it),
 *   so any process — web or worker — refreshes the same people;
 * - each user gets at most one publish per `minIntervalMs`, enforced by a
 *   Redis key that lives that long (SET NX PX): shared, so two processes
 *   cannot both publish; a refresh that finds it set waits until it lapses
 *   and then publishes what is true at that moment (trailing, never lost);
 * - changes coalesce: one board is gathered per flush, for everyone due.
 * Publishing is best effort: a failure is logged, the next change or open tries again.
 */
export class HomePublisher {
  private readonly minIntervalMs: number;
  private readonly rememberMs: number;
  private readonly settleMs: number;
  private readonly log: Logger;
  /** Users owed a refresh, with when the newest change they must see happened. */
  private readonly due = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;
  /** changed() calls still reading the viewers. */
  private reading = 0;
  /** idle() callers, woken after every flush and every read of the viewers. */
  private waiters: (() => void)[] = [];

  constructor(private readonly options: HomePublisherOptions) {
    this.minIntervalMs = options.minIntervalMs ?? 5000;
    this.rememberMs = options.rememberViewersMs ?? 60 * 60_000;
    this.settleMs = options.settleMs ?? 250;
    this.log = options.logger.child({ component: 'home-publisher' });
  }

  /** `userId` opened the Home tab: remember them and publish their view as soon as their limit allows. */
  async opened(userId: string): Promise<void> {
    const { redis, clock } = this.options;
    const key = this.viewersKey();
    await redis.multi().zadd(key, clock.now(), userId).pexpire(key, this.rememberMs).exec();
    this.due.set(userId, this.options.clock.now());
    await this.flush();
  }

  /**
   * Something the Home tab shows changed (a release, a lock, the queue):
   * refresh the recent viewers. Returns at once; never throws.
   */
  changed(): void {
    if (this.closed) return;
    this.reading += 1;
    void this.recentViewers()
      .then(
        (viewers) => {
          const at = this.options.clock.now();
          for (const viewer of viewers) this.due.set(viewer, at);
          if (viewers.length > 0) this.schedule(this.settleMs);
        },
        (error: unknown) => this.log.warn({ err: error }, 'home viewers not read; no refresh'),
      )
      .finally(() => {
        this.reading -= 1;
        this.wake();
      });
  }

  /** Resolves once nothing is owed: no viewers being read, no refresh waiting or running. */
  async idle(): Promise<void> {
    for (;;) {
      await this.flushing;
      if (this.closed || (this.reading === 0 && this.timer === undefined && this.due.size === 0)) return;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Stops the timers; what was due is dropped (the next open publishes anew). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.due.clear();
    this.wake();
  }

  /** Who opened Home within `rememberViewersMs`; older entries are dropped on the way. */
  async recentViewers(): Promise<string[]> {
    const { redis, clock } = this.options;
    const key = this.viewersKey();
    const since = clock.now() - this.rememberMs;
    const [, viewers] = await Promise.all([
      redis.zremrangebyscore(key, '-inf', `(${since}`),
      redis.zrangebyscore(key, since, '+inf'),
    ]);
    return viewers;
  }

  private schedule(inMs: number): void {
    if (this.closed) return;
    const at = this.options.clock.now() + inMs;
    if (this.timer && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      void this.flush();
    }, inMs);
    this.timer.unref();
  }

  /** One flush at a time: a flush asked for during another runs after it. */
  private flush(): Promise<void> {
    this.flushing = this.flushing
      .then(() => this.flushOnce())
      // Never left rejected: every later flush chains on this one.
      .catch((error: unknown) => this.log.warn({ err: error }, 'home refresh failed'))
      .finally(() => this.wake());
    return this.flushing;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private async flushOnce(): Promise<void> {
    if (this.closed || this.due.size === 0) return;
    const users = [...this.due];
    this.due.clear();
    let board: Promise<TeamBoard> | undefined;
    let soonest = Infinity;
    for (const [user, changedAt] of users) {
      try {
        const turn = await this.claim(user, changedAt);
        if (turn === 'covered') continue;
        if (turn > 0) {
          // A change that came in meanwhile is newer: keep it.
          this.due.set(user, Math.max(changedAt, this.due.get(user) ?? 0));
          soonest = Math.min(soonest, turn);
          continue;
        }
        // Gathered once, for the first user due, and after the claim: it shows what is true now.
        board ??= this.options.gatherer.board();
        const view = homeView(await this.options.gatherer.forViewer(await board, user));
        await this.options.publish(user, view);
      } catch (error) {
        this.log.warn({ err: error, user }, 'home tab not published');
        // A board that failed would fail everyone after it: the next user due gathers anew.
        board = undefined;
      }
    }
    if (soonest < Infinity) this.schedule(soonest);
  }

  /**
   * 0 when this process may publish to `user` now (and holds the slot until
   * the interval lapses); 'covered' when a publish that began after
   * `changedAt` holds it (its view already shows the change); else how long
   * until the slot frees. The slot's value is when its publish began: the
   * board is gathered after the claim, so it shows every change before then.
   */
  private async claim(user: string, changedAt: number): Promise<number | 'covered'> {
    const { redis, prefix, clock } = this.options;
    const key = `${prefix}:home:published:${user}`;
    const now = clock.now();
    if ((await redis.set(key, String(now), 'PX', this.minIntervalMs, 'NX')) === 'OK') return 0;
    const [began, left] = await Promise.all([redis.get(key), redis.pttl(key)]);
    if (began !== null && Number(began) > changedAt) return 'covered';
    return left > 0 ? left : 1;
  }

  private viewersKey(): string {
    return `${this.options.prefix}:home:viewers`;
  }
}
