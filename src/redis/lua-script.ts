import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script, run with EVALSHA and falling back to EVAL when the server has not
 * seen it yet (first use, after a restart or SCRIPT FLUSH).
 *
 * We use Lua wherever a read and a write must happen as one step (compare a
 * revision then write, check a lock's owner then extend it): Redis runs a script
 * without interleaving other clients' commands, so no WATCH/retry loop is needed.
 *
 * This small wrapper instead of `redis.defineCommand` keeps call sites typed
 * without augmenting ioredis' module types for every script.
 */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(
    redis: Redis,
    keys: readonly string[],
    args: readonly (string | number)[] = [],
  ): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Our scripts reply with a flat array of strings (a status word first), so that
 * each caller narrows one well-known shape instead of `unknown`.
 */
export function stringReply(reply: unknown): string[] {
  if (!Array.isArray(reply) || !reply.every((item): item is string => typeof item === 'string')) {
    throw new Error(`unexpected Lua reply: ${JSON.stringify(reply)}`);
  }
  return reply;
}
