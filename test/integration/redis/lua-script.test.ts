import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { LuaScript, stringReply } from '../../../src/redis/lua-script';
import { cleanup, connectTestRedis, freshPrefix } from '../../support/redis';

describe('LuaScript', () => {
  let redis: Redis;
  let prefix: string;
  const echo = new LuaScript(`return {KEYS[1], ARGV[1], tostring(ARGV[2])}`);

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = freshPrefix();
  });

  afterEach(async () => {
    await cleanup(redis, prefix);
    await redis.quit();
  });

  it('passes keys and arguments to the script', async () => {
    assert.deepEqual(stringReply(await echo.run(redis, [`${prefix}:k`], ['a', 7])), [
      `${prefix}:k`,
      'a',
      '7',
    ]);
  });

  it('still runs after the server forgot its scripts (restart, SCRIPT FLUSH)', async () => {
    await echo.run(redis, [`${prefix}:k`], ['a', 1]);
    await redis.script('FLUSH');
    assert.deepEqual(stringReply(await echo.run(redis, [`${prefix}:k`], ['b', 2])), [
      `${prefix}:k`,
      'b',
      '2',
    ]);
  });

  it('passes script errors through', async () => {
    const broken = new LuaScript(`return redis.call('NOT_A_COMMAND')`);
    await assert.rejects(broken.run(redis, []), /unknown command|Unknown Redis command/i);
  });

  it('rejects a reply that is not a list of strings', () => {
    assert.throws(() => stringReply(42), /unexpected Lua reply/);
    assert.throws(() => stringReply(['ok', 1]), /unexpected Lua reply/);
  });
});
