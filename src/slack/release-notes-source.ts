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
    private readonly cacheMs = 5 * 60_000,
  ) {}

  /**
   * The message of a release awaiting Start is re-rendered on every tick of its
   * checklist; the notes of a version do not change meanwhile, so read them once
   * per app and version for a few minutes.
   */
  private readonly cache = new Map<string, { notes: string | undefined; until: number }>();

  async notesFor(app: string, version: string): Promise<string | undefined> {
    const key = `${app}\u0000${version}`;
    const cached = this.cache.get(key);
    if (cached && cached.until > Date.now()) return cached.notes;
    const notes = await this.read(app, version);
    this.cache.set(key, { notes, until: Date.now() + this.cacheMs });
    return notes;
  }

  private async read(app: string, version: string): Promise<string | undefined> {
    const location = Object.hasOwn(this.config.apps, app) ? this.config.apps[app]?.changelog : undefined;
    if (!location) return undefined;
    try {
      const markdown = /^https?:\/\//.test(location)
        ? await this.fetchText(location)
        : await readFile(location, 'utf8');
      if (markdown === undefined) return undefined;
      return extractReleaseNotes(markdown, version);
    } catch {
      return undefined;
    }
  }

  /** The body of a 2xx answer; an error page is not a changelog. */
  private async fetchText(url: string): Promise<string | undefined> {
    const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    return response.ok ? response.text() : undefined;
  }
}
