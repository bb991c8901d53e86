import { setTimeout as pause } from 'node:timers/promises';

/**
 * Waits on a condition, never on the clock: `probe` is asked every `everyMs`
 * until it yields something other than undefined or false, and the wait fails
 * after `timeoutMs` naming what it waited for (plus `context()`, e.g. a log
 * tail, so a failure explains itself). A probe that throws is a failure at once.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: { timeoutMs: number; everyMs?: number; context?: () => string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      const context = options.context?.();
      throw new Error(
        `timed out after ${options.timeoutMs} ms waiting for ${what}${context ? `\n${context}` : ''}`,
      );
    }
    await pause(options.everyMs ?? 100);
  }
}

/** Resolves with `promise`, or rejects naming `what` once `timeoutMs` passed first. */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
