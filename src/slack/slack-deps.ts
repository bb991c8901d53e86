import type { Redis } from 'ioredis';
import type { Config } from '../config/schema';
import type { Engine } from '../engine/engine';
import type { Logger } from '../logging/logger';
import type { Clock } from '../ports/clock';
import type { Authorizer } from './authorizer';
import type { HomePublisher } from './home/home-publisher';

/**
 * What the Slack listeners in commands/ work with. A person waits on every
 * one of them, so in production the engine and `redis` are built on the
 * fail-fast 'producer' connection (src/main.ts): during an outage a listener
 * learns it within a second and says so, instead of waiting for Redis.
 */
export interface SlackDeps {
  config: Config;
  /** The web side's engine: its store, locks, audit log and queues on the producer connection. */
  engine: Pick<Engine, 'service' | 'store' | 'locks' | 'audit' | 'releaseQueue'>;
  authorizer: Authorizer;
  /**
   * For telling a first delivery from Slack's retries, and for knowing at once
   * that Redis is down (its status is not 'ready').
   */
  redis: Redis;
  prefix: string;
  clock: Clock;
  logger: Logger;
  /** Keeps each viewer's App Home current; absent where no Home tab is served (some tests). */
  home?: HomePublisher;
}
