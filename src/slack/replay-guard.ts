import { orWhenLate } from '../deadline';
import { createHash } from 'node:crypto';
import type { AnyMiddlewareArgs, Middleware, RespondFn } from '@slack/bolt';
import type { Redis } from 'ioredis';
import type { Logger } from '../logging/logger';
import { isStoreUnreachable, STORE_UNREACHABLE_TEXT, StoreUnreachableError } from '../redis/store-outage';

export interface ReplayGuardOptions {
  redis: Redis;
  prefix: string;
  logger: Logger;
  /** How long a click is remembered: longer than Slack's 5-minute signature window. */
  rememberSeconds?: number;
  /** A Redis answer slower than this counts as unreachable: Slack's 3 s must hold either way. */
  storeTimeoutMs?: number;
}

/**
 * A replayed interaction has no second effect. Slack gives every click its own
 * `action_ts`, so one user + action id + action_ts names one click; the same
 * triple again is the same request sent twice (a replay of a captured request
 * within its signature window, or a proxy's retry). The first sighting is
 * recorded with SET NX and a TTL beyond the window; a repeat is acknowledged
 * and goes no further, so a replayed tick cannot re-tick an item the user has
 * since unticked. Slash commands are deduplicated by trigger_id in their
 * listeners (isFirstDelivery).
 *
 * When Redis cannot answer, nothing is applied either: the click is
 * acknowledged and its user told, ephemerally, that the store is unreachable.
 */
export function guardAgainstReplays(options: ReplayGuardOptions): Middleware<AnyMiddlewareArgs> {
  const log = options.logger.child({ component: 'replay-guard' });
  const ttl = options.rememberSeconds ?? 600;
  const timeoutMs = options.storeTimeoutMs ?? 2000;
  return async (args) => {
    const click = clickOf(args.body);
    if (!click) return args.next();
    const { ack, respond } = args as { ack?: () => Promise<void>; respond?: RespondFn };
    let first: boolean;
    try {
      first = await orWhenLate(recordFirstSighting(options, click, ttl), timeoutMs, () => {
        throw new StoreUnreachableError();
      });
    } catch (error) {
      if (!isStoreUnreachable(error)) throw error;
      log.warn({ reason: 'store unreachable', actionType: click.type }, 'interaction not applied');
      await ack?.();
      await respond?.({
        response_type: 'ephemeral',
        replace_original: false,
        text: STORE_UNREACHABLE_TEXT,
      }).catch((failure: unknown) =>
        log.warn({ err: failure }, 'could not tell the user the store is unreachable'),
      );
      return;
    }
    if (first) return args.next();
    log.info({ reason: 'replayed interaction', actionType: click.type }, 'interaction not applied');
    await ack?.();
  };
}

interface Click {
  user: string;
  actionId: string;
  actionTs: string;
  type: string;
}

/** A block action names its user, action id and action_ts (the request guard checked their types). */
function clickOf(body: unknown): Click | undefined {
  const b = body as { type?: unknown; user?: { id?: unknown }; actions?: unknown };
  if (b?.type !== 'block_actions' || !Array.isArray(b.actions)) return undefined;
  const action = b.actions[0] as { action_id?: unknown; action_ts?: unknown; type?: unknown } | undefined;
  const user = b.user?.id;
  if (
    typeof user !== 'string' ||
    typeof action?.action_id !== 'string' ||
    typeof action.action_ts !== 'string'
  )
    return undefined;
  return {
    user,
    actionId: action.action_id,
    actionTs: action.action_ts,
    type: typeof action.type === 'string' ? action.type : 'unknown',
  };
}

async function recordFirstSighting(options: ReplayGuardOptions, click: Click, ttl: number): Promise<boolean> {
  // Hashed: action ids are ours but arrive from outside, and keys stay one length.
  const digest = createHash('sha256')
    .update(JSON.stringify([click.user, click.actionId, click.actionTs]))
    .digest('hex');
  const set = await options.redis.set(`${options.prefix}:slack-replay:${digest}`, '1', 'EX', ttl, 'NX');
  return set === 'OK';
}
