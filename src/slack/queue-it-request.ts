import type { Config } from '../config/schema';
import { resolveTarget } from '../config/target';
import { InvalidRequestError } from '../domain/errors';
import { isReleaseType, type ReleaseType } from '../domain/release';
import { parseVersion } from '../domain/version';
import { isRecord } from './payload-shape';

/**
 * What "Queue it" asks for: the refused request, carried in the button's
 * value. It comes back from Slack like typed text, so it is checked again
 * against the configuration when clicked: a value nobody could have been
 * offered is refused, never half-used.
 */
export interface QueueItRequest {
  version: string;
  app: string;
  environment: string;
  type: ReleaseType;
  /** Why it waits, in words: "backend/production is busy with r… (v1.1.0)", "outside its window". */
  why: string;
}

const WHY_MAX = 300;

export function parseQueueItValue(value: unknown, config: Config): QueueItRequest {
  const bad = (what: string) =>
    new InvalidRequestError('invalid_queue_request', `the Queue it button ${what}`);
  if (typeof value !== 'string' || value.length > 2000) throw bad('carries no request');
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw bad('carries no request');
  }
  if (!isRecord(parsed)) throw bad('carries no request');
  const { version, app, environment, type, why } = parsed;
  if (typeof version !== 'string' || typeof app !== 'string' || typeof environment !== 'string') {
    throw bad('names no version, app and environment');
  }
  if (typeof type !== 'string' || !isReleaseType(type)) throw bad('names no release type');
  if (typeof why !== 'string' || why.length > WHY_MAX) throw bad('says no reason');
  // Unknown names are refused with the same words as typed ones.
  const target = resolveTarget(config, app, environment);
  return { version: parseVersion(version), app: target.app, environment: target.environment, type, why };
}
