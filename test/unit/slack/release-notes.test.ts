import assert from 'node:assert/strict';
import { extractReleaseNotes } from '../../../src/domain/release-notes';

const KEEP_A_CHANGELOG = `# Changelog

All notable changes to this project will be documented in this file.

## [Unreleased]

- Work in progress

## [1.2.0] - 2026-11-01

### Added

- Dark mode

### Fixed

- Login loop on Safari

## [1.1.0] - 2026-10-01

- Older change

[1.2.0]: https://github.com/acme/backend/compare/v1.1.0...v1.2.0
`;

const V_HEADINGS = `# Changelog

## v1.2.0

- Dark mode

#### Internal

- Faster build

## v1.1.0

- Older change
`;

const UNDER_RELEASES = `# Project

## Releases

### 1.2.0

- Dark mode

### 1.1.0

- Older change

## License

MIT
`;

const LAST_UNDER_RELEASES = `## Releases

### 1.2.0

- Dark mode

## License

MIT
`;

const RELEASE_PLEASE = `# Changelog

## [1.2.0](https://github.com/acme/backend/compare/v1.1.0...v1.2.0) (2026-11-01)

### Features

* dark mode

## [1.1.0](https://github.com/acme/backend/compare/v1.0.0...v1.1.0) (2026-10-01)

### Bug Fixes

* older fix
`;

const TRICKY_NEIGHBOURS = `# Changelog

## [11.2.0]

- eleven

## [1.2.01]

- leading zero

## [1.2.0-rc.1]

- release candidate

## [1.2.0.1]

- four parts

## [1.2.0]

- the real one
`;

const ADDED_FIXED = '### Added\n\n- Dark mode\n\n### Fixed\n\n- Login loop on Safari';

describe('extractReleaseNotes', () => {
  const CASES: { name: string; markdown: string; version: string; expected: string | undefined }[] = [
    {
      name: 'finds a Keep-a-Changelog "## [1.2.0] - date" section, keeping its ### subheadings',
      markdown: KEEP_A_CHANGELOG,
      version: '1.2.0',
      expected: ADDED_FIXED,
    },
    {
      name: 'accepts the version with a leading v for a heading without one',
      markdown: KEEP_A_CHANGELOG,
      version: 'v1.2.0',
      expected: ADDED_FIXED,
    },
    {
      name: 'stops at the next heading of the same level (the older release)',
      markdown: '## [1.2.0]\n- new\n## [1.1.0]\n- old\n',
      version: '1.2.0',
      expected: '- new',
    },
    {
      name: 'finds a "## v1.2.0" heading, keeping a deeper #### subheading',
      markdown: V_HEADINGS,
      version: '1.2.0',
      expected: '- Dark mode\n\n#### Internal\n\n- Faster build',
    },
    {
      name: 'finds a "## v1.2.0" heading when asked with a leading v',
      markdown: V_HEADINGS,
      version: 'v1.2.0',
      expected: '- Dark mode\n\n#### Internal\n\n- Faster build',
    },
    {
      name: 'finds the last "## v…" section, up to the end of the file',
      markdown: V_HEADINGS,
      version: 'v1.1.0',
      expected: '- Older change',
    },
    {
      name: 'finds "### 1.2.0" under "## Releases", stopping at the next ### release',
      markdown: UNDER_RELEASES,
      version: '1.2.0',
      expected: '- Dark mode',
    },
    {
      name: 'finds "### 1.1.0" under "## Releases", stopping at the higher-level ## heading',
      markdown: UNDER_RELEASES,
      version: 'v1.1.0',
      expected: '- Older change',
    },
    {
      name: 'stops a ### section at a following ## heading',
      markdown: LAST_UNDER_RELEASES,
      version: '1.2.0',
      expected: '- Dark mode',
    },
    {
      name: 'finds a release-please "## [1.2.0](compare url) (date)" heading',
      markdown: RELEASE_PLEASE,
      version: '1.2.0',
      expected: '### Features\n\n* dark mode',
    },
    {
      name: 'does not take a newer heading whose compare URL mentions the version for its section',
      markdown: RELEASE_PLEASE,
      version: '1.1.0',
      expected: '### Bug Fixes\n\n* older fix',
    },
    {
      name: 'does not match 11.2.0, 1.2.01, 1.2.0-rc.1 or 1.2.0.1 when asked for 1.2.0',
      markdown: TRICKY_NEIGHBOURS,
      version: '1.2.0',
      expected: '- the real one',
    },
    {
      name: 'finds a pre-release by its full version',
      markdown: TRICKY_NEIGHBOURS,
      version: 'v1.2.0-rc.1',
      expected: '- release candidate',
    },
    {
      name: 'does not match 1.2.0 when asked for 2.0 (no partial match after a dot)',
      markdown: '## [1.2.0]\n\n- x\n',
      version: '2.0',
      expected: undefined,
    },
    {
      name: 'does not match 1.2.0 when asked for 1.2 (no partial match before a dot)',
      markdown: '## [1.2.0]\n\n- x\n',
      version: '1.2',
      expected: undefined,
    },
    {
      name: 'treats the dots of the version literally',
      markdown: '## 1x2y0\n\n- not a version\n',
      version: '1.2.0',
      expected: undefined,
    },
    {
      name: 'returns undefined when the version has no section',
      markdown: KEEP_A_CHANGELOG,
      version: '9.9.9',
      expected: undefined,
    },
    {
      name: 'returns undefined when the version appears only in body text, not a heading',
      markdown: '## [1.3.0]\n\n- Fixes a bug from 1.2.0\n',
      version: '1.2.0',
      expected: undefined,
    },
    {
      name: 'returns undefined for an empty section',
      markdown: '## [1.2.0] - 2026-11-01\n\n## [1.1.0]\n\n- Older change\n',
      version: '1.2.0',
      expected: undefined,
    },
    {
      name: 'returns undefined for a section of blank lines at the end of the file',
      markdown: '## [1.1.0]\n\n- Older change\n\n## [1.2.0]\n\n   \n\t\n',
      version: '1.2.0',
      expected: undefined,
    },
    {
      name: 'returns undefined for an empty document',
      markdown: '',
      version: '1.2.0',
      expected: undefined,
    },
    {
      name: 'does not take "#1.2.0" (no space after #) for a heading',
      markdown: '#1.2.0\n\n- x\n',
      version: '1.2.0',
      expected: undefined,
    },
    {
      name: 'reads CRLF input and returns LF lines without carriage returns',
      markdown: KEEP_A_CHANGELOG.replace(/\n/g, '\r\n'),
      version: '1.2.0',
      expected: ADDED_FIXED,
    },
    {
      name: 'reads CRLF input with ### release headings',
      markdown: UNDER_RELEASES.replace(/\n/g, '\r\n'),
      version: '1.1.0',
      expected: '- Older change',
    },
    {
      name: 'keeps a "# comment" line inside a fenced code block as part of the section',
      markdown:
        '## [1.2.0]\n\nRun before deploying:\n\n```sh\n# migrate first\nmake migrate\n```\n\n## [1.1.0]\n\n- x\n',
      version: '1.2.0',
      expected: 'Run before deploying:\n\n```sh\n# migrate first\nmake migrate\n```',
    },
  ];

  for (const { name, markdown, version, expected } of CASES) {
    it(name, () => {
      assert.equal(extractReleaseNotes(markdown, version), expected);
    });
  }
});
