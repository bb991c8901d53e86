import { AwsError } from './errors';

/**
 * The CloudWatch Logs Insights subset the emulator runs: enough to count
 * matching lines of many log groups with one query, nothing that would let a
 * test pass against behaviour the emulator does not have.
 *
 *   filter @message like /ERROR|FATAL/ and @message not like "healthcheck"
 *   | stats count(*) as errors by @log, bin(1m)
 *
 * - `filter <expr>`: `@message like /regex/`, `@message like "substring"` (or
 *   'substring'), `@message not like …`, combined with `and`, `or`, `not` and
 *   parentheses (`not` binds tightest, then `and`, then `or`). Several filters
 *   all apply. A leading `(?i)` in a regex makes it case-insensitive, as in
 *   Insights' RE2; otherwise regexes are JavaScript's, not RE2.
 * - `stats count(*) [as <name>] by <field>[, <field>]`, fields `@log` and
 *   `bin(<n>s)` / `bin(<n>m)`; it must be the last command, and there must be one.
 * - `#` starts a comment to the end of the line; keywords are case-insensitive.
 *
 * Everything else (sort, limit, fields, parse, other aggregates or fields, a
 * query that returns raw events) is refused with MalformedQueryException naming
 * what is not supported. Pure: no clock, no store.
 */

export type Matcher = { regex: RegExp } | { substring: string };

export type Condition =
  | { kind: 'like'; negated: boolean; matcher: Matcher }
  | { kind: 'not'; operand: Condition }
  | { kind: 'and' | 'or'; left: Condition; right: Condition };

export type GroupField = { kind: 'log'; name: '@log' } | { kind: 'bin'; name: string; ms: number };

export interface InsightsQuery {
  /** All must hold; an event passes when there are none. */
  filters: Condition[];
  stats: { countAs: string; by: GroupField[] };
}

export interface ResultField {
  field: string;
  value: string;
}

export interface InsightsEvent {
  timestamp: number;
  message: string;
}

/** A log group's events inside the query's time range (the caller chooses the range). */
export interface QueriedGroup {
  name: string;
  events: readonly InsightsEvent[];
}

export interface InsightsResult {
  rows: ResultField[][];
  recordsScanned: number;
  recordsMatched: number;
  bytesScanned: number;
}

/** The SDK's MalformedQueryException; the message says where and what. */
export class MalformedQuery extends AwsError {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super('MalformedQueryException', `${message} (at character ${offset})`);
  }
}

const SUBSET = 'the deploybot emulator supports only filter on @message and stats count(*) by @log/bin';

/** Insights commands the emulator knows exist but does not run. */
const UNSUPPORTED_COMMANDS = new Set([
  'fields',
  'display',
  'sort',
  'limit',
  'parse',
  'dedup',
  'unmask',
  'pattern',
  'diff',
  'anomaly',
  'filterindex',
  'source',
  'unnest',
  'lookup',
]);

// ---------------------------------------------------------------- tokens

type TokenKind = 'word' | 'string' | 'regex' | 'pipe' | 'lparen' | 'rparen' | 'comma' | 'star' | 'end';

interface Token {
  kind: TokenKind;
  /** Word text, string contents or regex source. */
  value: string;
  start: number;
  flags?: string;
}

