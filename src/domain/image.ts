/**
 * Swaps the tag of an image reference, keeping registry and repository:
 * `123.dkr.ecr.us-east-1.amazonaws.com/backend:v1.1.0` -> `…/backend:v1.2.0`.
 * A digest pin (`@sha256:…`) is replaced by the tag, since the release names a tag.
 */
export function imageWithTag(image: string, tag: string): string {
  const withoutDigest = image.split('@')[0] as string;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const lastColon = withoutDigest.lastIndexOf(':');
  // A colon before the last slash belongs to a registry port (localhost:5000/app).
  const repository = lastColon > lastSlash ? withoutDigest.slice(0, lastColon) : withoutDigest;
  return `${repository}:${tag}`;
}

/** The task-definition family of an ARN or `family:revision`. */
export function familyOf(taskDefinition: string): string {
  const name = taskDefinition.includes('/') ? (taskDefinition.split('/').pop() as string) : taskDefinition;
  return name.split(':')[0] as string;
}

/** Short `family:revision` for chat. */
export function shortTaskDefinition(taskDefinition: string): string {
  return taskDefinition.includes('/') ? (taskDefinition.split('/').pop() as string) : taskDefinition;
}
