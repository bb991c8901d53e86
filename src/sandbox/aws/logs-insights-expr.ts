import { describe, MalformedQuery, SUBSET, type Parser } from './logs-insights-tokens';

/**
 * Expressions and conditions of the emulator's Logs Insights subset, over one
 * log event's fields (a record). As in Insights, arithmetic reads numeric
 * strings as numbers and anything on a missing or non-numeric value is
 * missing; a comparison or `like` on a missing value is false.
 *
 *   expressions: numbers, "strings", fields (`a.b`, `@message`, `quoted`),
 *     + - * / with the usual precedence, unary -, parentheses, and
 *     floor, ceil, log (natural), greatest, least, abs
 *   conditions: <expr> [not] like /regex/ | "substring", <expr> = != < <= > >= <expr>,
 *     ispresent(<field>), combined with and, or, not and parentheses
 */

export type Value = number | string | undefined;
export type EventRecord = Map<string, Value>;

export type Expr =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'field'; name: string }
  | { kind: 'neg'; operand: Expr }
  | { kind: 'arith'; op: '+' | '-' | '*' | '/'; left: Expr; right: Expr }
  | { kind: 'call'; fn: NumericFunction; args: Expr[] };

export type Matcher = { regex: RegExp } | { substring: string };

export type Condition =
  | { kind: 'like'; negated: boolean; operand: Expr; matcher: Matcher }
  | { kind: 'compare'; op: string; left: Expr; right: Expr }
  | { kind: 'present'; field: string }
  | { kind: 'not'; operand: Condition }
  | { kind: 'and' | 'or'; left: Condition; right: Condition };

const FUNCTIONS = {
  floor: { arity: [1, 1], run: (a: number[]) => Math.floor(a[0] as number) },
  ceil: { arity: [1, 1], run: (a: number[]) => Math.ceil(a[0] as number) },
  log: { arity: [1, 1], run: (a: number[]) => Math.log(a[0] as number) },
  abs: { arity: [1, 1], run: (a: number[]) => Math.abs(a[0] as number) },
  greatest: { arity: [1, Infinity], run: (a: number[]) => Math.max(...a) },
  least: { arity: [1, Infinity], run: (a: number[]) => Math.min(...a) },
} as const;
type NumericFunction = keyof typeof FUNCTIONS;

/** System fields the emulator knows; others (`@logStream`, `@ingestionTime`, …) are refused. */
const SYSTEM_FIELDS = new Set(['@message', '@timestamp']);

// ---------------------------------------------------------------- parsing

export function parseField(p: Parser, what = 'a field'): string {
  const t = p.expect('word', what);
  if (!t.quoted && /^[0-9]/.test(t.value))
    throw new MalformedQuery(`Expected ${what} but found '${t.value}'`, t.start);
  if (!t.quoted && t.value.startsWith('@') && !SYSTEM_FIELDS.has(t.value)) {
    throw new MalformedQuery(`The field '${t.value}' is not supported: ${SUBSET}`, t.start);
  }
  return t.value;
}

export function parseExpr(p: Parser): Expr {
  let left = parseTerm(p);
  while (p.peek().kind === 'op' && (p.peek().value === '+' || p.peek().value === '-')) {
    const op = p.next().value as '+' | '-';
    left = { kind: 'arith', op, left, right: parseTerm(p) };
  }
  return left;
}

function parseTerm(p: Parser): Expr {
  let left = parseUnary(p);
  for (;;) {
    const t = p.peek();
    const op = t.kind === 'star' ? '*' : t.kind === 'op' && t.value === '/' ? '/' : undefined;
    if (op === undefined) return left;
    p.next();
    left = { kind: 'arith', op, left, right: parseUnary(p) };
  }
}

function parseUnary(p: Parser): Expr {
  const t = p.peek();
  if (t.kind === 'op' && t.value === '-') {
    p.next();
    return { kind: 'neg', operand: parseUnary(p) };
  }
  return parseAtom(p);
}

function parseAtom(p: Parser): Expr {
  const t = p.peek();
  if (t.kind === 'lparen') {
    p.next();
    const inner = parseExpr(p);
    p.expect('rparen', "')'");
    return inner;
  }
  if (t.kind === 'string') {
    p.next();
    return { kind: 'string', value: t.value };
  }
  if (t.kind === 'word' && !t.quoted && /^[0-9]/.test(t.value)) {
    p.next();
    const value = Number(t.value);
    if (!Number.isFinite(value)) throw new MalformedQuery(`'${t.value}' is not a number`, t.start);
    return { kind: 'number', value };
  }
  if (t.kind === 'word' && !t.quoted && p.peek(1).kind === 'lparen') {
    const name = t.value.toLowerCase();
    if (!(name in FUNCTIONS)) {
      throw new MalformedQuery(`The function '${t.value}' is not supported: ${SUBSET}`, t.start);
    }
    p.next();
    p.next();
    const args: Expr[] = [parseExpr(p)];
    while (p.peek().kind === 'comma') {
      p.next();
      args.push(parseExpr(p));
    }
    p.expect('rparen', "')'");
    const fn = name as NumericFunction;
    const [min, max] = FUNCTIONS[fn].arity;
    if (args.length < min || args.length > max) {
      throw new MalformedQuery(`${fn} takes ${min === max ? min : `${min} or more`} arguments`, t.start);
    }
    return { kind: 'call', fn, args };
  }
  if (t.kind === 'word') return { kind: 'field', name: parseField(p) };
  throw new MalformedQuery(`Expected a value but found ${describe(t)}`, t.start);
}

