import { InvalidRequestError } from '../domain/errors';
import { isReleaseType, type ReleaseType } from '../domain/release';
import { isReleaseId } from '../domain/release-id';
import { parseVersion } from '../domain/version';
import { plainText } from './plain-text';

/**
 * The `/deploy` grammar. Chat text only selects from configuration: app and
 * environment words must be configured names, so nothing typed in Slack ever
 * becomes a cluster, an ARN or a shell word.
 */
export type DeployCommand =
  | { kind: 'help' }
  | {
      kind: 'release';
      version: string;
      app?: string;
      environment?: string;
      type: ReleaseType;
      dryRun: boolean;
      /** Break-glass: release against the release policy (windows, freezes) for this reason. */
      override?: string;
      /** Join the deploy queue instead of being refused while the app is busy or out of window. */
      queue: boolean;
      /** `--at "tue 14:00"`: queue it to run no earlier than this, as typed (read in the environment's time zone). */
      at?: string;
    }
  | { kind: 'status'; app?: string }
  | { kind: 'queue'; app?: string; environment?: string }
  | { kind: 'promote'; app?: string; from: string; to: string; type: ReleaseType; override?: string }
  | { kind: 'log'; releaseId: string }
  | { kind: 'stats'; app?: string; environment?: string; days: number }
  | { kind: 'history'; app?: string; environment?: string; limit: number }
  | { kind: 'cancel'; releaseId: string }
  | { kind: 'lock'; app: string; environment?: string; reason: string }
  | { kind: 'unlock'; app: string; environment?: string };

/** Configured names: app -> its environments. */
export type ConfiguredNames = Record<string, string[]>;

export function configuredNames(config: {
  apps: Record<string, { environments: Record<string, unknown> }>;
}): ConfiguredNames {
  return Object.fromEntries(
    Object.entries(config.apps).map(([app, c]) => [app, Object.keys(c.environments)]),
  );
}

export const DEPLOY_USAGE = [
  '/deploy <version> [app] [env] [--type hotfix|minor|major] [--dry-run]',
  '/deploy <version> [app] [env] [--queue | --at "tue 14:00"] [--override "reason"]',
  '/deploy promote [app] <from-env> <to-env> [--type hotfix|minor|major]',
  '/deploy status [app]',
  '/deploy queue [app] [env]',
  '/deploy log <release-id>',
  '/deploy stats [app] [env] [30d]',
  '/deploy history [app] [env] [n]',
  '/deploy cancel <release-id>',
  '/deploy lock <app> [env] <reason>',
  '/deploy unlock <app> [env]',
  '/deploy help',
].join('\n');

const HISTORY_MAX = 50;

function usage(message: string): InvalidRequestError {
  return new InvalidRequestError('usage', message);
}

/** Words of command text, after dropping the control characters nobody meant to type (see plainText). */
function wordsOf(text: string): string[] {
  return plainText(text).trim().split(/\s+/).filter(Boolean);
}

/**
 * Opening quote -> its closing quote. Slack clients turn "…" into curly quotes
 * as people type, so both kinds are read the same.
 */
const QUOTES: Record<string, string> = { '"': '"', "'": "'", '\u201c': '\u201d', '\u2018': '\u2019' };

/**
 * Words, where a quoted stretch (`--override "db is on fire"`) is one word
 * without its quotes. An unclosed quote is refused rather than guessed at.
 */
export function tokensOf(text: string): string[] {
  const input = plainText(text).trim();
  const tokens: string[] = [];
  let i = 0;
  while (i < input.length) {
    while (i < input.length && /\s/.test(input[i] as string)) i++;
    if (i >= input.length) break;
    const open = input[i] as string;
    const close = QUOTES[open];
    if (close !== undefined) {
      const end = input.indexOf(close, i + 1);
      // An apostrophe is not a quote unless it is closed ('tis); a double quote must be.
      if (end < 0 && (open === "'" || open === '\u2018')) {
        i = pushWord(input, i, tokens);
        continue;
      }
      if (end < 0) throw usage(`a quote opened at "${clip(input.slice(i))}" is never closed`);
      tokens.push(input.slice(i + 1, end).trim());
      i = end + 1;
      continue;
    }
    i = pushWord(input, i, tokens);
  }
  return tokens;
}

