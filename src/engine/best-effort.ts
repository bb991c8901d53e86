import type { Logger } from '../logging/logger';

/**
 * Runs a side channel (chat) whose failure must not stop a rollout: a Slack
 * outage in the middle of an ECS deployment is logged, and the release goes on.
 */
export async function bestEffort(
  logger: Logger,
  what: string,
  action: () => Promise<unknown>,
): Promise<void> {
  try {
    await action();
  } catch (error) {
    logger.warn({ err: error }, `${what} failed; continuing`);
  }
}
