import type { ReleaseChat } from '../../ports/release-chat';

/** The chat calls that follow a change the Home tab shows: a release made, moved on, ended; a lock left. */
const CHANGES: ReadonlySet<PropertyKey> = new Set<keyof ReleaseChat>([
  'releaseCreated',
  'releaseUpdated',
  'releaseFinished',
  'appLocked',
]);

/**
 * `chat`, telling `home` after every call that follows a release change. The
 * engine tells its chat about every such change, in every process (web and
 * workers), so this is the one place that sees them all without touching
 * the engine. Every other call passes through untouched, whatever methods
 * the port gains. `home.changed()` returns at once and coalesces, so a
 * release's many updates cost one refresh per viewer per interval.
 */
export function refreshingHome(chat: ReleaseChat, home: { changed(): void }): ReleaseChat {
  return new Proxy(chat, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => Promise<unknown>;
      if (!CHANGES.has(property)) return method.bind(target);
      return async (...args: unknown[]) => {
        try {
          return await method.apply(target, args);
        } finally {
          // Even when chat failed: the release changed all the same.
          home.changed();
        }
      };
    },
  });
}
