import assert from 'node:assert/strict';
import { isReleaseId, newReleaseId, restoreTargetFor, snapshotIdFor } from '../../../src/domain/release-id';

const AT = Date.UTC(2026, 10, 27, 17, 13, 40, 999); // 2026-11-27T17:13:40.999Z

/** A random source that answers the given values in turn. */
const fixed = (value: number) => () => value;

/** ECS RunTask `startedBy`: up to 36 letters, digits, hyphens and underscores. */
const ECS_STARTED_BY = /^[A-Za-z0-9_-]{1,36}$/;

/** RDS DB (cluster) snapshot identifier rules. */
function isRdsSnapshotId(id: string): boolean {
  return /^[A-Za-z][A-Za-z0-9-]{0,254}$/.test(id) && !id.includes('--') && !id.endsWith('-');
}

describe('newReleaseId', () => {
  const CASES: [string, number, number, string][] = [
    ['a fixed clock and random', AT, 0.2342, 'r20261127t171340-3bf4'],
    ['the smallest random value', AT, 0, 'r20261127t171340-0000'],
    ['the largest random value below 1', AT, 0.9999999, 'r20261127t171340-ffff'],
    ['a small random value, zero-padded', AT, 0.0001, 'r20261127t171340-0006'],
    ['the epoch', 0, 0.5, 'r19700101t000000-8000'],
    ['the last second of a year', Date.UTC(2025, 11, 31, 23, 59, 59), 0.5, 'r20251231t235959-8000'],
  ];
  for (const [what, now, random, expected] of CASES) {
    it(`is ${expected} for ${what}`, () => {
      assert.equal(newReleaseId(now, fixed(random)), expected);
    });
  }

  it('is deterministic for the same clock and random source', () => {
    assert.equal(newReleaseId(AT, fixed(0.42)), newReleaseId(AT, fixed(0.42)));
  });

  it('drops milliseconds, so ids in one second differ only by their suffix', () => {
    assert.equal(newReleaseId(AT - 999, fixed(0.1)).slice(0, 16), newReleaseId(AT, fixed(0.1)).slice(0, 16));
  });

  it('sorts by time as plain text', () => {
    const times = [AT - 86_400_000, AT - 1_000, AT, AT + 1_000, AT + 31_536_000_000];
    const ids = times.map((t) => newReleaseId(t, fixed(0.99)));
    assert.deepEqual([...ids].sort(), ids);
  });

  it('is valid everywhere it is used, for many random values', () => {
    for (let i = 0; i < 200; i += 1) {
      const id = newReleaseId(AT + i * 7_777_777, fixed(i / 200));
      assert.ok(isReleaseId(id), id);
      assert.ok(!id.includes(':'), `BullMQ job ids may not contain ":": ${id}`);
      assert.match(id, ECS_STARTED_BY);
      assert.ok(isRdsSnapshotId(snapshotIdFor(id)), snapshotIdFor(id));
    }
  });
});

describe('isReleaseId', () => {
  const VALID = ['r20261127t171340-3f9a', 'r19700101t000000-0000', 'r99991231t235959-ffff'];
  const INVALID = [
    '',
    'r20261127t171340',
    'r20261127t171340-3F9A', // upper case hex
    'r20261127t171340-3f9',
    'r20261127t171340-3f9a0',
    'R20261127t171340-3f9a',
    'r20261127T171340-3f9a',
    'r2026112t171340-3f9a',
    ' r20261127t171340-3f9a',
    'r20261127t171340-3f9a\n',
    'r20261127t171340-3f9g',
    'deploybot-r20261127t171340-3f9a',
    'r20261127t17:13:40-3f9a',
    '../r20261127t171340-3f9a',
  ];
  for (const id of VALID) {
    it(`accepts ${JSON.stringify(id)}`, () => assert.equal(isReleaseId(id), true));
  }
  for (const id of INVALID) {
    it(`rejects ${JSON.stringify(id)}`, () => assert.equal(isReleaseId(id), false));
  }
});

describe('snapshotIdFor', () => {
  it('derives the snapshot id from the release id, so a resumed backup finds its own snapshot', () => {
    assert.equal(snapshotIdFor('r20261127t171340-3f9a'), 'deploybot-r20261127t171340-3f9a');
    assert.equal(snapshotIdFor('r20261127t171340-3f9a'), snapshotIdFor('r20261127t171340-3f9a'));
  });

  it('meets the RDS snapshot id rules: starts with a letter, at most 255, no "--", no trailing "-"', () => {
    const id = snapshotIdFor(newReleaseId(AT, fixed(0)));
    assert.match(id, /^[a-z]/);
    assert.ok(id.length <= 255);
    assert.ok(!id.includes('--'));
    assert.ok(!id.endsWith('-'));
    assert.ok(isRdsSnapshotId(id));
  });
});

