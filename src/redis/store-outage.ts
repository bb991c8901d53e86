/**
 * What a person is told when Redis, deploybot's store, does not answer: the
 * request was refused before anything was written or queued.
 */
export const STORE_UNREACHABLE_TEXT =
  "deploybot can't reach its store right now; nothing was started — try again in a minute.";

/** An error raised because Redis is unreachable, not because of anything the request said. */
export class StoreUnreachableError extends Error {
  readonly code = 'store_unreachable';
  constructor(options?: { cause?: unknown }) {
    super(STORE_UNREACHABLE_TEXT, options);
    this.name = 'StoreUnreachableError';
  }
}

/**
 * The ways ioredis says "Redis did not answer" on a fail-fast connection:
 * offline queue off while disconnected, a command timeout, retries used up,
 * a closed connection or a refused/reset socket.
 */
export function isStoreUnreachable(error: unknown): boolean {
  if (error instanceof StoreUnreachableError) return true;
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  if (isStoreUnreachable(error.cause)) return true;
  const code = (error as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTCONN)$/.test(code)
  )
    return true;
  if (error instanceof AggregateError && error.errors.some(isStoreUnreachable)) return true;
  return /Stream isn't writeable|Command timed out|Connection is closed|Reached the max retries per request/.test(
    error.message,
  );
}

/**
 * True when the connection is known to be down right now, so that a request
 * can be answered at once instead of trying: it lost Redis (between reconnect
 * attempts, closed, ended), or it is still connecting and refuses commands
 * until it is ready (the fail-fast producer). A connection with an offline
 * queue that is connecting holds commands until it is ready: not down. A
 * 'ready' connection may still hang on a stopped Redis; its command timeout
 * answers that case.
 */
export function isKnownDown(connection: {
  status: string;
  options?: { enableOfflineQueue?: boolean };
}): boolean {
  if (connection.status === 'ready') return false;
  if (LOST.has(connection.status)) return true;
  return connection.options?.enableOfflineQueue === false;
}

const LOST = new Set(['reconnecting', 'close', 'end']);
