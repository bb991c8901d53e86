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
export function insightsFilter(pattern: string): string | undefined {
  const text = pattern.trim();
  if (text === '') return '';
  if (text.startsWith('{') || text.startsWith('[')) return undefined;
  if (text.length > 1 && text.startsWith('%') && text.endsWith('%')) {
    return like(text.slice(1, -1));
  }
  const required: string[] = [];
  const optional: string[] = [];
  const excluded: string[] = [];
  for (const token of tokens(text)) {
    if (token.startsWith('?') && token.length > 1) optional.push(literal(unquote(token.slice(1))));
    else if (token.startsWith('-') && token.length > 1) excluded.push(literal(unquote(token.slice(1))));
    else required.push(literal(unquote(token)));
  }
  const parts = [
    ...required.map(like),
    ...(optional.length > 0 ? [`(${optional.map(like).join(' or ')})`] : []),
    ...excluded.map((re) => `@message not like /${re}/`),
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
