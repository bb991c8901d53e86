#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { createAwsPorts } from '../src/aws/ports';
import { configPathFromEnv, loadConfig } from '../src/config/load';
import type { Config } from '../src/config/schema';
import { resolveTarget } from '../src/config/target';
import { ConfigError, DeploybotError, InvalidRequestError, LockedError } from '../src/domain/errors';
import { isFinished, isReleaseType, type Release, type ReleaseType } from '../src/domain/release';
import { parseVersion } from '../src/domain/version';
import { isChecklistItemId } from '../src/domain/checklist';
import { releaseChecklist } from '../src/engine/release-checklist';
import { createEngine, type Engine } from '../src/engine/engine';
import { LogChat } from '../src/engine/log-chat';
import { createLogger } from '../src/logging/logger';
import { systemClock } from '../src/ports/clock';
import { closeRedis, createRedis, redactRedisUrl, redisUrlFromEnv, whenReady } from '../src/redis/connection';
import { isStoreUnreachable, STORE_UNREACHABLE_TEXT } from '../src/redis/store-outage';
import { renderPlan } from '../src/cli/plan';
import { renderDeploymentLog } from '../src/cli/deployment-log-text';
import { exportLogs, isExportFormat, parseSince, type ExportFormat } from '../src/cli/export';
import { deploymentLogOf, deploymentLogsSince } from '../src/engine/deployment-log-source';
import {
  renderAudit,
  renderChecklist,
  renderHistoryLine,
  renderRelease,
  renderStatus,
} from '../src/cli/render';
import type { LockHolder } from '../src/ports/lock';

const USAGE = `usage: deploybot <command>
  release <version> [--app A] [--env E] [--type hotfix|minor|major]
  plan <version> [--app A] [--env E] [--type T]      the steps and AWS calls, changing nothing
  tick <release-id> <item-id…>                         tick checklist items (untick with -<item-id>)
  start <release-id> [--wait] [--override "reason"]    Start needs every required item ticked
  status [release-id]                                  a release; without one, every release in flight and every lock
  history [app] [--env E] [--limit N]
  cancel <release-id>
  lock <app> <env> <reason…>
  unlock <app> <env>
  audit [--app A] [--limit N]
  log <release-id>                                     one release in full: steps, who did what, issues, rollbacks, review
  export --since 30d [--app A] [--format csv|jsonl] [--out file]
                                                       deployment logs since then, one row per release (default jsonl to stdout)
  check-config                                         validate DEPLOYBOT_CONFIG (default ./deploybot.yaml)
Releases run in the workers of \`npm start\`; this command only asks for them.`;

