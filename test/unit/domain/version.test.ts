import assert from 'node:assert/strict';
import { InvalidRequestError } from '../../../src/domain/errors';
import { compareVersions, isValidVersion, parseVersion } from '../../../src/domain/version';

const HINT = 'is not a release version; use a tag like v1.2.0, 1.2.0 or v1.2.0-rc.1';

const VALID: string[] = [
  'v1.2.0',
  '1.2.0',
  'v1.2.0-rc.1',
  '0.0.1',
  'v10.20.30-beta.2',
  '0.0.0',
  'v1.2.0-rc-1',
  '1.2.0-20261127.abc',
  // ECR's tag limit is 128 characters: exactly 128 is still a version.
  `v1.2.0-${'a'.repeat(121)}`,
];

const LONG = `v1.2.0-${'a'.repeat(122)}`; // 129 characters

/** [input, what the message quotes back] */
const INVALID: [string, string][] = [
  ['1.2', '1.2'],
  ['v1.2.0.1', 'v1.2.0.1'],
  ['01.2.0', '01.2.0'],
  ['1.02.0', '1.02.0'],
  ['V1.2.0', 'V1.2.0'],
  ['vv1.2.0', 'vv1.2.0'],
  ['latest', 'latest'],
  ['', ''],
  ['   ', ''],
  ['v1.2.0; rm -rf /', 'v1.2.0; rm -rf /'],
  ['v1.2.0 extra', 'v1.2.0 extra'],
  ['v1.2.0\nv1.3.0', 'v1.2.0\nv1.3.0'],
  ['v1.2.0-', 'v1.2.0-'],
  ['v1.2.0-rc..1', 'v1.2.0-rc..1'],
  ['v1.2.0+build.5', 'v1.2.0+build.5'],
  ['v1.2.0:latest', 'v1.2.0:latest'],
  ['v1.2.0/../x', 'v1.2.0/../x'],
  ['v\uFF11.2.0', 'v\uFF11.2.0'], // fullwidth digit one
  ['v1.2.0-\u03B2eta', 'v1.2.0-\u03B2eta'], // Greek beta
  ['v\u0661.2.0', 'v\u0661.2.0'], // Arabic-Indic digit one
  [LONG, `${LONG.slice(0, 40)}…`],
];

describe('isValidVersion', () => {
  for (const version of VALID) {
    it(`accepts ${JSON.stringify(version.length > 40 ? `${version.slice(0, 20)}… (${version.length} chars)` : version)}`, () => {
      assert.equal(isValidVersion(version), true);
    });
  }

  for (const [version] of INVALID) {
    it(`rejects ${JSON.stringify(version.length > 40 ? `${version.slice(0, 20)}… (${version.length} chars)` : version)}`, () => {
      assert.equal(isValidVersion(version), false);
    });
  }

  it('rejects surrounding whitespace (only parseVersion trims)', () => {
    assert.equal(isValidVersion(' v1.2.0'), false);
    assert.equal(isValidVersion('v1.2.0\n'), false);
  });

  it('rejects a version one character over the 128-character tag limit', () => {
    assert.equal(LONG.length, 129);
    assert.equal(isValidVersion(LONG), false);
  });
});

describe('parseVersion', () => {
  for (const version of VALID) {
    it(`returns ${JSON.stringify(version.slice(0, 20))} unchanged`, () => {
      assert.equal(parseVersion(version), version);
    });
  }

  it('trims surrounding whitespace from chat text', () => {
    assert.equal(parseVersion('  v1.2.0\n'), 'v1.2.0');
    assert.equal(parseVersion('\t1.2.0 '), '1.2.0');
  });

  for (const [input, shown] of INVALID) {
    it(`refuses ${JSON.stringify(input.slice(0, 20))} with invalid_version, quoting ${JSON.stringify(shown.slice(0, 20))}`, () => {
      assert.throws(
        () => parseVersion(input),
        (error: unknown) => {
          assert.ok(error instanceof InvalidRequestError);
          assert.equal(error.code, 'invalid_version');
          assert.equal(error.message, `"${shown}" ${HINT}`);
          return true;
        },
      );
    });
  }

  it('truncates a long version to 40 characters and an ellipsis in the message', () => {
    assert.throws(
      () => parseVersion('x'.repeat(500)),
      (error: Error) => {
        assert.equal(error.message, `"${'x'.repeat(40)}…" ${HINT}`);
        return true;
      },
    );
  });

  it('quotes a version of exactly 40 characters whole', () => {
    const text = 'y'.repeat(40);
    assert.throws(
      () => parseVersion(text),
      (error: Error) => error.message === `"${text}" ${HINT}`,
    );
  });
});

describe('compareVersions', () => {
  const cases: [string, string, number][] = [
    ['v1.2.0', 'v1.2.0', 0],
    ['1.2.0', 'v1.2.0', 0],
    ['v1.2.0', 'v1.10.0', -1],
    ['v2.0.0', 'v1.99.99', 1],
    ['v1.2.1', 'v1.2.0', 1],
    ['v1.2.0-rc.1', 'v1.2.0', -1],
    ['v1.2.0-rc.2', 'v1.2.0-rc.10', -1],
    ['v1.2.0-alpha', 'v1.2.0-1', 1],
    ['v1.2.0-rc.1', 'v1.2.0-rc.1.1', -1],
  ];
  for (const [a, b, sign] of cases) {
    it(`orders ${a} against ${b} as ${sign}`, () => {
      assert.equal(Math.sign(compareVersions(a, b)), sign);
      assert.equal(Math.sign(compareVersions(b, a)), -sign || 0);
    });
  }
});
