import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import pino from 'pino';
import type { AnyMiddlewareArgs } from '@slack/bolt';
import { STORE_UNREACHABLE_TEXT } from '../../../src/redis/store-outage';
import { guardAgainstReplays } from '../../../src/slack/replay-guard';
import { cleanup, connectTestRedis, freshPrefix } from '../../support/redis';

const logger = pino({ level: 'silent' });

function clickBody(actionTs: string, user = 'U0REQUESTER') {
  return {
    type: 'block_actions',
    user: { id: user },
    actions: [{ type: 'checkboxes', action_id: 'checklist:1', block_id: 'b', action_ts: actionTs }],
  };
}

/** Runs the middleware on `body` and reports what it did. */
async function run(middleware: ReturnType<typeof guardAgainstReplays>, body: unknown) {
  const seen = { next: 0, ack: 0, responses: [] as unknown[] };
  const args = {
    body,
    next: async () => void seen.next++,
    ack: async () => void seen.ack++,
    respond: async (message: unknown) => void seen.responses.push(message),
  };
  await middleware(args as unknown as AnyMiddlewareArgs & { next: () => Promise<void> } as never);
  return seen;
}

/** The replay keys under `prefix` (SCAN, never KEYS, on the shared Redis). */
async function replayKeys(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:slack-replay:*`, 'COUNT', 500);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

describe('the replay guard (Bolt global middleware)', () => {
  describe('on real Redis', () => {
    const prefix = freshPrefix();
    const redis = connectTestRedis();
    const guard = guardAgainstReplays({ redis, prefix, logger });
    after(async () => {
      await cleanup(redis, prefix);
      await redis.quit();
    });

    it('lets a click through once and acknowledges its replay without passing it on', async () => {
      assert.deepEqual(await run(guard, clickBody('1764262000.000001')), { next: 1, ack: 0, responses: [] });
      assert.deepEqual(await run(guard, clickBody('1764262000.000001')), { next: 0, ack: 1, responses: [] });
      const [key] = await replayKeys(redis, prefix);
      const ttl = await redis.ttl(key as string);
      assert.ok(ttl > 300 && ttl <= 600, `remembered beyond Slack's 5-minute window (${ttl}s)`);
    });

    it('tells clicks apart by user and action_ts', async () => {
      assert.equal((await run(guard, clickBody('1764262000.000002'))).next, 1);
      assert.equal((await run(guard, clickBody('1764262000.000002', 'U0APPROVER'))).next, 1);
      assert.equal((await run(guard, clickBody('1764262000.000003'))).next, 1);
    });

    it('passes everything that is not a block action straight on', async () => {
      const command = { command: '/deploy', text: 'help', trigger_id: 't' };
      assert.equal((await run(guard, command)).next, 1);
      assert.equal((await run(guard, command)).next, 1);
    });
  });

  describe('when Redis cannot answer', () => {
    let hanging: Server;
    const sockets: Socket[] = [];
    before(async () => {
      // Accepts connections and never answers: a Redis that hangs.
      hanging = createServer((socket) => void sockets.push(socket));
      await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    });
    after(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    });

    async function expectOutageAnswer(redis: Redis) {
      redis.on('error', () => undefined);
      try {
        const guard = guardAgainstReplays({ redis, prefix: freshPrefix(), logger, storeTimeoutMs: 200 });
        const seen = await run(guard, clickBody('1764262000.000009'));
        assert.equal(seen.next, 0, 'nothing applied');
        assert.equal(seen.ack, 1, 'acknowledged');
        assert.deepEqual(seen.responses, [
          { response_type: 'ephemeral', replace_original: false, text: STORE_UNREACHABLE_TEXT },
        ]);
      } finally {
        redis.disconnect();
      }
    }

    it('a refused connection (fail-fast client): acks and tells the user, ephemerally', async () => {
      const closedPort = await new Promise<number>((resolve) => {
        const probe = createServer();
        probe.listen(0, '127.0.0.1', () => {
          const { port } = probe.address() as { port: number };
          probe.close(() => resolve(port));
        });
      });
      await expectOutageAnswer(
        new Redis({
          port: closedPort,
          host: '127.0.0.1',
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
        }),
      );
    });

    it('a Redis that never answers: gives up within the store timeout rather than hang past Slack’s 3 s', async () => {
      const { port } = hanging.address() as { port: number };
      await expectOutageAnswer(new Redis({ port, host: '127.0.0.1' }));
    });
  });
});
