/**
 * Docker's .dockerignore rules, for the patterns this repository uses: each
 * pattern matches a path or any folder above it, `!` lets a path back in, and
 * the last matching pattern decides. `*` stays within one path segment and `**`
 * crosses them, as in Docker's pattern matcher.
 */
export function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const include = line.startsWith('!');
      const pattern = (include ? line.slice(1) : line).trim().replace(/^\/+/, '').replace(/\/+$/, '');
      return { include, pattern: toRegExp(pattern) };
    });
  return (path: string): boolean => {
    const candidates = ancestorsAndSelf(path);
    let excluded = false;
    for (const rule of rules) {
      if (candidates.some((candidate) => rule.pattern.test(candidate))) excluded = !rule.include;
    }
    return excluded;
  };
}

function ancestorsAndSelf(path: string): string[] {
  const parts = path.replace(/^\.\//, '').split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

function toRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` may also match no folder at all.
      const slash = pattern[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
