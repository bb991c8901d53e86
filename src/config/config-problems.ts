import type { z } from 'zod';
import { closestName } from './did-you-mean';

/**
 * Turns what zod finds wrong with a configuration into lines a person can act
 * on: each problem once, by its path as written in the file (`services[0].name`),
 * in the configuration's own words. Settings carry their own messages
 * (fields.ts); this supplies the rest: "required" for what is missing, "unknown
 * setting (did you mean cluster?)" for a typo, and plain words for any issue a
 * setting did not describe.
 */

type Path = readonly PropertyKey[];

/** Validates `data` against `schema`: its value, or every problem as one line each. */
export function validate<S extends z.ZodType>(
  schema: S,
  data: unknown,
): { ok: true; value: z.output<S> } | { ok: false; problems: string[] } {
  const settings = new Map<string, KnownSettings>();
  const result = schema.safeParse(data, {
    reportInput: true,
    error: (issue) => plainMessage(issue, settings),
  });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: problemLines(result.error.issues, settings) };
}

/** A path as the file spells it: `apps.backend.environments.production.services[0].name`. */
export function settingPath(path: Path): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z0-9_@-]+$/.test(String(segment))) text += `${text ? '.' : ''}${String(segment)}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text || 'top level';
}

/** The settings an object takes, and those of the objects inside it (for a key written one level too high). */
interface KnownSettings {
  own: string[];
  nested: string[];
}

interface Line {
  path: Path;
  message: string;
  /** For an unknown key: the setting it most likely meant. */
  meant?: string;
}

function problemLines(issues: readonly z.core.$ZodIssue[], settings: Map<string, KnownSettings>): string[] {
  const lines: Line[] = issues.flatMap((issue) => linesOf(issue, settings));
  // A typo is one mistake: `clustr:` is an unknown setting *and* leaves `cluster` missing.
  const meant = new Set(
    lines.flatMap((l) => (l.meant ? [settingPath([...l.path.slice(0, -1), l.meant])] : [])),
  );
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of lines) {
    const path = settingPath(line.path);
    if (line.message === 'required' && meant.has(path)) continue;
    // One line a setting: a value breaking two rules of one setting is one mistake.
    if (seen.has(path)) continue;
    seen.add(path);
    out.push(`${path}: ${line.message}`);
  }
  return out;
}

/**
 * `issue.path` is from the top; `local` is the path zod knew when it described
 * the issue, which inside a union's forms is relative to the union.
 */
function linesOf(
  issue: z.core.$ZodIssue,
  settings: Map<string, KnownSettings>,
  local: Path = issue.path,
): Line[] {
  if (issue.code === 'unrecognized_keys') {
    const known = settings.get(settingsKey(local, issue.keys)) ?? { own: [], nested: [] };
    return issue.keys.map((key) => {
      const meant = closestName(key, known.own);
      const elsewhere = meant ? undefined : known.nested.find((n) => n.split('.').pop() === key);
      const hint = meant ?? elsewhere;
      return {
        path: [...issue.path, key],
        message: `unknown setting${hint ? ` (did you mean ${hint}?)` : ''}`,
        ...(meant ? { meant } : {}),
      };
    });
  }
  if (issue.code === 'invalid_union') {
    const fitting = fittingOption(issue);
    if (fitting) {
      return fitting.flatMap((inner) =>
        linesOf({ ...inner, path: [...issue.path, ...inner.path] }, settings, inner.path),
      );
    }
  }
  const input = (issue as { input?: unknown }).input;
  if (issue.code === 'invalid_type' || issue.code === 'invalid_union') {
    if (input === undefined) return [{ path: issue.path, message: 'required' }];
    if (input === null) return [{ path: issue.path, message: `${issue.message}; the value is empty` }];
  }
  return [{ path: issue.path, message: issue.message }];
}

/**
 * The issues of the one form of a union that what was written fits (its keys
 * are that form's and its type is right), so that a mistake inside it is told
 * where it is: `accessLogs.latencyUnit: one of: ms, s`, not "either json or
 * parse". Undefined when no form or several fit: the union's message says
 * which forms there are.
 */
function fittingOption(issue: z.core.$ZodIssueInvalidUnion): z.core.$ZodIssue[] | undefined {
  const fitting = issue.errors.filter((option) => option.every((inner) => inner.path.length > 0));
  return fitting.length === 1 ? fitting[0] : undefined;
}

/** Words for an issue the setting did not describe itself; records what an object takes, for suggestions. */
function plainMessage(issue: z.core.$ZodRawIssue, settings: Map<string, KnownSettings>): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      settings.set(settingsKey(issue.path ?? [], issue.keys), knownSettings(issue.inst));
      return 'unknown setting';
    case 'invalid_type':
      return KINDS[issue.expected] ?? `a ${issue.expected}`;
    case 'invalid_value':
      return `one of: ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `at least ${count(issue.minimum, 'entry', 'entries')}`
        : `at least ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'array'
        ? `at most ${count(issue.maximum, 'entry', 'entries')}`
        : `at most ${issue.maximum}`;
    case 'invalid_key':
      return issue.issues[0]?.message ?? 'not a name this map takes';
    case 'invalid_format':
      return issue.format === 'url' ? 'a URL like https://api.example.com' : `not a valid ${issue.format}`;
    default:
      return 'not a value this setting takes';
  }
}

const KINDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map of settings',
  record: 'a map of settings',
};

function count(n: number | bigint, one: string, many: string): string {
  return `${n} ${n === 1 || n === 1n ? one : many}`;
}

/** Where the settings of an object with unknown `keys` are kept while issues are described. */
function settingsKey(path: Path, keys: readonly string[]): string {
  return `${settingPath(path)} ${keys.join(',')}`;
}

/** The keys of an object schema and of the object schemas directly inside it. */
function knownSettings(schema: unknown): KnownSettings {
  const own = shapeOf(schema);
  const nested = Object.entries(own).flatMap(([key, child]) =>
    Object.keys(shapeOf(child)).map((inner) => `${key}.${inner}`),
  );
  return { own: Object.keys(own), nested };
}

/** The shape of an object schema, seen through optional, default, prefault and pipes; {} otherwise. */
function shapeOf(schema: unknown): Record<string, unknown> {
  let def = (schema as { _zod?: { def?: Record<string, unknown> } } | undefined)?._zod?.def;
  for (let depth = 0; def && depth < 10; depth++) {
    if (def.type === 'object') return def.shape as Record<string, unknown>;
    const inner = def.innerType ?? def.in;
    def = (inner as { _zod?: { def?: Record<string, unknown> } } | undefined)?._zod?.def;
  }
  return {};
}
