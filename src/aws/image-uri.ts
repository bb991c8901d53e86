import { InvalidRequestError } from '../domain/errors';
import type { ImageRef } from '../ports/image-registry';

/**
 * Image references as ECS task definitions hold them. Pure string handling, no SDK.
 *
 * An image reference is `[host[:port]/]path[:tag][@digest]`. The tag is the part
 * after the last `:` of the last path segment — a `:` before the last `/` belongs to
 * a registry port (`localhost:5000/app`).
 */

// Docker's own tag grammar: 1–128 characters, not starting with `.` or `-`.
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

// <12-digit account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>
// The repository grammar is ECR's: lowercase components separated by `/`, each
// component words joined by `.`, `_` or `-`.
const ECR_IMAGE =
  /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*)(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)$/;

interface SplitImage {
  /** Registry host and repository path, without tag or digest. */
  name: string;
  tag?: string;
  digest?: string;
}

function splitImage(image: string): SplitImage {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const rest = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon < 0) return { name: rest, ...(digest !== undefined && { digest }) };
  return {
    name: rest.slice(0, colon),
    tag: rest.slice(colon + 1),
    ...(digest !== undefined && { digest }),
  };
}

/**
 * The ECR coordinates of a tagged ECR image, or undefined when the image is not
 * in ECR or is not identified by a tag alone. A digest (`@sha256:…`) pins content
 * regardless of any tag, so a tag-existence check would say nothing about it.
 */
export function parseEcrImage(image: string): ImageRef | undefined {
  const { name, tag, digest } = splitImage(image.trim());
  if (digest !== undefined || tag === undefined || !TAG.test(tag)) return undefined;
  const match = ECR_IMAGE.exec(name);
  if (!match) return undefined;
  const [, registryId, region, repository] = match;
  if (registryId === undefined || region === undefined || repository === undefined) {
    return undefined;
  }
  return { registryId, region, repository, tag };
}

/**
 * The same image with `tag` as its tag. Any digest is dropped: ECS would pull by
 * digest and silently ignore the new tag.
 */
export function withTag(image: string, tag: string): string {
  if (!TAG.test(tag)) {
    throw new InvalidRequestError('invalid_image_tag', `"${tag}" is not a valid image tag`);
  }
  const { name } = splitImage(image.trim());
  if (name === '' || name.endsWith('/')) {
    throw new InvalidRequestError('invalid_image', `"${image}" is not an image reference`);
  }
  return `${name}:${tag}`;
}
