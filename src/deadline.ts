/**
 * `promise`'s outcome, or `late()`'s when it has not settled within `ms` (a
 * throwing `late` rejects). The timer is cleared either way, so an answer
 * never leaves one behind to hold the process open.
 */
export async function orWhenLate<T>(promise: Promise<T>, ms: number, late: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(late());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
