import assert from 'node:assert/strict';
import { isReleaseId, newReleaseId, snapshotIdFor } from '../../../src/domain/release-id';

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
