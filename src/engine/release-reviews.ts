import { InvalidRequestError } from '../domain/errors';
import type { Release, ReleaseReview } from '../domain/release';
import {
  isSameReview,
  releaseReview,
  reviewRefusal,
  REVIEW_QUESTIONS,
  type ReviewAnswers,
} from '../domain/review';
import type { AuditLog } from '../ports/audit-log';
import type { ReleaseStore } from '../ports/release-store';
import { updateRelease } from './update-release';

export const REVIEWED_ACTION = 'release.reviewed';

/** What recording a review did: stored it (replacing `replaced`), or found it already stored. */
export interface RecordedReview {
  release: Release;
  replaced?: ReleaseReview;
  unchanged?: true;
}

/**
 * Stores a post-deployment review with its release (compare-and-set, so a
 * review never overwrites a concurrent write to the release) and audits it.
 * Anyone may review a finished release; a later review replaces the earlier
 * one whole (answered back as `replaced`), and is audited again naming whose
 * it replaced. The same answers from the same person again (a replayed
 * submission, Save pressed twice) change nothing and are not audited again:
 * the answer says `unchanged`, so the caller does not announce it twice.
 *
 * Refuses (InvalidRequestError) a release that does not exist
 * (`release_not_found`) or has not finished (`review_too_early`); nothing is
 * written then. The audit entry follows the write: if appending it fails the
 * review is stored and the error reaches the caller.
 */
export async function recordReview(
  store: ReleaseStore,
  audit: AuditLog,
  releaseId: string,
  by: string,
  answers: ReviewAnswers,
  now: number,
): Promise<RecordedReview> {
  if (!(await store.get(releaseId))) {
    throw new InvalidRequestError('release_not_found', `There is no release ${releaseId}.`);
  }
  let replaced: ReleaseReview | undefined;
  let unchanged = false;
  const saved = await updateRelease(store, releaseId, (current) => {
    const refusal = reviewRefusal(current);
    if (refusal) throw new InvalidRequestError('review_too_early', refusal);
    // Reset on every try: a concurrent twin may have stored these very answers in between.
    unchanged = isSameReview(current.review, answers, by);
    if (unchanged) return undefined;
    replaced = current.review;
    return { ...current, review: releaseReview(answers, by, now) };
  });
  if (unchanged) return { release: saved, unchanged: true };
  await audit.append({
    at: now,
    actor: by,
    action: REVIEWED_ACTION,
    app: saved.app,
    environment: saved.environment,
    releaseId: saved.id,
    detail: auditDetail(answers, replaced),
  });
  return replaced ? { release: saved, replaced } : { release: saved };
}

/** Which questions were answered, and whose review this one replaced: enough to follow the history. */
function auditDetail(answers: ReviewAnswers, replaced: ReleaseReview | undefined): string {
  const answered = REVIEW_QUESTIONS.filter(({ field }) => answers[field] !== '').map((q) => q.field);
  const replacing = replaced
    ? `; replaces the review by ${replaced.by} at ${new Date(replaced.at).toISOString()}`
    : '';
  return `answered ${answered.join(', ')}${replacing}`;
}
