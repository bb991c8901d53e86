import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Identifiers shaped like AWS's own, so code that parses ARNs and ids works unchanged. */

export function requestId(): string {
  return randomUUID();
}

/** ECS task ids are 32 hex characters. */
export function taskId(): string {
  return randomBytes(16).toString('hex');
}

/** `ecs-svc/` and 19 digits, as ECS names deployments. */
export function deploymentId(): string {
  return `ecs-svc/${Array.from(randomBytes(19), (b) => String(b % 10)).join('')}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The tag of an image reference: after the last `:` of its last path segment. */
export function imageTag(image: string): string | undefined {
  const name = image.split('@')[0] ?? image;
  const slash = name.lastIndexOf('/');
  const colon = name.indexOf(':', slash + 1);
  return colon < 0 ? undefined : name.slice(colon + 1);
}

/**
 * Pagination tokens: opaque to callers, but bound to the query they continue so
 * that a token replayed with other parameters is refused as AWS refuses it.
 */
export function encodeToken(offset: number, query: unknown): string {
  const hash = sha256(JSON.stringify(query)).slice(0, 16);
  return Buffer.from(JSON.stringify({ o: offset, h: hash })).toString('base64url');
}

export function decodeToken(token: string, query: unknown): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      o?: unknown;
      h?: unknown;
    };
    const hash = sha256(JSON.stringify(query)).slice(0, 16);
    if (typeof parsed.o !== 'number' || !Number.isInteger(parsed.o) || parsed.o < 0 || parsed.h !== hash) {
      return undefined;
    }
    return parsed.o;
  } catch {
    return undefined;
  }
}
