import { AwsError } from './errors';

/**
 * Tokens of the emulator's Logs Insights subset, and the cursor the parsers of
 * src/sandbox/aws/logs-insights.ts and logs-insights-expr.ts read them with.
 */

/** The SDK's MalformedQueryException; the message says where and what. */
export class MalformedQuery extends AwsError {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super('MalformedQueryException', `${message} (at character ${offset})`);
  }
}

export const SUBSET =
  'the deploybot emulator supports parse, filter, fields (arithmetic, floor, ceil, log, greatest, least, abs) ' +
  'and a final stats count(*) by @log, bin and fields';

export type TokenKind =
  'word' | 'string' | 'regex' | 'pipe' | 'lparen' | 'rparen' | 'comma' | 'star' | 'op' | 'end';

export interface Token {
  kind: TokenKind;
  /** Word text, string contents, regex source or operator. */
  value: string;
  start: number;
  flags?: string;
  /** A `backticked` name: never a keyword. */
  quoted?: boolean;
}

const WORD = /[A-Za-z0-9_@.]/;
const PUNCTUATION: Record<string, TokenKind> = {
  '|': 'pipe',
  '(': 'lparen',
  ')': 'rparen',
  ',': 'comma',
  '*': 'star',
  '+': 'op',
  '-': 'op',
};
const COMPARISONS = ['<=', '>=', '!=', '<', '>', '='];
/** After these words a `/` starts a regular expression; after any other operand it divides. */
const BEFORE_REGEX = new Set(['like', 'and', 'or', 'not', 'parse', 'filter']);

/** Whether a `/` after the tokens so far begins a regex rather than a division. */
function regexAllowed(tokens: Token[]): boolean {
  const prev = tokens.at(-1);
  if (!prev) return true;
  if (prev.kind === 'word' && !prev.quoted) {
    if (BEFORE_REGEX.has(prev.value.toLowerCase())) return true;
    // `parse @message /regex/`: the field parsed comes right after `parse`.
    const before = tokens.at(-2);
    return before?.kind === 'word' && before.value.toLowerCase() === 'parse';
  }
  return !['word', 'string', 'rparen', 'regex'].includes(prev.kind);
}

function quoted(text: string, i: number, quote: string, what: string): { value: string; end: number } {
  let value = '';
  let j = i + 1;
  for (;;) {
    const d = text[j];
    if (d === undefined) throw new MalformedQuery(`Unterminated ${what}`, i);
    if (d === quote) break;
    if (d === '\\' && quote !== '`') {
      const escaped = text[j + 1];
      if (escaped === undefined) throw new MalformedQuery(`Unterminated ${what}`, i);
      value += escaped;
      j += 2;
    } else {
      value += d;
      j += 1;
    }
  }
  return { value, end: j + 1 };
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const two = text.slice(i, i + 2);
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (PUNCTUATION[c] !== undefined) {
      tokens.push({ kind: PUNCTUATION[c], value: c, start: i });
      i += 1;
    } else if (COMPARISONS.includes(two) || (COMPARISONS.includes(c) && two !== '=~')) {
      const op = COMPARISONS.includes(two) ? two : c;
      tokens.push({ kind: 'op', value: op, start: i });
      i += op.length;
    } else if (c === '"' || c === "'") {
      const { value, end } = quoted(text, i, c, 'string');
      tokens.push({ kind: 'string', value, start: i });
      i = end;
    } else if (c === '`') {
      const { value, end } = quoted(text, i, c, 'quoted name');
      tokens.push({ kind: 'word', value, start: i, quoted: true });
      i = end;
    } else if (c === '/' && !regexAllowed(tokens)) {
      tokens.push({ kind: 'op', value: '/', start: i });
      i += 1;
    } else if (c === '/') {
      // Like a JavaScript literal: `\/` escapes, and a `/` inside [...] does not end it.
      const start = i;
      let source = '';
      let inClass = false;
      i += 1;
      for (;;) {
        const d = text[i];
        if (d === undefined || d === '\n') throw new MalformedQuery('Unterminated regular expression', start);
        if (d === '/' && !inClass) break;
        if (d === '\\') {
          source += d + (text[i + 1] ?? '');
          i += 2;
          continue;
        }
        if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        source += d;
        i += 1;
      }
      i += 1;
      let flags = '';
      if (source.startsWith('(?i)')) {
        source = source.slice(4);
        flags = 'i';
      }
      if (source === '') throw new MalformedQuery('Empty regular expression', start);
      tokens.push({ kind: 'regex', value: source, start, flags });
    } else if (WORD.test(c)) {
      const start = i;
      while (i < text.length && WORD.test(text[i] as string)) i += 1;
      tokens.push({ kind: 'word', value: text.slice(start, i), start });
    } else {
      throw new MalformedQuery(`Unexpected character '${c}'; ${SUBSET}`, i);
    }
  }
  tokens.push({ kind: 'end', value: '', start: text.length });
  return tokens;
}

export class Parser {
  private i = 0;

  constructor(private readonly tokens: Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)] as Token;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.i += 1;
    return t;
  }

  /** A keyword, case-insensitively (a `quoted` name never is one). */
  isWord(word: string, t = this.peek()): boolean {
    return t.kind === 'word' && !t.quoted && t.value.toLowerCase() === word;
  }

  expect(kind: TokenKind, what: string): Token {
    const t = this.next();
    if (t.kind !== kind) throw new MalformedQuery(`Expected ${what} but found ${describe(t)}`, t.start);
    return t;
  }

  expectWord(word: string): Token {
    const t = this.next();
    if (!this.isWord(word, t))
      throw new MalformedQuery(`Expected '${word}' but found ${describe(t)}`, t.start);
    return t;
  }

  atCommandEnd(): boolean {
    const k = this.peek().kind;
    return k === 'pipe' || k === 'end';
  }
}

export function describe(t: Token): string {
  switch (t.kind) {
    case 'end':
      return 'the end of the query';
    case 'string':
      return `string "${t.value}"`;
    case 'regex':
      return `regex /${t.value}/`;
    default:
      return `'${t.value}'`;
  }
}

const ALIAS = /^@?[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = ['by', 'as', 'and', 'or', 'not', 'like'];

/** A name a command gives to a field (`as <name>`). */
export function parseAlias(p: Parser): string {
  const alias = p.expect('word', 'a name');
  if (!alias.quoted && (!ALIAS.test(alias.value) || RESERVED.includes(alias.value.toLowerCase()))) {
    throw new MalformedQuery(`'${alias.value}' is not a valid name`, alias.start);
  }
  return alias.value;
}
