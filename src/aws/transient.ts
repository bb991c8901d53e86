import { DeploybotError } from '../domain/errors';

/**
 * Is this error worth retrying later? Used after the SDK's own retries are spent,
 * to decide between "try the step again" and "fail the release".
 *
 * Duck-typed on the fields SDK v3 errors carry (name, $metadata, $retryable) and on
 * Node's system error codes, so callers need not import any SDK. The lists mirror
 * the SDK's own classification (@smithy service-error-classification).
 */

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  // CloudWatch Logs answers rate limits with this; the SDK classifies it as throttling too.
  'LimitExceededException',
  'BandwidthLimitExceeded',
  'PriorRequestNotComplete',
  'SlowDown',
]);

const SERVER_SIDE = new Set([
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'InternalServerException',
  // ECS's name for its own 5xx.
  'ServerException',
]);

const TIMEOUTS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // DNS lookup failed temporarily (ENOTFOUND is left out: it usually means a bad endpoint).
  'EAI_AGAIN',
]);

// Guards against cyclic `cause` chains.
const MAX_DEPTH = 5;

function field(value: object, key: string): unknown {
  return (value as Record<string, unknown>)[key];
}

function isTransientAt(err: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH || typeof err !== 'object' || err === null) return false;
  // Our own errors are decisions already made, whatever caused them.
  if (err instanceof DeploybotError) return false;

  const name = field(err, 'name');
  // A cancelled call was cancelled on purpose.
  if (name === 'AbortError') return false;
  if (typeof name === 'string' && (THROTTLING.has(name) || SERVER_SIDE.has(name) || TIMEOUTS.has(name))) {
    return true;
  }

  // Some SDK errors carry the service's error code in `Code` / `code` rather than `name`.
  for (const key of ['code', 'Code']) {
    const code = field(err, key);
    if (
      typeof code === 'string' &&
      (NETWORK_CODES.has(code) || THROTTLING.has(code) || SERVER_SIDE.has(code) || TIMEOUTS.has(code))
    ) {
      return true;
    }
  }

  // The SDK sets $retryable on errors modelled as retryable.
  if (field(err, '$retryable') !== undefined && field(err, '$retryable') !== null) return true;

  const metadata = field(err, '$metadata');
  if (typeof metadata === 'object' && metadata !== null) {
    const status = field(metadata, 'httpStatusCode');
    if (typeof status === 'number' && (status >= 500 || status === 429)) return true;
  }

  const message = field(err, 'message');
  if (typeof message === 'string' && /socket hang up/i.test(message)) return true;

  // Node wraps connection failures (happy eyeballs) in an AggregateError; fetch and
  // the SDK sometimes wrap the network error in `cause`.
  const inner = field(err, 'errors');
  if (Array.isArray(inner) && inner.some((e) => isTransientAt(e, depth + 1))) return true;
  return isTransientAt(field(err, 'cause'), depth + 1);
}

export function isTransientError(err: unknown): boolean {
  return isTransientAt(err, 0);
}
