/**
 * CloudWatch Logs filter patterns (what `logs.errorPattern` holds) as Logs
 * Insights filter expressions, so that many apps' error lines can be counted in
 * one Insights query instead of one FilterLogEvents each.
 *
 * Translated: terms that must all appear (`ERROR timeout`), quoted phrases,
 * optional terms of which one must appear (`?ERROR ?FATAL`), excluded terms
 * (`ERROR -retry`) and `%regex%`; all case-sensitive, as both services are.
 * JSON (`{ $.level = … }`) and space-delimited (`[ip, …]`) patterns have no
 * faithful translation: undefined, and the caller uses FilterLogEvents.
 * An empty pattern matches every event: the empty expression.
 */
/** A text filter pattern taken apart: what must, may (one of) and must not appear, or a regex. */
export type PatternTerms =
  | { kind: 'terms'; required: string[]; optional: string[]; excluded: string[] }
  | { kind: 'regex'; source: string }
  | { kind: 'structured' };

/**
 * The parts of a CloudWatch Logs filter pattern, as both the Insights
 * translation here and the emulator's matcher read them. Terms are literal
 * text; quoted phrases may hold spaces and escaped quotes.
 */
export function patternTerms(pattern: string): PatternTerms {
  const text = pattern.trim();
  if (text.startsWith('{') || text.startsWith('[')) return { kind: 'structured' };
  if (text.length > 1 && text.startsWith('%') && text.endsWith('%')) {
    return { kind: 'regex', source: text.slice(1, -1) };
  }
  const terms = {
    kind: 'terms' as const,
    required: [] as string[],
    optional: [] as string[],
    excluded: [] as string[],
  };
  for (const token of tokens(text)) {
    if (token.startsWith('?') && token.length > 1) terms.optional.push(unquote(token.slice(1)));
    else if (token.startsWith('-') && token.length > 1) terms.excluded.push(unquote(token.slice(1)));
    else terms.required.push(unquote(token));
  }
  return terms;
}

export function insightsFilter(pattern: string): string | undefined {
  const terms = patternTerms(pattern);
  if (terms.kind === 'structured') return undefined;
  if (terms.kind === 'regex') return like(terms.source);
  const parts = [
    ...terms.required.map((t) => like(literal(t))),
    ...(terms.optional.length > 0 ? [`(${terms.optional.map((t) => like(literal(t))).join(' or ')})`] : []),
    ...terms.excluded.map((t) => `@message not like /${literal(t)}/`),
  ];
  return parts.join(' and ');
}

function like(regex: string): string {
  return `@message like /${regex}/`;
}

/** A term as a regular expression matching it literally; `/` is escaped for the query's delimiters. */
function literal(term: string): string {
  return term.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function tokens(pattern: string): string[] {
  const out: string[] = [];
  const re = /([?-]?)"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(pattern); m; m = re.exec(pattern)) {
    if (m[2] !== undefined) out.push(`${m[1] ?? ''}"${m[2].replace(/\\(.)/g, '$1')}`);
    else out.push(m[3] as string);
  }
  return out;
}

function unquote(term: string): string {
  return term.startsWith('"') ? term.slice(1) : term;
}
