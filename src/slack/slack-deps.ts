import type { Redis } from 'ioredis';
import type { Config } from '../config/schema';
import type { Engine } from '../engine/engine';
import type { Logger } from '../logging/logger';
import type { Clock } from '../ports/clock';
import type { Authorizer } from './authorizer';

/** What the Slack listeners in commands/ work with. */
export interface SlackDeps {
  config: Config;
  engine: Pick<Engine, 'service' | 'store' | 'locks' | 'audit'>;
  authorizer: Authorizer;
  /** For telling a first delivery from Slack's retries. */
  redis: Redis;
  prefix: string;
  clock: Clock;
  logger: Logger;
}