/** Pushes the word starting at `start` (up to the next whitespace); returns where it ended. */
function pushWord(input: string, start: number, tokens: string[]): number {
  let end = start;
  while (end < input.length && !/\s/.test(input[end] as string)) end++;
  tokens.push(input.slice(start, end));
  return end;
}

export function parseDeployCommand(text: string, names: ConfiguredNames): DeployCommand {
  const words = tokensOf(text);
  const [first, ...rest] = words;
  if (!first || first === 'help') {
    if (rest.length > 0) throw usage(`help takes no arguments, got "${clip(rest.join(' '))}"`);
    return { kind: 'help' };
  }
  switch (first) {
    case 'status': {
      const [app, ...extra] = rest;
      noMore(extra, 'status [app]');
      return { kind: 'status', ...(app ? { app: knownApp(app, names) } : {}) };
    }
    case 'history':
      return parseHistory(rest, names);
    case 'queue': {
      const target = appAndEnvironment(rest, names);
      return { kind: 'queue', ...target };
    }
    case 'promote':
      return parsePromote(rest, names);
    case 'log': {
      const [id, ...extra] = rest;
      if (!id) throw usage('log needs a release id, like r20261127t171340-3f9a');
      noMore(extra, 'log <release-id>');
      if (!isReleaseId(id))
        throw usage(`"${clip(id)}" is not a release id (they look like r20261127t171340-3f9a)`);
      return { kind: 'log', releaseId: id };
    }
    case 'stats':
      return parseStats(rest, names);
    case 'cancel': {
      const [id, ...extra] = rest;
      if (!id) throw usage('cancel needs a release id, like r20261127t171340-3f9a');
      noMore(extra, 'cancel <release-id>');
      if (!isReleaseId(id))
        throw usage(`"${clip(id)}" is not a release id (they look like r20261127t171340-3f9a)`);
      return { kind: 'cancel', releaseId: id };
    }
    case 'lock': {
      const [app, ...more] = rest;
      if (!app) throw usage('lock needs an app and a reason: /deploy lock <app> [env] <reason>');
      const known = knownApp(app, names);
      const environment = more[0] && names[known]?.includes(more[0]) ? more.shift() : undefined;
      if (more.length === 0) throw usage('lock needs a reason, so others know why they cannot deploy');
      return { kind: 'lock', app: known, ...(environment ? { environment } : {}), reason: more.join(' ') };
    }
    case 'unlock': {
      const [app, environment, ...extra] = rest;
      if (!app) throw usage('unlock needs an app: /deploy unlock <app> [env]');
      noMore(extra, 'unlock <app> [env]');
      const known = knownApp(app, names);
      if (environment) knownEnvironment(known, environment, names);
      return { kind: 'unlock', app: known, ...(environment ? { environment } : {}) };
    }
    default:
      return parseRelease(words, names);
  }
}

function parseRelease(words: string[], names: ConfiguredNames): DeployCommand {
  const [versionText, ...rest] = words as [string, ...string[]];
  if (!/^v?\d/.test(versionText)) {
    throw usage(`unknown subcommand "${clip(versionText)}"; a release starts with a version like v1.2.0`);
  }
  const version = parseVersion(versionText);
  const options = releaseOptions(rest, ['--dry-run', '--queue', '--type', '--at', '--override']);
  const { app, environment } = appAndEnvironment(options.positional, names);
  if (options.at !== undefined && options.dryRun)
    throw usage('--at schedules a release; --dry-run only shows one');
  return {
    kind: 'release',
    version,
    ...(app ? { app } : {}),
    ...(environment ? { environment } : {}),
    type: options.type,
    dryRun: options.dryRun,
    // A scheduled release waits its time in the queue.
    queue: options.queue || options.at !== undefined,
    ...(options.at !== undefined ? { at: options.at } : {}),
    ...(options.override !== undefined ? { override: options.override } : {}),
  };
}

