import { readFile } from 'node:fs/promises';
import type { Config } from '../config/schema';
import { extractReleaseNotes } from '../domain/release-notes';

/**
 * Reads an app's configured CHANGELOG.md (a file or an http(s) URL) and returns
 * the notes for a version. Missing notes are not an error: the release message
 * simply shows none.
 */
export class ReleaseNotesSource {
  constructor(
    private readonly config: Config,
    private readonly timeoutMs = 3000,
  ) {}

  async notesFor(app: string, version: string): Promise<string | undefined> {
    const location = Object.hasOwn(this.config.apps, app) ? this.config.apps[app]?.changelog : undefined;
    if (!location) return undefined;
    try {
      const markdown = /^https?:\/\//.test(location)
        ? await (await fetch(location, { signal: AbortSignal.timeout(this.timeoutMs) })).text()
        : await readFile(location, 'utf8');
      return extractReleaseNotes(markdown, version);
    } catch {
      return undefined;
    }
  }
}
