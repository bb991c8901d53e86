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

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/;

/**
 * Semantic-versioning precedence of two release versions (a leading `v` is
 * ignored): negative when `a` is older, positive when newer, 0 when equal.
 * A pre-release (`1.2.0-rc.1`) is older than its release; numeric identifiers
 * compare as numbers and sort before alphanumeric ones.
 */
export function compareVersions(a: string, b: string): number {
  const pa = SEMVER.exec(a);
  const pb = SEMVER.exec(b);
  if (!pa || !pb) return a === b ? 0 : a < b ? -1 : 1;
  for (let i = 1; i <= 3; i++) {
    const diff = Number(pa[i]) - Number(pb[i]);
    if (diff !== 0) return Math.sign(diff);
  }
  return comparePreRelease(pa[4], pb[4]);
}

function comparePreRelease(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const ia = a.split('.');
  const ib = b.split('.');
  for (let i = 0; i < Math.max(ia.length, ib.length); i++) {
    const x = ia[i];
    const y = ib[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Math.sign(Number(x) - Number(y));
    if (nx !== ny) return nx ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