describe('restoreTargetFor', () => {
  const RESTORING = 'r20261127t180000-beef';
  const KINDS = ['instance', 'cluster'] as const;
  /** How long each kind's identifier may be: a cluster's writer adds `-writer` within RDS's 63. */
  const LIMIT = { instance: 63, cluster: 63 - '-writer'.length };

  /** RDS DB instance / cluster identifier rules: 1–63, a letter first, no "--", no trailing "-". */
  function isRdsDbId(id: string): boolean {
    return /^[A-Za-z][A-Za-z0-9-]{0,62}$/.test(id) && !id.includes('--') && !id.endsWith('-');
  }

  function assertValidTarget(live: string, kind: (typeof KINDS)[number], releaseId = RESTORING): string {
    const target = restoreTargetFor(live, releaseId, kind);
    const what = `${kind} ${live} -> ${target}`;
    assert.notEqual(target, live.toLowerCase(), what);
    assert.ok(target.length <= LIMIT[kind], `${what}: ${target.length} characters`);
    assert.ok(isRdsDbId(target), what);
    if (kind === 'cluster') assert.ok(isRdsDbId(`${target}-writer`), what);
    return target;
  }

  it('is the live name, -rollback- and the restoring release id without its leading r', () => {
    assert.equal(
      restoreTargetFor('social-analytics-db', RESTORING, 'instance'),
      'social-analytics-db-rollback-20261127t180000-beef',
    );
    assert.equal(
      restoreTargetFor('social-analytics-aurora', RESTORING, 'cluster'),
      'social-analytics-aurora-rollback-20261127t180000-beef',
    );
  });

  it('is deterministic, so a resumed proposal names the same database', () => {
    assert.equal(
      restoreTargetFor('shop-db', RESTORING, 'instance'),
      restoreTargetFor('shop-db', RESTORING, 'instance'),
    );
  });

  it('differs for different restoring releases', () => {
    assert.notEqual(
      restoreTargetFor('shop-db', 'r20261127t180000-beef', 'instance'),
      restoreTargetFor('shop-db', 'r20261127t180001-beef', 'instance'),
    );
  });

  it('is lower case, as RDS stores identifiers', () => {
    assert.equal(restoreTargetFor('Shop-DB', RESTORING, 'instance'), 'shop-db-rollback-20261127t180000-beef');
  });

  it('cuts a long live name to 63 characters for an instance and 56 for a cluster', () => {
    const live = `a${'b'.repeat(62)}`;
    const instance = assertValidTarget(live, 'instance');
    const cluster = assertValidTarget(live, 'cluster');
    assert.equal(instance.length, 63);
    assert.equal(cluster.length, 56);
    assert.equal(`${cluster}-writer`.length, 63);
    assert.ok(instance.endsWith('-rollback-20261127t180000-beef'));
    assert.ok(cluster.endsWith('-rollback-20261127t180000-beef'));
  });

  it('drops the hyphens the cut leaves at the end of the live name, so no "--" appears', () => {
    // Cut at 33 (instance) and 26 (cluster) characters: both land right after hyphens.
    const instanceLive = `${'a'.repeat(30)}---bcd`;
    const clusterLive = `${'a'.repeat(24)}-b-cdefgh`;
    assert.equal(
      assertValidTarget(instanceLive, 'instance'),
      `${'a'.repeat(30)}-rollback-20261127t180000-beef`,
    );
    assert.equal(
      assertValidTarget(clusterLive, 'cluster'),
      `${'a'.repeat(24)}-b-rollback-20261127t180000-beef`,
    );
    const cutAtHyphen = `${'a'.repeat(25)}-${'b'.repeat(37)}`;
    assert.equal(
      assertValidTarget(cutAtHyphen, 'cluster'),
      `${'a'.repeat(25)}-rollback-20261127t180000-beef`,
    );
  });

  it('never answers the live name, even one that already ends with this suffix', () => {
    const suffix = '-rollback-20261127t180000-beef';
    for (const kind of KINDS) {
      for (const extra of [0, 1, 2]) {
        const live = `${'d'.repeat(LIMIT[kind] - suffix.length - extra)}${suffix}`;
        assertValidTarget(live, kind);
      }
    }
    assertValidTarget(`db${suffix}`, 'instance');
  });

  it('is a valid, new identifier for many live names of every length, hyphens anywhere', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-';
    for (let length = 1; length <= 63; length += 1) {
      for (let n = 0; n < 20; n += 1) {
        // A valid RDS identifier: a letter first, no "--", no trailing hyphen.
        let live = 'abcdefghijklmnopqrstuvwxyz'[Math.floor(random() * 26)] ?? 'a';
        while (live.length < length) {
          const c = alphabet[Math.floor(random() * alphabet.length)] ?? 'x';
          if (c === '-' && (live.endsWith('-') || live.length === length - 1)) continue;
          live += c;
        }
        const releaseId = newReleaseId(AT + n * 1_000_003, random);
        for (const kind of KINDS) assertValidTarget(live, kind, releaseId);
      }
    }
  });
});
