import { InvalidRequestError } from './errors';

/**
 * A release version is also the image tag, so it must be a valid tag (ECR allows
 * [A-Za-z0-9_.-], 128 characters) and look like semantic versioning:
 * `v1.2.0`, `1.2.0`, `v1.2.0-rc.1`.
 */
const VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z]+(?:[.-][0-9A-Za-z]+)*)?$/;
const MAX_LENGTH = 128;

export function isValidVersion(text: string): boolean {
  return text.length <= MAX_LENGTH && VERSION.test(text);
}

/** Returns the version unchanged, or throws a message a person can act on. */
export function parseVersion(text: string): string {
  const trimmed = text.trim();
  if (!isValidVersion(trimmed)) {
    const shown = trimmed.length > 40 ? `${trimmed.slice(0, 40)}…` : trimmed;
    throw new InvalidRequestError(
      'invalid_version',
      `"${shown}" is not a release version; use a tag like v1.2.0, 1.2.0 or v1.2.0-rc.1`,
    );
  }
  return trimmed;
}
