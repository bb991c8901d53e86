import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { createLogger } from '../../../src/logging/logger';
import { ConnectionLog } from '../../../src/redis/connection-log';

type Line = Record<string, unknown> & { msg: string; level: string };

function refused(port = 6390): Error {
  return Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:${port}`), { code: 'ECONNREFUSED' });
}

describe('ConnectionLog', () => {
  let lines: Line[];
  let now: number;
  let log: ConnectionLog;

  beforeEach(() => {
    lines = [];
    now = 1_000_000;
    const destination = collect(lines);
    // pino writes synchronously to a plain stream: every line is in `lines` when the call returns.
    log = new ConnectionLog(createLogger({ level: 'info', destination }), { now: () => now });
  });

  /** An ioredis connection as far as the log is concerned: something that emits 'error' and 'ready'. */
  function connection(): Redis {
    return new EventEmitter() as unknown as Redis;
  }

  it('logs the first error of an outage at once, as one structured line without a stack', () => {
    const redis = log.watch(connection(), 'producer');
    redis.emit('error', refused());
    assert.equal(lines.length, 1);
    const [line] = lines as [Line];
    assert.equal(line.level, 'error');
    assert.equal(line.connection, 'producer');
    assert.deepEqual(line.err, { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:6390' });
  });

  it('says at most one more line every 30 s while the outage lasts, counting what it left out', () => {
    const redis = log.watch(connection(), 'worker');
    for (let second = 0; second < 70; second += 1) {
      // ioredis retries about every second and reports each failed attempt.
      redis.emit('error', refused());
      redis.emit('error', refused());
      now += 1000;
    }
    assert.deepEqual(
      lines.map((l) => [l.msg, l.unlogged, l.downForMs]),
      [
        ['redis connection failed', undefined, undefined],
        ['redis connection still failing', 59, 30_000],
        ['redis connection still failing', 59, 60_000],
      ],
    );
  });

  it('says when the connection is back, and how long it was away', () => {
    const redis = log.watch(connection(), 'client');
    redis.emit('ready');
    assert.equal(lines.length, 0, 'connecting the first time is not news');
    redis.emit('error', refused());
    now += 4000;
    redis.emit('error', refused());
    redis.emit('ready');
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg, l.connection, l.downForMs, l.unlogged]),
      [
        ['error', 'redis connection failed', 'client', undefined, undefined],
        ['info', 'redis connection restored', 'client', 4000, 1],
      ],
    );
    redis.emit('error', refused());
    assert.equal(lines.at(-1)?.msg, 'redis connection failed', 'the next outage is news again');
  });

  it('throttles each connection on its own', () => {
    const producer = log.watch(connection(), 'producer');
    const worker = log.watch(connection(), 'worker');
    producer.emit('error', refused());
    worker.emit('error', refused());
    producer.emit('error', refused());
    assert.deepEqual(
      lines.map((l) => l.connection),
      ['producer', 'worker'],
    );
  });

  it('counts errors a BullMQ queue relays together with its connection', () => {
    const producer = log.watch(connection(), 'producer');
    const queue = new EventEmitter();
    queue.on('error', log.listener('producer'));
    producer.emit('error', refused());
    queue.emit('error', refused());
    producer.emit('ready');
    assert.deepEqual(
      lines.map((l) => [l.msg, l.unlogged]),
      [
        ['redis connection failed', undefined],
        ['redis connection restored', 1],
      ],
    );
  });

  it('masks a password that an error message carries', () => {
    log.listener('producer')(new Error('cannot connect to redis://deploybot:s3cret@redis.internal:6379'));
    assert.doesNotMatch(JSON.stringify(lines), /s3cret/);
  });

  it('names the first cause of a dual-stack connect failure', () => {
    log.listener('producer')(new AggregateError([refused(), refused()], ''));
    assert.deepEqual(lines[0]?.err, { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:6390' });
  });

  describe('quietConnectionErrors', () => {
    it('counts error lines about an unreachable Redis into the connection, and logs the rest as they are', () => {
      const logger = createLogger({ level: 'info', destination: collect(lines) });
      const quiet = log.quietConnectionErrors(logger, 'worker');
      for (let i = 0; i < 20; i += 1) quiet.error({ err: refused() }, 'step worker error');
      quiet.error({ err: new Error('Missing lock for job 7. moveToFinished') }, 'step worker error');
      quiet.info('step succeeded');
      assert.deepEqual(
        lines.map((l) => [l.level, l.msg, l.connection]),
        [
          ['error', 'redis connection failed', 'worker'],
          ['error', 'step worker error', undefined],
          ['info', 'step succeeded', undefined],
        ],
      );
    });

    it('keeps doing so in child loggers, with their bindings', () => {
      const logger = createLogger({ level: 'info', destination: collect(lines) });
      const child = log.quietConnectionErrors(logger, 'worker').child({ releaseId: 'r-1' });
      child.error({ err: new Error('Connection is closed.') }, 'could not mark the release failed');
      child.error({ err: new Error('boom') }, 'could not mark the release failed');
      assert.deepEqual(
        lines.map((l) => [l.msg, l.connection, l.releaseId]),
        [
          ['redis connection failed', 'worker', undefined],
          ['could not mark the release failed', undefined, 'r-1'],
        ],
      );
    });
  });
});

function collect(into: Line[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n').filter(Boolean)) into.push(JSON.parse(text) as Line);
      done();
    },
  });
}