interface ReleaseOptions {
  positional: string[];
  type: ReleaseType;
  dryRun: boolean;
  queue: boolean;
  at?: string;
  override?: string;
}

const OVERRIDE_REASON_MAX = 500;

/** Options of a release-like command, of those `allowed`; `--opt value` and `--opt=value` both work. */
function releaseOptions(words: string[], allowed: readonly string[]): ReleaseOptions {
  const options: ReleaseOptions = { positional: [], type: 'minor', dryRun: false, queue: false };
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const name = word.startsWith('--') ? (word.split('=')[0] as string) : undefined;
    if (name === undefined) {
      options.positional.push(word);
      continue;
    }
    if (!allowed.includes(name))
      throw usage(`unknown option "${clip(word)}"; options here: ${allowed.join(', ')}`);
    const valueOf = (): string => {
      const value = word.includes('=') ? word.slice(word.indexOf('=') + 1) : words[++i];
      if (value === undefined || value.trim() === '' || (!word.includes('=') && value.startsWith('--'))) {
        throw usage(`${name} needs a value, e.g. ${OPTION_EXAMPLES[name] ?? `${name} <value>`}`);
      }
      return value.trim();
    };
    if (name === '--dry-run') options.dryRun = true;
    else if (name === '--queue') options.queue = true;
    else if (name === '--type') {
      const value = valueOf();
      if (!isReleaseType(value)) throw usage(`--type must be hotfix, minor or major, not "${clip(value)}"`);
      options.type = value;
    } else if (name === '--at') options.at = valueOf();
    else if (name === '--override') {
      const reason = valueOf();
      if (reason.length > OVERRIDE_REASON_MAX) {
        throw usage(
          `--override's reason is ${reason.length} characters; keep it under ${OVERRIDE_REASON_MAX}`,
        );
      }
      options.override = reason;
    }
  }
  return options;
}

const OPTION_EXAMPLES: Record<string, string> = {
  '--type': '--type hotfix (or minor, major)',
  '--at': '--at "tue 14:00"',
  '--override': '--override "checkout is down for everyone"',
};

/**
 * `promote [app] <from-env> <to-env> [--type T] [--override "reason"]`: the app
 * may be left out only when one is configured, like everywhere else.
 */
function parsePromote(rest: string[], names: ConfiguredNames): DeployCommand {
  const options = releaseOptions(rest, ['--type', '--override']);
  const words = [...options.positional];
  const apps = Object.keys(names);
  const form = '/deploy promote <app> <from-env> <to-env>, e.g. /deploy promote backend staging production';
  if (words.length === 2 && apps.length === 1) words.unshift(apps[0] as string);
  if (words.length !== 3)
    throw usage(`promote needs ${apps.length === 1 ? '' : 'an app and '}two environments: ${form}`);
  const [appWord, from, to] = words as [string, string, string];
  const app = knownApp(appWord, names);
  knownEnvironment(app, from, names);
  knownEnvironment(app, to, names);
  if (from === to) throw usage(`promote needs two different environments, not ${clip(from)} twice`);
  return {
    kind: 'promote',
    app,
    from,
    to,
    type: options.type,
    ...(options.override !== undefined ? { override: options.override } : {}),
  };
}

const STATS_DAYS_MAX = 366;

/** `stats [app] [env] [30d]`: a period in days (or weeks: 4w), 30 days unless said. */
function parseStats(rest: string[], names: ConfiguredNames): DeployCommand {
  const words = [...rest];
  let days = 30;
  const last = words[words.length - 1];
  const period = last ? /^(\d+)([dw])$/.exec(last) : null;
  if (period) {
    words.pop();
    days = Number(period[1]) * (period[2] === 'w' ? 7 : 1);
    if (days < 1 || days > STATS_DAYS_MAX)
      throw usage(`stats covers 1 to ${STATS_DAYS_MAX} days, e.g. 30d or 12w`);
  } else if (last && /^\d/.test(last)) {
    throw usage(`"${clip(last)}" is not a period; write it like 30d or 12w`);
  }
  const { app, environment } = appAndEnvironment(words, names);
  return { kind: 'stats', ...(app ? { app } : {}), ...(environment ? { environment } : {}), days };
}