const OPTIONS = {
  app: { type: 'string' },
  env: { type: 'string' },
  type: { type: 'string' },
  wait: { type: 'boolean' },
  limit: { type: 'string' },
  override: { type: 'string' },
  since: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flags = {
  app?: string;
  env?: string;
  type?: string;
  wait?: boolean;
  limit?: string;
  override?: string;
  since?: string;
  format?: string;
  out?: string;
};

export async function run(argv: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  const [command, ...args] = positionals;
  if (values.help || !command || command === 'help') {
    out(USAGE);
    return command || values.help ? 0 : 2;
  }
  const config = loadConfig(configPathFromEnv());
  if (command === 'check-config') {
    out(`${configPathFromEnv()}: ok (${Object.keys(config.apps).join(', ')})`);
    return 0;
  }
  if (command === 'plan') {
    const [version] = exactly(args, 1, 'plan <version>');
    const target = resolveTarget(config, values.app, values.env);
    out(renderPlan(target, parseVersion(version as string), releaseType(values.type)));
    return 0;
  }
  // Checked before Redis is touched, so that a typo is told as such even when Redis is away.
  const request = command === 'export' ? exportRequest(config, args, values) : undefined;
  const connection = await connect(config);
  try {
    if (request) return await runExport(connection.engine, request, out);
    return await runWithEngine(connection.engine, config, command, args, values, out);
  } finally {
    await connection.close();
  }
}

async function runWithEngine(
  engine: Engine,
  config: Config,
  command: string,
  args: string[],
  flags: Flags,
  out: (line: string) => void,
): Promise<number> {
  const me = `cli:${userInfo().username}`;
  switch (command) {
    case 'release': {
      const [version] = exactly(args, 1, 'release <version>');
      const release = await engine.service.request({
        version: version as string,
        ...(flags.app ? { app: flags.app } : {}),
        ...(flags.env ? { environment: flags.env } : {}),
        type: releaseType(flags.type),
        requestedBy: me,
      });
      out(`${renderRelease(release, Date.now())}\n${requestedNext(release)}`);
      return 0;
    }
    case 'start': {
      const [id] = exactly(args, 1, 'start <release-id>');
      if (flags.override !== undefined && flags.override.trim().length < 5) {
        throw usage('--override needs a reason of at least a few words; it is audited');
      }
      const started = await engine.service.start(
        id as string,
        me,
        flags.override ? { override: flags.override } : {},
      );
      return flags.wait ? follow(engine, started.id, out) : (out(renderRelease(started, Date.now())), 0);
    }
    case 'tick': {
      if (args.length < 2) throw usage('tick <release-id> <item-id…>: name at least one item');
      const [id, ...items] = args;
      const unknown = items.map((i) => i.replace(/^-/, '')).filter((i) => !isChecklistItemId(i));
      if (unknown.length > 0) throw usage(`unknown checklist items: ${unknown.join(', ')}`);
      const changes = Object.fromEntries(items.map((i) => [i.replace(/^-/, ''), !i.startsWith('-')]));
      const release = await engine.service.tick(id as string, me, changes);
      out(renderChecklist(releaseChecklist(release, config)));
      return 0;
    }
    case 'status': {
      if (args.length > 1) throw usage(`status [release-id]: unexpected "${args.slice(1).join(' ')}"`);
      if (args[0] === undefined) {
        out(renderStatus(await engine.service.inFlight(), Date.now()));
        return 0;
      }
      const release = await engine.service.get(args[0]);
      const rollback = release.rolledBackBy ? await engine.store.get(release.rolledBackBy) : undefined;
      out(renderRelease(release, Date.now(), rollback));
      return 0;
    }
    case 'history': {
      if (args.length > 1) throw usage(`history [app]: unexpected "${args.slice(1).join(' ')}"`);
      const app = args[0] ?? onlyApp(config);
      if (!config.apps[app]) resolveTarget(config, app, flags.env);
      const releases = await engine.store.history(app, {
        ...(flags.env ? { environment: flags.env } : {}),
        limit: positiveInt(flags.limit, 10),
      });
      out(releases.length ? releases.map(renderHistoryLine).join('\n') : `no releases of ${app} yet`);
      return 0;
    }
    case 'cancel': {
      const [id] = exactly(args, 1, 'cancel <release-id>');
      out(renderRelease(await engine.service.cancel(id as string, me), Date.now()));
      return 0;
    }
    case 'lock': {
      if (args.length < 3) throw usage('lock <app> <env> <reason…>: a reason is required');
      const target = resolveTarget(config, args[0], args[1]);
      const scope = { app: target.app, environment: target.environment };
      await engine.locks.lockManually(scope, me, args.slice(2).join(' '), Date.now());
      await engine.audit.append({
        at: Date.now(),
        actor: me,
        action: 'lock',
        ...scope,
        detail: args.slice(2).join(' '),
      });
      out(`${target.app}/${target.environment} locked`);
      return 0;
    }
    case 'unlock': {
      const [app, env] = exactly(args, 2, 'unlock <app> <env>');
      const target = resolveTarget(config, app, env);
      const scope = { app: target.app, environment: target.environment };
      const removed = await engine.locks.unlockManually(scope);
      await engine.audit.append({ at: Date.now(), actor: me, action: 'unlock', ...scope });
      out(
        removed
          ? `${target.app}/${target.environment} unlocked`
          : `${target.app}/${target.environment} was not locked`,
      );
      return 0;
    }
    case 'audit': {
      const entries = await engine.audit.recent(
        positiveInt(flags.limit, 20),
        flags.app ? { app: flags.app } : undefined,
      );
      out(entries.map(renderAudit).join('\n') || 'no audit entries');
      return 0;
    }
    case 'log': {
      const [id] = exactly(args, 1, 'log <release-id>');
      out(renderDeploymentLog(await deploymentLogOf(engine, id as string)));
      return 0;
    }
    default:
      throw usage(`unknown command "${command}"`);
  }
}

interface ExportRequest {
  apps: string[];
  since: number;
  format: ExportFormat;
  file?: string;
}

function exportRequest(config: Config, args: string[], flags: Flags): ExportRequest {
  if (args.length > 0) throw usage(`export: unexpected "${args.join(' ')}"`);
  if (flags.since === undefined) throw usage('export needs --since, e.g. --since 30d');
  const format = flags.format ?? 'jsonl';
  if (!isExportFormat(format)) throw usage(`--format must be csv or jsonl, not "${format}"`);
  // resolveTarget names the configured apps when this one is not among them.
  if (flags.app !== undefined && !config.apps[flags.app]) resolveTarget(config, flags.app, flags.env);
  return {
    apps: flags.app !== undefined ? [flags.app] : Object.keys(config.apps),
    since: parseSince(flags.since, Date.now()),
    format,
    ...(flags.out !== undefined ? { file: flags.out } : {}),
  };
}

/** The export to stdout, or to `--out` with one line saying how many releases went there. */
async function runExport(
  engine: Engine,
  request: ExportRequest,
  out: (line: string) => void,
): Promise<number> {
  const logs = await deploymentLogsSince(engine.store, request.apps, request.since);
  const text = exportLogs(logs, request.format);
  if (request.file === undefined) {
    // `out` ends each call with a line break of its own.
    if (text !== '') out(text.replace(/\r?\n$/, ''));
    return 0;
  }
  try {
    writeFileSync(request.file, text);
  } catch (error) {
    throw new InvalidRequestError(
      'export_unwritable',
      `cannot write ${request.file}: ${(error as Error).message}`,
    );
  }
  out(`${logs.length} release${logs.length === 1 ? '' : 's'} written to ${request.file}`);
  return 0;
}

/** Prints the release whenever it changes until it ends; exit code 0 only for success. */
async function follow(engine: Engine, id: string, out: (line: string) => void): Promise<number> {
  let last = '';
  for (;;) {
    const release = (await engine.store.get(id)) as Release;
    const text = renderRelease(release, Date.now());
    const shape = release.steps.map((s) => `${s.name}${s.state}${String(s.progress.note ?? '')}`).join();
    if (shape !== last) out(text);
    last = shape;
    if (isFinished(release)) return release.state === 'succeeded' ? 0 : 1;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/**
 * What comes next for a release just requested, as far as its stored copy
 * tells: preflight may already have ended it before this is printed.
 */
function requestedNext(release: Release): string {
  if (isFinished(release)) return `it has already ended; see: deploybot status ${release.id}`;
  return `preflight runs now and ticks what it checks; tick the rest with deploybot tick ${release.id} <item…>, then: deploybot start ${release.id}`;
}

/** The command that helps someone refused by a lock: lift the manual lock, or watch the busy release. */
function lockHelp(error: LockedError): string {
  const holder = error.holder as LockHolder | undefined;
  if (holder?.kind === 'release') return `; see: deploybot status ${holder.owner}`;
  if (holder?.kind === 'manual' && error.scope) {
    return `; to lift it: deploybot unlock ${error.scope.app} ${error.scope.environment}`;
  }
  return '';
}

/** How long the CLI waits for Redis before saying it cannot reach it. */
const CONNECT_TIMEOUT_MS = 3000;

/**
 * A fail-fast producer connection: when Redis is away the command ends with
 * one line and exit 1 instead of waiting for it (the error event is heard
 * here, so ioredis prints no stack trace of its own).
 */
async function connect(config: Config): Promise<{ engine: Engine; close(): Promise<void> }> {
  const redis = createRedis(redisUrlFromEnv(), 'producer');
  redis.on('error', () => undefined);
  try {
    await whenReady(redis, CONNECT_TIMEOUT_MS);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  const engine = createEngine({
    config,
    redis,
    prefix: process.env.DEPLOYBOT_REDIS_PREFIX || 'deploybot',
    aws: createAwsPorts(),
    chat: new LogChat(logger),
    clock: systemClock,
    logger,
    worker: false,
    // The command's own error says it all; the queues relay the same connection errors.
    onQueueError: () => undefined,
  });
  return {
    engine,
    async close() {
      await engine.close();
      await closeRedis(redis);
    },
  };
}

function onlyApp(config: Config): string {
  const apps = Object.keys(config.apps);
  if (apps.length !== 1) throw usage(`history <app>: name one of ${apps.join(', ')}`);
  return apps[0] as string;
}

function exactly(args: string[], count: number, form: string): string[] {
  if (args.length !== count) {
    const extra = args.length > count ? `unexpected "${args.slice(count).join(' ')}"` : 'missing argument';
    throw usage(`${form}: ${extra}`);
  }
  return args;
}

function releaseType(text: string | undefined): ReleaseType {
  if (text === undefined) return 'minor';
  if (isReleaseType(text)) return text;
  throw usage(`--type must be hotfix, minor or major, not "${text}"`);
}

function positiveInt(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw usage(`--limit must be a whole number from 1 to 1000`);
  return n;
}

/** Where Redis was looked for and what went wrong, for the one line the CLI prints. */
function storeProblem(error: unknown): string {
  let inner: unknown = error;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  const what =
    inner instanceof Error && inner.message !== STORE_UNREACHABLE_TEXT ? inner.message : 'no answer';
  return `${redactRedisUrl(redisUrlFromEnv())}: ${what}`.replace(/\s+/g, ' ');
}

function usage(message: string): InvalidRequestError {
  return new InvalidRequestError('usage', message);
}

if (require.main === module) {
  run(process.argv.slice(2), (line) => console.log(line)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      // One line on stderr for anything a person got wrong; the whole error for our own bugs.
      if (error instanceof ConfigError) {
        // Every problem of a bad configuration, each on its own line with its path.
        console.error(`deploybot: ${error.message}`);
        process.exit(2);
      }
      if (
        error instanceof DeploybotError ||
        (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
      ) {
        const help = error instanceof LockedError ? lockHelp(error) : '';
        console.error(`deploybot: ${(error as Error).message.replace(/\s+/g, ' ')}${help}`);
        process.exit(2);
      }
      if (isStoreUnreachable(error)) {
        console.error(`deploybot: ${STORE_UNREACHABLE_TEXT} (${storeProblem(error)})`);
        process.exit(1);
      }
      console.error(error);
      process.exit(1);
    },
  );
}
