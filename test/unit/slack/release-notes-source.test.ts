import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../../src/config/schema';
import { ReleaseNotesSource } from '../../../src/slack/release-notes-source';
import { testConfig } from '../../support/test-config';

const CHANGELOG = `# Changelog

## [1.2.0] - 2026-11-01

- Dark mode

## [1.1.0] - 2026-10-01

- Older change
`;

/** The test config with backend's changelog at `location` (or none). */
function configWithChangelog(location: string | undefined): Config {
  const config = testConfig();
  const backend = config.apps.backend;
  assert.ok(backend);
  if (location === undefined) delete backend.changelog;
  else backend.changelog = location;
  return config;
}

describe('ReleaseNotesSource', () => {
  let dir: string;
  let server: Server;
  let baseUrl: string;
  /** path -> [status, body]; anything else is 404 */
  let routes: Record<string, [number, string]>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'deploybot-notes-'));
    server = createServer((req, res) => {
      if (req.url === '/hang') return; // never answers
      const [status, body] = routes[req.url ?? ''] ?? [404, 'not found'];
      res.writeHead(status, { 'content-type': 'text/markdown' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    routes = {};
  });

  it("reads the notes for a version from the app's changelog file", async () => {
    const file = join(dir, 'CHANGELOG.md');
    await writeFile(file, CHANGELOG);
    const source = new ReleaseNotesSource(configWithChangelog(file));
    assert.equal(await source.notesFor('backend', 'v1.2.0'), '- Dark mode');
    assert.equal(await source.notesFor('backend', '1.1.0'), '- Older change');
  });

  it("reads the notes for a version from the app's changelog URL", async () => {
    routes['/CHANGELOG.md'] = [200, CHANGELOG];
    const source = new ReleaseNotesSource(configWithChangelog(`${baseUrl}/CHANGELOG.md`));
    assert.equal(await source.notesFor('backend', 'v1.2.0'), '- Dark mode');
  });

  const NONE: { name: string; location: () => string | undefined; app?: string; version?: string }[] = [
    { name: 'the changelog file is missing', location: () => join(dir, 'missing.md') },
    { name: 'the changelog path is a directory', location: () => dir },
    { name: 'the app has no changelog configured', location: () => undefined },
    { name: 'the app is not configured', location: () => join(dir, 'CHANGELOG.md'), app: 'frontend' },
    {
      name: 'the app is a prototype property name',
      location: () => join(dir, 'CHANGELOG.md'),
      app: 'constructor',
    },
    { name: 'the app is __proto__', location: () => join(dir, 'CHANGELOG.md'), app: '__proto__' },
    {
      name: 'the changelog has no section for the version',
      location: () => join(dir, 'CHANGELOG.md'),
      version: '9.9.9',
    },
    { name: 'the server answers 500', location: () => `${baseUrl}/error` },
    { name: 'the server answers 404', location: () => `${baseUrl}/nothing-here` },
    { name: 'nothing listens at the URL', location: () => 'http://127.0.0.1:1/CHANGELOG.md' },
  ];

  for (const { name, location, app, version } of NONE) {
    it(`returns undefined when ${name}`, async () => {
      await writeFile(join(dir, 'CHANGELOG.md'), CHANGELOG);
      routes['/error'] = [500, 'Internal Server Error'];
      const source = new ReleaseNotesSource(configWithChangelog(location()));
      assert.equal(await source.notesFor(app ?? 'backend', version ?? '1.2.0'), undefined);
    });
  }

  it('returns undefined, not an error page that looks like a changelog, when the server answers 500', async () => {
    routes['/error-with-body'] = [500, '## [1.2.0]\n\n- from an error page, not the changelog\n'];
    const source = new ReleaseNotesSource(configWithChangelog(`${baseUrl}/error-with-body`));
    assert.equal(await source.notesFor('backend', '1.2.0'), undefined);
  });

  it('returns undefined within its timeout when the server never answers', async () => {
    const source = new ReleaseNotesSource(configWithChangelog(`${baseUrl}/hang`), 200);
    const started = Date.now();
    assert.equal(await source.notesFor('backend', '1.2.0'), undefined);
    const took = Date.now() - started;
    assert.ok(took >= 150 && took < 2000, `took ${took} ms`);
  });
});