export function parseCondition(p: Parser): Condition {
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

/** A parenthesis here groups conditions; parenthesised arithmetic belongs inside a comparison's operands. */
function parsePrimary(p: Parser): Condition {
  const t = p.peek();
  if (t.kind === 'lparen') {
    p.next();
    const inner = parseCondition(p);
    p.expect('rparen', "')'");
    return inner;
  }
  if (p.isWord('ispresent') && p.peek(1).kind === 'lparen') {
    p.next();
    p.next();
    const field = parseField(p, 'a field in ispresent');
    p.expect('rparen', "')'");
    return { kind: 'present', field };
  }
  if (
    t.kind === 'end' ||
    t.kind === 'pipe' ||
    (t.kind === 'word' && ['and', 'or'].includes(t.value.toLowerCase()))
  ) {
    throw new MalformedQuery(`Expected a condition but found ${describe(t)}`, t.start);
  }
  if (t.kind === 'word' && t.value.startsWith('@') && !SYSTEM_FIELDS.has(t.value)) {
    throw new MalformedQuery(`Filtering on '${t.value}' is not supported: ${SUBSET}`, t.start);
  }
  const left = parseExpr(p);
  let negated = false;
  if (p.isWord('not')) {
    p.next();
    negated = true;
  }
  const op = p.next();
  if (p.isWord('like', op)) return { kind: 'like', negated, operand: left, matcher: parseMatcher(p) };
  if (!negated && op.kind === 'op' && ['=', '!=', '<', '<=', '>', '>='].includes(op.value)) {
    return { kind: 'compare', op: op.value, left, right: parseExpr(p) };
  }
  throw new MalformedQuery(`Expected 'like', 'not like' or a comparison but found ${describe(op)}`, op.start);
}

function parseMatcher(p: Parser): Matcher {
  const operand = p.next();
  if (operand.kind === 'string') return { substring: operand.value };
  if (operand.kind === 'regex') {
    try {
      return { regex: new RegExp(operand.value, operand.flags) };
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new MalformedQuery(`Invalid regular expression /${operand.value}/: ${why}`, operand.start);
    }
  }
  throw new MalformedQuery(
    `Expected a /regex/ or "string" after like but found ${describe(operand)}`,
    operand.start,
  );
}

// ---------------------------------------------------------------- evaluation

function asNumber(v: Value): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export function evaluate(expr: Expr, record: EventRecord): Value {
  switch (expr.kind) {
    case 'number':
    case 'string':
      return expr.value;
    case 'field':
      return record.get(expr.name);
    case 'neg': {
      const v = asNumber(evaluate(expr.operand, record));
      return v === undefined ? undefined : -v;
    }
    case 'arith': {
      const [a, b] = [asNumber(evaluate(expr.left, record)), asNumber(evaluate(expr.right, record))];
      if (a === undefined || b === undefined) return undefined;
      const out = expr.op === '+' ? a + b : expr.op === '-' ? a - b : expr.op === '*' ? a * b : a / b;
      return Number.isFinite(out) ? out : undefined;
    }
    case 'call': {
      const args = expr.args.map((a) => asNumber(evaluate(a, record)));
      if (args.some((a) => a === undefined)) return undefined;
      const out = FUNCTIONS[expr.fn].run(args as number[]);
      return Number.isFinite(out) ? out : undefined;
    }
  }
}

export function holds(condition: Condition, record: EventRecord): boolean {
  switch (condition.kind) {
    case 'like': {
      const v = evaluate(condition.operand, record);
      const m = condition.matcher;
      const text = v === undefined ? undefined : String(v);
      const hit = text !== undefined && ('regex' in m ? m.regex.test(text) : text.includes(m.substring));
      return hit !== condition.negated;
    }
    case 'compare': {
      const [l, r] = [evaluate(condition.left, record), evaluate(condition.right, record)];
      if (l === undefined || r === undefined) return false;
      const [ln, rn] = [asNumber(l), asNumber(r)];
      const [a, b] = ln !== undefined && rn !== undefined ? [ln, rn] : [String(l), String(r)];
      switch (condition.op) {
        case '=':
          return a === b;
        case '!=':
          return a !== b;
        case '<':
          return a < b;
        case '<=':
          return a <= b;
        case '>':
          return a > b;
        default:
          return a >= b;
      }
    }
    case 'present':
      return record.get(condition.field) !== undefined;
    case 'not':
      return !holds(condition.operand, record);
    case 'and':
      return holds(condition.left, record) && holds(condition.right, record);
    case 'or':
      return holds(condition.left, record) || holds(condition.right, record);
  }
}
