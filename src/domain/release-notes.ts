/**
 * The section of a CHANGELOG.md for one version: from the heading that names
 * it (`## [1.2.0] - 2026-11-01`, `## v1.2.0`) to the next heading of the same
 * or a higher level. A leading `v` is optional on either side.
 */
export function extractReleaseNotes(markdown: string, version: string): string | undefined {
  const bare = version.replace(/^v/, '').replace(/[.+*?^${}()|[\]\\-]/g, '\\$&');
  const heading = new RegExp(`^(#{1,6})\\s.*(?<![\\w.])\\[?v?${bare}\\]?(?![\\w.-])`);
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) return undefined;
  const level = (heading.exec(lines[start] as string)?.[1] ?? '#').length;
  const body: string[] = [];
  let fenced = false;
  for (const line of lines.slice(start + 1)) {
    // A `#` inside a fenced code block is a shell comment, not a heading.
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const next = fenced ? null : /^(#{1,6})\s/.exec(line);
    if (next && (next[1] as string).length <= level) break;
    body.push(line);
  }
  const text = body.join('\n').trim();
  return text.length > 0 ? text : undefined;
}
