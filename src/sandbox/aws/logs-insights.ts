import { globRegex } from '../../domain/access-log-lines';
import { parseCondition, parseExpr, parseField, type Condition, type Expr } from './logs-insights-expr';
import { describe, MalformedQuery, parseAlias, Parser, SUBSET, tokenize } from './logs-insights-tokens';

export { MalformedQuery } from './logs-insights-tokens';
export type { Condition, EventRecord, Expr } from './logs-insights-expr';
export { evaluate, holds } from './logs-insights-expr';
export { formatBin, passes, recordOf, runInsightsQuery } from './logs-insights-run';

/**
 * The CloudWatch Logs Insights subset the emulator runs: enough to count
 * matching lines and access-log traffic of many log groups with one query,
 * nothing that would let a test pass against behaviour the emulator does not have.
 *
 *   parse @message "* - [*] *" as path, status, latency
 *   | filter ispresent(status) and @message not like "healthcheck"
 *   | fields floor(status / 100) as status_class, ceil(log(greatest(latency, 1)) * 10) as latency_bucket
 *   | stats count(*) as requests by @log, bin(5s), status_class, latency_bucket
 *
 * - Fields of an event: `@message`, `@timestamp` (epoch ms) and, for an event
 *   that is a JSON object, its fields flattened with dots (`http.status`,
 *   arrays by index), as Insights discovers them.
 * - `parse [<field>] "<glob>" as a, b, …`: each `*` captures (as little as it
 *   can, a trailing one the rest), matched anywhere in the field; `parse
 *   [<field>] /regex/` with `(?<named>groups)`. An event that does not match
 *   stays, without the fields (as Insights keeps it).
 * - `filter <condition>`: see src/sandbox/aws/logs-insights-expr.ts; `like`
 *   regexes are JavaScript's, not RE2 (a leading `(?i)` is honoured).
 * - `fields <expr> [as <name>], …`: adds the named values to each event.
 * - `stats count(*) [as <name>] by <field>, …` with `@log`, `bin(<n>s|m)` and
 *   any field; it must be the last command, and there must be one. A row
 *   leaves out a by-field the events had no value for, as Insights does.
 * - `#` starts a comment to the end of the line; keywords are case-insensitive.
 *
 * Everything else (sort, limit, display, other aggregates or functions, a
 * query that returns raw events) is refused with MalformedQueryException
 * naming what is not supported. Pure: no clock, no store.
 */

export type Command =
  | { kind: 'filter'; condition: Condition }
  | { kind: 'parse'; source: string; regex: RegExp; names: string[] | undefined }
  | { kind: 'fields'; assignments: { name: string; expr: Expr }[] };

export type GroupField =
  { kind: 'log'; name: '@log' } | { kind: 'bin'; name: string; ms: number } | { kind: 'field'; name: string };

export interface InsightsQuery {
  /** Run in order on each event; stats counts the events that pass them all. */
  commands: Command[];
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

/** Insights commands the emulator knows exist but does not run. */
const UNSUPPORTED_COMMANDS = new Set([
  'display',
  'sort',
  'limit',
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

// ---------------------------------------------------------------- parser

export function parseInsightsQuery(text: string): InsightsQuery {
  const p = new Parser(tokenize(text));
  const commands: Command[] = [];
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
    if (command === 'filter') commands.push({ kind: 'filter', condition: parseCondition(p) });
    else if (command === 'parse') commands.push(parseParse(p));
    else if (command === 'fields') commands.push(parseFields(p));
    else if (command === 'stats') stats = parseStats(p);
    else if (UNSUPPORTED_COMMANDS.has(command)) {
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
  return { commands, stats };
}

function parseParse(p: Parser): Command {
  const source = p.peek().kind === 'word' ? parseField(p, 'the field to parse') : '@message';
  const pattern = p.next();
  if (pattern.kind === 'regex') {
    let regex: RegExp;
    try {
      regex = new RegExp(pattern.value, pattern.flags);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new MalformedQuery(`Invalid regular expression /${pattern.value}/: ${why}`, pattern.start);
    }
    if (!/\(\?<[A-Za-z_@][A-Za-z0-9_]*>/.test(pattern.value)) {
      throw new MalformedQuery('A parse regex names what it extracts with (?<name>…) groups', pattern.start);
    }
    return { kind: 'parse', source, regex, names: undefined };
  }
  if (pattern.kind !== 'string') {
    throw new MalformedQuery(
      `Expected a "glob" or /regex/ to parse with but found ${describe(pattern)}`,
      pattern.start,
    );
  }
  p.expectWord('as');
  const names = [parseAlias(p)];
  while (p.peek().kind === 'comma') {
    p.next();
    names.push(parseAlias(p));
  }
  const stars = pattern.value.split('*').length - 1;
  if (stars !== names.length) {
    throw new MalformedQuery(
      `The glob has ${stars} '*' but ${names.length} names follow 'as'`,
      pattern.start,
    );
  }
  return { kind: 'parse', source, regex: globRegex(pattern.value), names };
}

function parseFields(p: Parser): Command {
  const assignments: { name: string; expr: Expr }[] = [];
  for (;;) {
    const expr = parseExpr(p);
    if (p.isWord('as')) {
      p.next();
      assignments.push({ name: parseAlias(p), expr });
    } else if (expr.kind !== 'field') {
      throw new MalformedQuery(`A computed field needs a name: <expression> as <name>`, p.peek().start);
    }
    if (p.peek().kind !== 'comma') break;
    p.next();
  }
  return { kind: 'fields', assignments };
}

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
    countAs = parseAlias(p);
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
    if (by.some((f) => f.name === field.name || (f.kind === 'bin' && field.kind === 'bin'))) {
      throw new MalformedQuery(`'${field.name}' appears twice in by`, p.peek().start);
    }
    by.push(field);
    if (p.peek().kind !== 'comma') break;
    p.next();
  }
  return { countAs, by };
}

function parseGroupField(p: Parser): GroupField {
  const t = p.peek();
  if (t.kind === 'word' && t.value === '@log') {
    p.next();
    return { kind: 'log', name: '@log' };
  }
  if (p.isWord('bin') && p.peek(1).kind === 'lparen') {
    p.next();
    p.next();
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
  if (t.kind === 'word' && (t.quoted || !t.value.startsWith('@'))) {
    return { kind: 'field', name: parseField(p) };
  }
  throw new MalformedQuery(`Grouping by ${describe(t)} is not supported: ${SUBSET}`, t.start);
}