function parseHistory(rest: string[], names: ConfiguredNames): DeployCommand {
  const words = [...rest];
  let limit = 10;
  const last = words[words.length - 1];
  if (last && /^\d+$/.test(last)) {
    limit = Number(words.pop());
    if (limit < 1 || limit > HISTORY_MAX) throw usage(`history shows 1 to ${HISTORY_MAX} releases`);
  }
  const { app, environment } = appAndEnvironment(words, names);
  return { kind: 'history', ...(app ? { app } : {}), ...(environment ? { environment } : {}), limit };
}

/**
 * `[app] [env]`: an app name first, or — with one app configured — an
 * environment alone. Anything else is an error that names what is configured.
 */
export function appAndEnvironment(
  words: string[],
  names: ConfiguredNames,
): { app?: string; environment?: string } {
  if (words.length > 2) throw usage(`unexpected "${clip(words.slice(2).join(' '))}"`);
  const [a, b] = words;
  if (!a) return {};
  const apps = Object.keys(names);
  if (Object.hasOwn(names, a)) {
    if (b) knownEnvironment(a, b, names);
    return { app: a, ...(b ? { environment: b } : {}) };
  }
  if (apps.length === 1 && !b && names[apps[0] as string]?.includes(a)) return { environment: a };
  throw usage(`unknown app "${clip(a)}"; configured apps: ${apps.join(', ')}`);
}

function knownApp(app: string, names: ConfiguredNames): string {
  if (!Object.hasOwn(names, app)) {
    throw usage(`unknown app "${clip(app)}"; configured apps: ${Object.keys(names).join(', ')}`);
  }
  return app;
}

function knownEnvironment(app: string, environment: string, names: ConfiguredNames): void {
  if (!names[app]?.includes(environment)) {
    throw usage(
      `unknown environment "${clip(environment)}" for ${app}; configured: ${(names[app] ?? []).join(', ')}`,
    );
  }
}

function noMore(extra: string[], form: string): void {
  if (extra.length > 0) throw usage(`${form}: unexpected "${clip(extra.join(' '))}"`);
}

/** Echoed input stays short: it is someone's typing, not ours. */
function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

export const ROLLBACK_USAGE = [
  '/rollback [app] [env]                      propose pointing the app back at its previous revisions',
  '/rollback [app] [env] --migration          propose running the migration rollback command',
  '/rollback [app] [env] --restore-snapshot   propose restoring the pre-release snapshot into a new database (last resort)',
].join('\n');

/** `/deploy help`: every command deploybot serves, `/rollback` included; an approver decides each proposal. */
export const DEPLOY_HELP = [DEPLOY_USAGE, ROLLBACK_USAGE].join('\n');

const ROLLBACK_FLAGS: Record<string, 'downgrade' | 'restore'> = {
  '--migration': 'downgrade',
  '--restore-snapshot': 'restore',
};

/**
 * `/rollback [app] [env] [--migration | --restore-snapshot]`: app and
 * environment may be left out when configuration has only one; a flag asks
 * for a database rollback instead of the services'.
 */
export function parseRollbackCommand(
  text: string,
  names: ConfiguredNames,
): { app?: string; environment?: string; database?: 'downgrade' | 'restore' } {
  const words = wordsOf(text);
  const flags = words.filter((w) => w.startsWith('--'));
  for (const flag of flags) {
    if (!Object.hasOwn(ROLLBACK_FLAGS, flag)) {
      throw usage(`unknown option "${clip(flag)}"; options: ${Object.keys(ROLLBACK_FLAGS).join(', ')}`);
    }
  }
  if (flags.length > 1) throw usage('choose one of --migration and --restore-snapshot');
  const database = flags[0] === undefined ? undefined : ROLLBACK_FLAGS[flags[0]];
  const target = appAndEnvironment(
    words.filter((w) => !w.startsWith('--')),
    names,
  );
  return { ...target, ...(database ? { database } : {}) };
}
