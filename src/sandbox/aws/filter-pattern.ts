import { invalidParameter } from './errors';

/**
 * CloudWatch Logs filter patterns for unstructured events: terms that must all
 * appear (`ERROR timeout`), quoted phrases (`"connection refused"`), optional
 * terms of which one must appear (`?ERROR ?FATAL`), excluded terms (`ERROR -retry`)
 * and `%regex%`. Matching is case-sensitive, as CloudWatch's is.
 *
 * Simplified: a term matches as a substring (CloudWatch tokenises the message);
 * JSON (`{ $.level = … }`) and space-delimited (`[ip, …]`) patterns are refused.
 */
export type EventMatcher = (message: string) => boolean;

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

export function compileFilterPattern(pattern: string | undefined): EventMatcher {
  const text = (pattern ?? '').trim();
  if (text === '') return () => true;
  if (text.startsWith('{') || text.startsWith('[')) {
    throw invalidParameter(
      'Invalid filter pattern: JSON and space-delimited patterns are not modelled by the deploybot emulator',
    );
  }
  if (text.length > 1 && text.startsWith('%') && text.endsWith('%')) {
    let re: RegExp;
    try {
      re = new RegExp(text.slice(1, -1));
    } catch {
      throw invalidParameter('Invalid filter pattern: the regular expression does not compile');
    }
    return (message) => re.test(message);
  }
  const required: string[] = [];
  const optional: string[] = [];
  const excluded: string[] = [];
  for (const token of tokens(text)) {
    if (token.startsWith('?') && token.length > 1) optional.push(unquote(token.slice(1)));
    else if (token.startsWith('-') && token.length > 1) excluded.push(unquote(token.slice(1)));
    else required.push(unquote(token));
  }
  return (message) =>
    required.every((t) => message.includes(t)) &&
    (optional.length === 0 || optional.some((t) => message.includes(t))) &&
    !excluded.some((t) => message.includes(t));
}