const WORD = /[A-Za-z0-9_@.]/;
const PUNCTUATION: Record<string, TokenKind> = {
  '|': 'pipe',
  '(': 'lparen',
  ')': 'rparen',
  ',': 'comma',
  '*': 'star',
};

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (PUNCTUATION[c] !== undefined) {
      tokens.push({ kind: PUNCTUATION[c], value: c, start: i });
      i += 1;
    } else if (c === '"' || c === "'") {
      const start = i;
      let value = '';
      i += 1;
      for (;;) {
        const d = text[i];
        if (d === undefined) throw new MalformedQuery('Unterminated string', start);
        if (d === c) break;
        if (d === '\\') {
          const escaped = text[i + 1];
          if (escaped === undefined) throw new MalformedQuery('Unterminated string', start);
          value += escaped;
          i += 2;
        } else {
          value += d;
          i += 1;
        }
      }
      i += 1;
      tokens.push({ kind: 'string', value, start });
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

// ---------------------------------------------------------------- parser

class Parser {
  private i = 0;

  constructor(private readonly tokens: Token[]) {}

  peek(): Token {
    return this.tokens[Math.min(this.i, this.tokens.length - 1)] as Token;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.i += 1;
    return t;
  }

  /** A keyword, case-insensitively. */
  isWord(word: string, t = this.peek()): boolean {
    return t.kind === 'word' && t.value.toLowerCase() === word;
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

function describe(t: Token): string {
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

export function parseInsightsQuery(text: string): InsightsQuery {
  const p = new Parser(tokenize(text));
  const filters: Condition[] = [];
  let stats: InsightsQuery['stats'] | undefined;
  for (;;) {
    const head = p.next();
    if (head.kind !== 'word') {
      throw new MalformedQuery(`Expected a command but found ${describe(head)}`, head.start);
    }
    const command = head.value.toLowerCase();
    if (stats !== undefined) {
      throw new MalformedQuery(`'${head.value}' after stats: ${SUBSET}, with stats last`, head.start);
    }
    if (command === 'filter') {
      filters.push(parseOr(p));
    } else if (command === 'stats') {
      stats = parseStats(p);
    } else if (UNSUPPORTED_COMMANDS.has(command)) {
      throw new MalformedQuery(`The '${head.value}' command is not supported: ${SUBSET}`, head.start);
    } else {
      throw new MalformedQuery(`Unknown command '${head.value}'`, head.start);
    }
    const after = p.next();
    if (after.kind === 'end') break;
    if (after.kind !== 'pipe') {
      throw new MalformedQuery(
        `Expected '|' or the end of the query but found ${describe(after)}`,
        after.start,
      );
    }
  }
  if (stats === undefined) {
    throw new MalformedQuery(
      `A query without stats returns raw events, which is not supported: ${SUBSET}`,
      text.length,
    );
  }
  return { filters, stats };
}

function parseOr(p: Parser): Condition {
  let left = parseAnd(p);
  while (p.isWord('or')) {
    p.next();
    left = { kind: 'or', left, right: parseAnd(p) };
  }
  return left;
}

function parseAnd(p: Parser): Condition {
  let left = parseNot(p);
  while (p.isWord('and')) {
    p.next();
    left = { kind: 'and', left, right: parseNot(p) };
  }
  return left;
}

function parseNot(p: Parser): Condition {
  if (p.isWord('not')) {
    p.next();
    return { kind: 'not', operand: parseNot(p) };
  }
  return parsePrimary(p);
}

function parsePrimary(p: Parser): Condition {
  const t = p.next();
  if (t.kind === 'lparen') {
    const inner = parseOr(p);
    p.expect('rparen', "')'");
    return inner;
  }
  if (t.kind !== 'word') throw new MalformedQuery(`Expected a condition but found ${describe(t)}`, t.start);
  if (t.value !== '@message') {
    throw new MalformedQuery(`Filtering on '${t.value}' is not supported: ${SUBSET}`, t.start);
  }
  let negated = false;
  if (p.isWord('not')) {
    p.next();
    negated = true;
  }
  const op = p.next();
  if (!p.isWord('like', op)) {
    throw new MalformedQuery(
      `Expected 'like' or 'not like' after @message but found ${describe(op)}`,
      op.start,
    );
  }
  const operand = p.next();
  if (operand.kind === 'string') return { kind: 'like', negated, matcher: { substring: operand.value } };
  if (operand.kind === 'regex') {
    let regex: RegExp;
    try {
      regex = new RegExp(operand.value, operand.flags);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new MalformedQuery(`Invalid regular expression /${operand.value}/: ${why}`, operand.start);
    }
    return { kind: 'like', negated, matcher: { regex } };
  }
  throw new MalformedQuery(
    `Expected a /regex/ or "string" after like but found ${describe(operand)}`,
    operand.start,
  );
}

const ALIAS = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BIN = /^([1-9][0-9]{0,5})([sm])$/;

function parseStats(p: Parser): InsightsQuery['stats'] {
  const fn = p.next();
  if (!p.isWord('count', fn)) {
    throw new MalformedQuery(`The stats aggregate ${describe(fn)} is not supported: ${SUBSET}`, fn.start);
  }
  p.expect('lparen', "'('");
  const star = p.next();
  if (star.kind !== 'star') {
    throw new MalformedQuery(`Only count(*) is supported, not count(${star.value}): ${SUBSET}`, star.start);
  }
  p.expect('rparen', "')'");
  let countAs = 'count(*)';
  if (p.isWord('as')) {
    p.next();
    const alias = p.expect('word', 'a name after as');
    if (!ALIAS.test(alias.value) || ['by', 'as', 'and', 'or', 'not'].includes(alias.value.toLowerCase())) {
      throw new MalformedQuery(`'${alias.value}' is not a valid name`, alias.start);
    }
    countAs = alias.value;
  }
  if (p.peek().kind === 'comma') {
    throw new MalformedQuery(`Only one aggregate is supported: ${SUBSET}`, p.peek().start);
  }
  if (p.atCommandEnd()) {
    throw new MalformedQuery(`stats without 'by' is not supported: ${SUBSET}`, p.peek().start);
  }
  p.expectWord('by');
  const by: GroupField[] = [];
  for (;;) {
    const field = parseGroupField(p);
    if (by.some((f) => f.kind === field.kind)) {
      throw new MalformedQuery(`'${field.name}' appears twice in by`, p.peek().start);
    }
    by.push(field);
    if (p.peek().kind !== 'comma') break;
    p.next();
  }
  return { countAs, by };
}

function parseGroupField(p: Parser): GroupField {
  const t = p.next();
  if (t.kind === 'word' && t.value === '@log') return { kind: 'log', name: '@log' };
  if (p.isWord('bin', t)) {
    p.expect('lparen', "'(' after bin");
    const period = p.next();
    const m = period.kind === 'word' ? BIN.exec(period.value) : null;
    if (!m) {
      throw new MalformedQuery(
        `bin takes a period like 1s or 5m, not ${describe(period)} (only s and m are supported)`,
        period.start,
      );
    }
    p.expect('rparen', "')'");
    const n = Number(m[1]);
    const unit = m[2] as 's' | 'm';
    return { kind: 'bin', name: `bin(${n}${unit})`, ms: n * (unit === 's' ? 1_000 : 60_000) };
  }
  throw new MalformedQuery(`Grouping by ${describe(t)} is not supported: ${SUBSET}`, t.start);
}

// ---------------------------------------------------------------- evaluation

export function matches(condition: Condition, message: string): boolean {
  switch (condition.kind) {
    case 'like': {
      const m = condition.matcher;
      const hit = 'regex' in m ? m.regex.test(message) : message.includes(m.substring);
      return hit !== condition.negated;
    }
    case 'not':
      return !matches(condition.operand, message);
    case 'and':
      return matches(condition.left, message) && matches(condition.right, message);
    case 'or':
      return matches(condition.left, message) || matches(condition.right, message);
  }
}

/** `2025-11-24 16:00:05.000`: how Insights shows a bin (UTC). */
export function formatBin(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/Z$/, '');
}

/**
 * Runs `query` over the events given (already limited to the query's time range).
 * One row per non-empty combination of the by-fields, in by-field order and then
 * the count: `@log` is `<accountId>:<group>`, a bin its UTC start, the count a
 * decimal string. The real service promises no row order; here rows are sorted by
 * the by-fields in turn (groups by name, bins oldest first).
 */
export function runInsightsQuery(
  query: InsightsQuery,
  groups: readonly QueriedGroup[],
  accountId: string,
): InsightsResult {
  const buckets = new Map<string, { keys: (string | number)[]; count: number }>();
  let recordsScanned = 0;
  let recordsMatched = 0;
  let bytesScanned = 0;
  for (const group of groups) {
    for (const event of group.events) {
      recordsScanned += 1;
      bytesScanned += Buffer.byteLength(event.message, 'utf8');
      if (!query.filters.every((f) => matches(f, event.message))) continue;
      recordsMatched += 1;
      const keys = query.stats.by.map((f) =>
        f.kind === 'log' ? group.name : Math.floor(event.timestamp / f.ms) * f.ms,
      );
      const id = JSON.stringify(keys);
      const bucket = buckets.get(id);
      if (bucket) bucket.count += 1;
      else buckets.set(id, { keys, count: 1 });
    }
  }
  const sorted = [...buckets.values()].sort((a, b) => {
    for (let k = 0; k < a.keys.length; k += 1) {
      const x = a.keys[k] as string | number;
      const y = b.keys[k] as string | number;
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  });
  const rows = sorted.map(({ keys, count }) => [
    ...query.stats.by.map((f, k) => ({
      field: f.name,
      value: f.kind === 'log' ? `${accountId}:${String(keys[k])}` : formatBin(keys[k] as number),
    })),
    { field: query.stats.countAs, value: String(count) },
  ]);
  return { rows, recordsScanned, recordsMatched, bytesScanned };
}
