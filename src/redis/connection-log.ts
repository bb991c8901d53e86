import type { Redis } from 'ioredis';
import { maskSecrets, type Logger } from '../logging/logger';
import { isStoreUnreachable } from './store-outage';

/** How often a connection that stays down is mentioned again. */
export const OUTAGE_REMINDER_MS = 30_000;

interface Outage {
  since: number;
  lastLoggedAt: number;
  /** Errors seen since the last line, not logged one by one. */
  unlogged: number;
}

/**
 * Turns Redis connection errors into a few structured log lines instead of a
 * stream of them. ioredis emits 'error' on every failed reconnect attempt (and
 * prints "[ioredis] Unhandled error event" with a stack trace when nobody
 * listens), BullMQ relays the same errors through its Queue and Worker; during
 * a long outage that would be a line or more a second per connection.
 *
 * Per connection name: the first error after being up is logged at once,
 * then at most one line every `reminderMs` (with how many were left out and
 * for how long it has been down), and one line when it is ready again. Each
 * error line is `{ connection, err: { code, message } }` — no stack, which
 * says nothing about an unreachable server.
 */
export class ConnectionLog {
  private readonly outages = new Map<string, Outage>();
  private readonly logger: Logger;
  private readonly reminderMs: number;
  private readonly now: () => number;

  constructor(logger: Logger, options: { reminderMs?: number; now?: () => number } = {}) {
    // `err` is already the small { code, message } object (masked below); the
    // Error serializer would add an empty stack and a type to it.
    this.logger = logger.child({}, { serializers: { err: (err: unknown) => err } });
    this.reminderMs = options.reminderMs ?? OUTAGE_REMINDER_MS;
    this.now = options.now ?? Date.now;
  }

  /** Listens to a connection's errors and recoveries under `name`; returns the connection. */
  watch<T extends Redis>(redis: T, name: string): T {
    redis.on('error', this.listener(name));
    redis.on('ready', () => this.recovered(name));
    return redis;
  }

  /**
   * An 'error' listener for anything that relays a connection's errors (a
   * BullMQ Queue or Worker), throttled together with that connection's own.
   */
  listener(name: string): (error: unknown) => void {
    return (error) => this.failed(name, error);
  }

  /**
   * The logger with one difference: an error line about an unreachable Redis
   * (`logger.error({ err }, …)` with a connection error) is counted into the
   * throttled lines of connection `name` instead of written. BullMQ Workers and
   * Queues relay every failed reconnect of their own connections to their
   * 'error' listeners, which log each one; given this logger, an outage is one
   * line. Child loggers inherit it (pino derives them with Object.create and
   * keeps the parent's level methods).
   */
  quietConnectionErrors(logger: Logger, name: string): Logger {
    const quiet = Object.create(logger) as Logger;
    const error = logger.error;
    const failed = (err: unknown) => this.failed(name, err);
    quiet.error = function (this: Logger, ...args: Parameters<Logger['error']>) {
      const [first] = args as unknown[];
      const err = first instanceof Error ? first : (first as { err?: unknown } | undefined)?.err;
      if (err !== undefined && isStoreUnreachable(err)) return failed(err);
      return error.apply(this, args);
    } as Logger['error'];
    return quiet;
  }

  private failed(name: string, error: unknown): void {
    const now = this.now();
    const outage = this.outages.get(name);
    if (!outage) {
      this.outages.set(name, { since: now, lastLoggedAt: now, unlogged: 0 });
      this.logger.error({ connection: name, err: describe(error) }, 'redis connection failed');
      return;
    }
    if (now - outage.lastLoggedAt < this.reminderMs) {
      outage.unlogged += 1;
      return;
    }
    this.logger.error(
      { connection: name, err: describe(error), downForMs: now - outage.since, unlogged: outage.unlogged },
      'redis connection still failing',
    );
    outage.lastLoggedAt = now;
    outage.unlogged = 0;
  }

  private recovered(name: string): void {
    const outage = this.outages.get(name);
    if (!outage) return;
    this.outages.delete(name);
    this.logger.info(
      { connection: name, downForMs: this.now() - outage.since, unlogged: outage.unlogged },
      'redis connection restored',
    );
  }
}

/** The code and message of an error, the first inner one's for an AggregateError (dual-stack connect). */
function describe(error: unknown): { code?: string; message: string } {
  if (!(error instanceof Error)) return { message: maskSecrets(String(error)) };
  const inner = error instanceof AggregateError ? (error.errors[0] as unknown) : undefined;
  const code = (error as { code?: unknown }).code ?? (inner as { code?: unknown } | undefined)?.code;
  const message = error.message || (inner instanceof Error ? inner.message : error.name);
  return { ...(typeof code === 'string' ? { code } : {}), message: maskSecrets(message) };
}
