/**
 * Release ids end up in places with strict alphabets: BullMQ job ids (no `:`),
 * ECS `startedBy` (36 characters, letters, digits, `-`, `_`), RDS snapshot ids
 * (start with a letter, no `--`). `r20261127t171340-3f9a` fits all of them and
 * still sorts by time.
 */
const RELEASE_ID = /^r\d{8}t\d{6}-[0-9a-f]{4}$/;

export function newReleaseId(nowMs: number, random: () => number): string {
  const iso = new Date(nowMs).toISOString(); // 2026-11-27T17:13:40.000Z
  const stamp = `${iso.slice(0, 10).replace(/-/g, '')}t${iso.slice(11, 19).replace(/:/g, '')}`;
  const suffix = Math.floor(random() * 0x10000)
    .toString(16)
    .padStart(4, '0');
  return `r${stamp}-${suffix}`;
}

export function isReleaseId(text: string): boolean {
  return RELEASE_ID.test(text);
}

/** The RDS snapshot a release takes: derived, so a resumed backup finds its own. */
export function snapshotIdFor(releaseId: string): string {
  return `deploybot-${releaseId}`;
}

/**
 * The new database a snapshot restore creates: the live one's name, `-rollback-`
 * and the restoring release's id, cut to RDS's 63 characters (56 for a cluster,
 * so that its writer, `<cluster>-writer`, is within 63 too). Never the live name
 * itself, not even for a live name that already ends with this very suffix.
 */
export function restoreTargetFor(
  liveId: string,
  restoringReleaseId: string,
  kind: 'instance' | 'cluster',
): string {
  const suffix = `-rollback-${restoringReleaseId.slice(1)}`;
  const limit = kind === 'cluster' ? 63 - '-writer'.length : 63;
  const live = liveId.toLowerCase();
  let head = live.slice(0, limit - suffix.length).replace(/-+$/, '');
  // A live name that already ends in this suffix, cut at it, would come back as itself.
  if (`${head}${suffix}` === live) head = head.slice(0, -1).replace(/-+$/, '');
  return `${head}${suffix}`;
}
