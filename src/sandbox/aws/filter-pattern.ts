import { patternTerms } from '../../domain/log-pattern';
import { invalidParameter } from './errors';

/**
 * CloudWatch Logs filter patterns for unstructured events: terms that must all
 * appear (`ERROR timeout`), quoted phrases (`"connection refused"`), optional
 * terms of which one must appear (`?ERROR ?FATAL`), excluded terms (`ERROR -retry`)
 * and `%regex%`. Matching is case-sensitive, as CloudWatch's is. The pattern is
 * taken apart the way the bot's own Insights translation reads it.
 *
 * Simplified: a term matches as a substring (CloudWatch tokenises the message);
 * JSON (`{ $.level = … }`) and space-delimited (`[ip, …]`) patterns are refused.
 */
export type EventMatcher = (message: string) => boolean;

export function compileFilterPattern(pattern: string | undefined): EventMatcher {
  const text = (pattern ?? '').trim();
  if (text === '') return () => true;
  const terms = patternTerms(text);
  if (terms.kind === 'structured') {
    throw invalidParameter(
      'Invalid filter pattern: JSON and space-delimited patterns are not modelled by the deploybot emulator',
    );
  }
  if (terms.kind === 'regex') {
    let re: RegExp;
    try {
      re = new RegExp(terms.source);
    } catch {
      throw invalidParameter('Invalid filter pattern: the regular expression does not compile');
    }
    return (message) => re.test(message);
  }
  const { required, optional, excluded } = terms;
  return (message) =>
    required.every((t) => message.includes(t)) &&
    (optional.length === 0 || optional.some((t) => message.includes(t))) &&
    !excluded.some((t) => message.includes(t));
}
