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
    }
  | { kind: 'status'; app?: string }
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
  '/deploy status [app]',
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

export function parseDeployCommand(text: string, names: ConfiguredNames): DeployCommand {
  const words = wordsOf(text);
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
  let type: ReleaseType = 'minor';
  let dryRun = false;
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i] as string;
    if (word === '--dry-run') dryRun = true;
    else if (word === '--type' || word.startsWith('--type=')) {
      const value = word.includes('=') ? word.slice('--type='.length) : rest[++i];
      if (!value || !isReleaseType(value))
        throw usage(`--type must be hotfix, minor or major, not "${clip(value ?? '')}"`);
      type = value;
    } else if (word.startsWith('--')) throw usage(`unknown option "${clip(word)}"`);
    else positional.push(word);
  }
  const { app, environment } = appAndEnvironment(positional, names);
  return {
    kind: 'release',
    version,
    ...(app ? { app } : {}),
    ...(environment ? { environment } : {}),
    type,
    dryRun,
  };
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
