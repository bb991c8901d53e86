import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import type { AuditEntry } from '../../../src/ports/audit-log';
import { RedisAuditLog } from '../../../src/redis/audit-log';
import { cleanup, connectTestRedis, freshPrefix } from '../../support/redis';

describe('RedisAuditLog', () => {
  let redis: Redis;
  let prefix: string;
  let audit: RedisAuditLog;

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = freshPrefix();
    audit = new RedisAuditLog(redis, prefix);
  });

  afterEach(async () => {
    await cleanup(redis, prefix);
    await redis.quit();
  });

  /** Appends entries in order and returns them with the ids the log assigned. */
  async function appendAll(entries: Omit<AuditEntry, 'id'>[]): Promise<AuditEntry[]> {
    const stored: AuditEntry[] = [];
    for (const entry of entries) stored.push({ id: await audit.append(entry), ...entry });
    return stored;
  }

  it('returns appended entries newest first, with their stream ids', async () => {
    const stored = await appendAll([
      {
        at: 1,
        actor: 'U1',
        action: 'deploy.requested',
        app: 'shop',
        environment: 'staging',
        releaseId: 'r1',
      },
      {
        at: 2,
        actor: 'deploybot',
        action: 'deploy.started',
        app: 'shop',
        environment: 'staging',
        releaseId: 'r1',
      },
      { at: 3, actor: 'cli:ana', action: 'lock', app: 'shop', environment: 'production', detail: 'db work' },
    ]);

    assert.match(stored[0]?.id ?? '', /^\d+-\d+$/);
    assert.deepEqual(await audit.recent(10), [...stored].reverse());
    assert.deepEqual(await audit.recent(2), [stored[2], stored[1]]);
  });

  it('returns nothing from an empty log or for a limit of zero', async () => {
    assert.deepEqual(await audit.recent(10), []);
    await audit.append({ at: 1, actor: 'U1', action: 'x' });
    assert.deepEqual(await audit.recent(0), []);
  });

  it('reads undefined optional fields back as absent, not as a string', async () => {
    const id = await audit.append({
      at: 1_764_000_000_123,
      actor: 'U1',
      action: 'help',
      app: undefined,
      detail: undefined,
    });
    const [entry] = await audit.recent(1);
    assert.deepEqual(entry, { id, at: 1_764_000_000_123, actor: 'U1', action: 'help' });
    assert.ok(entry && !('app' in entry) && !('detail' in entry));
  });

  it('keeps text with spaces, newlines and unicode intact', async () => {
    const detail = 'rolled back:\n  task exited 1 — “migration failed” ✗';
    await audit.append({ at: 1, actor: 'U1', action: 'rollback', detail });
    assert.equal((await audit.recent(1))[0]?.detail, detail);
  });

  it('filters by app and by release id, reading past non-matching batches', async () => {
    audit = new RedisAuditLog(redis, prefix, { batchSize: 2 });
    const stored = await appendAll([
      { at: 1, actor: 'U1', action: 'deploy', app: 'billing', releaseId: 'r-billing' },
      { at: 2, actor: 'U1', action: 'deploy', app: 'shop', releaseId: 'r-shop-1' },
      { at: 3, actor: 'U1', action: 'deploy', app: 'shop', releaseId: 'r-shop-2' },
      ...Array.from({ length: 7 }, (_, i) => ({ at: 10 + i, actor: 'U2', action: 'chat', app: 'search' })),
    ]);
    const [billing, shop1, shop2] = stored;

    assert.deepEqual(await audit.recent(10, { app: 'shop' }), [shop2, shop1]);
    assert.deepEqual(await audit.recent(1, { app: 'shop' }), [shop2]);
    assert.deepEqual(await audit.recent(10, { app: 'billing' }), [billing]);
    assert.deepEqual(await audit.recent(10, { releaseId: 'r-shop-1' }), [shop1]);
    assert.deepEqual(await audit.recent(10, { app: 'billing', releaseId: 'r-shop-1' }), []);
    assert.deepEqual(await audit.recent(10, { app: 'nothing' }), []);
  });

  it('caps the stream approximately at maxLength', async () => {
    audit = new RedisAuditLog(redis, prefix, { maxLength: 10 });
    for (let i = 0; i < 500; i += 1) await audit.append({ at: i, actor: 'U1', action: 'spam' });

    const length = await redis.xlen(`${prefix}:audit`);
    assert.ok(length >= 10 && length < 500, `stream was trimmed (length ${length})`);
    assert.equal((await audit.recent(1))[0]?.at, 499, 'trimming drops the oldest entries');
  });
});
