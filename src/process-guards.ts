import type { Logger } from './logging/logger';

/**
 * Logs an uncaught exception or unhandled rejection as one structured line and
 * keeps the process serving, instead of Node's default of printing a stack and
 * exiting. Returns a function that removes the handlers again (for tests).
 *
 * Why staying up is acceptable here: the process holds no state of its own
 * that an error could leave half-changed. Releases, locks and the audit log
 * live in Redis and change by atomic operations; every step job is idempotent
 * and BullMQ redelivers a job whose run failed or stalled; Slack requests are
 * acknowledged and deduplicated, and a person can simply ask again. Exiting would only widen the
 * damage: with DEPLOYBOT_ROLE=all one bad request would stop the workers and
 * leave a release in flight waiting for a restart.
 */
export function installProcessGuards(logger: Logger): () => void {
  const log = logger.child({ component: 'process-guards' });
  const onException = (error: Error, origin: string) => {
    log.error({ err: error, origin }, 'uncaught exception; still serving');
  };
  const onRejection = (reason: unknown) => {
    log.error(
      { err: reason instanceof Error ? reason : new Error(describe(reason)) },
      'unhandled rejection; still serving',
    );
  };
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}

/** A rejection reason that is not an Error, as text; some values (Object.create(null)) refuse String(). */
function describe(reason: unknown): string {
  try {
    return String(reason);
  } catch {
    return Object.prototype.toString.call(reason);
  }
}
