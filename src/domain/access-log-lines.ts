import type { AccessLogFormat } from '../ports/access-logs';
import { DeploybotError } from './errors';

/**
 * Access-log lines read locally, the way the Insights query of
 * src/domain/access-log-query.ts reads them: the fallback when Insights cannot
 * answer, so both must count the same lines as the same requests.
 *
 * - JSON: the event is flattened as Insights flattens it (`{"http":{"status":200}}`
 *   has the field `http.status`; arrays by index, `a.0.b`).
 * - parse: `@message "<glob>" as a, b, …`, where each `*` captures, or
 *   `@message /regex with (?<named>groups)/`. The source may be omitted
 *   (`@message` is the default); other source fields have no local reading.
 *
 * A line is a request when its status is a number; its latency (converted to
 * ms) is kept when it is a number too.
 */

export interface AccessLine {
  status: number;
  latencyMs?: number;
}

/** An access-log format that cannot be read locally; the message says what. */
export class AccessLogFormatError extends DeploybotError {
  constructor(message: string) {
    super('access_log_format', message);
  }
}

export interface ParseClause {
  /** The field parsed: `@message` for a line. */
  source: string;
  regex: RegExp;
  /** The field each capture group fills, in order (a regex's named groups fill themselves). */
  names: string[] | undefined;
}

/** Reads lines of one format; the format is checked once, here. */
export function accessLineReader(format: AccessLogFormat): (message: string) => AccessLine | undefined {
  const scale = format.latencyUnit === 's' ? 1000 : 1;
  if (format.kind === 'json') {
    return (message) => {
      const fields = jsonFields(message);
      return fields && requestOf(fields.get(format.status), fields.get(format.latency), scale);
    };
  }
  const clause = parseClause(format.parse);
  if (clause.source !== '@message') {
    throw new AccessLogFormatError(`parse reads ${clause.source}; only @message can be read from a line`);
  }
  return (message) => {
    const fields = parsedFields(clause, message);
    return fields && requestOf(fields.get('status'), fields.get('latency'), scale);
  };
}

function requestOf(status: unknown, latency: unknown, scale: number): AccessLine | undefined {
  const code = numeric(status);
  if (code === undefined) return undefined;
  const ms = numeric(latency);
  return ms === undefined ? { status: code } : { status: code, latencyMs: ms * scale };
}

function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** The fields Insights discovers in a JSON event, flattened with dots; undefined for a line that is not a JSON object. */
export function jsonFields(message: string): Map<string, string | number> | undefined {
  const text = message.trim();
  if (!text.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const out = new Map<string, string | number>();
  flatten(value, '', out);
  return out;
}

function flatten(value: unknown, prefix: string, out: Map<string, string | number>): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'object') {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value);
    for (const [key, inner] of entries) flatten(inner, prefix === '' ? key : `${prefix}.${key}`, out);
    return;
  }
  out.set(prefix, typeof value === 'number' ? value : String(value));
}

/** The fields a parse clause extracts from a value; undefined when it does not match. */
export function parsedFields(clause: ParseClause, value: string): Map<string, string> | undefined {
  const m = clause.regex.exec(value);
  if (!m) return undefined;
  const out = new Map<string, string>();
  if (clause.names === undefined) {
    for (const [name, v] of Object.entries(m.groups ?? {})) if (v !== undefined) out.set(name, v);
  } else {
    clause.names.forEach((name, i) => {
      const v = m[i + 1];
      if (v !== undefined) out.set(name, v);
    });
  }
  return out;
}

/**
 * A glob as Insights' parse reads it: literal text around `*`s, matched
 * anywhere in the value; each `*` captures as little as it can, except a
 * trailing one, which takes the rest of the value.
 */
export function globRegex(glob: string): RegExp {
  const parts = glob.split('*');
  const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  let source = literal(parts[0] ?? '');
  for (let i = 1; i < parts.length; i += 1) {
    const last = i === parts.length - 1 && parts[i] === '';
    source += (last ? '(.*)' : '(.*?)') + literal(parts[i] ?? '');
  }
  return new RegExp(source, 's');
}

/**
 * `[@message] "<glob>" as a, b, …` or `[@message] /regex/`, the text after
 * `parse` in an Insights query (and in `monitoring.accessLogs.parse`).
 */
export function parseClause(text: string): ParseClause {
  const clause = text.trim();
  const source = /^(@?[A-Za-z_][A-Za-z0-9_.@]*)\s+/.exec(clause);
  const rest = source ? clause.slice(source[0].length) : clause;
  const field = source?.[1] ?? '@message';
  const quote = rest[0];
  if (quote === '/') {
    const end = rest.lastIndexOf('/');
    if (end <= 0) throw new AccessLogFormatError(`unterminated regular expression in parse clause ${clause}`);
    if (rest.slice(end + 1).trim() !== '') {
      throw new AccessLogFormatError(`unexpected text after the regular expression in ${clause}`);
    }
    let regex: RegExp;
    try {
      regex = new RegExp(rest.slice(1, end));
    } catch (err) {
      throw new AccessLogFormatError(`invalid regular expression in ${clause}: ${(err as Error).message}`);
    }
    return { source: field, regex, names: undefined };
  }
  if (quote !== '"' && quote !== "'") {
    throw new AccessLogFormatError(`expected "<glob>" as fields or /regex/ in parse clause ${clause}`);
  }
  let glob = '';
  let i = 1;
  for (; i < rest.length && rest[i] !== quote; i += 1) {
    if (rest[i] === '\\' && i + 1 < rest.length) i += 1;
    glob += rest[i];
  }
  if (i >= rest.length) throw new AccessLogFormatError(`unterminated glob in parse clause ${clause}`);
  const as = /^\s+as\s+(.+)$/is.exec(rest.slice(i + 1));
  const names = as?.[1]?.split(',').map((n) => n.trim()) ?? [];
  const stars = glob.split('*').length - 1;
  if (names.length !== stars || names.some((n) => !/^@?[A-Za-z_][A-Za-z0-9_]*$/.test(n))) {
    throw new AccessLogFormatError(
      `a glob with ${stars} * needs as many field names after "as" in ${clause}`,
    );
  }
  return { source: field, regex: globRegex(glob), names };
}
