import type { App, RespondFn, SlashCommand } from '@slack/bolt';
import { renderPlan } from '../src/cli/plan';
import { resolveTarget } from '../src/config/target';
import { DeploybotError } from '../src/domain/errors';
import { isFinished, type Release } from '../src/domain/release';
import { isFirstDelivery } from '../src/redis/slack-pacing';
import { isKnownDown, isStoreUnreachable, STORE_UNREACHABLE_TEXT } from '../src/redis/store-outage';
import {
  errorReply,
  helpReply,
  historyReply,
  noticeReply,
  planReply,
  refusedReply,
  statusReply,
  usageReply,
} from '../src/slack/blocks';
import {
  DEPLOY_USAGE,
  parseDeployCommand,
  configuredNames,
  type DeployCommand,
} from '../src/slack/deploy-command';
import type { SlackDeps } from '../src/slack/slack-deps';

type Reply = { text: string; blocks?: unknown[] };

/**
 * `/deploy`: parse, ack at once, then act. Answers that need no I/O (usage,
 * help, dry run) are the ack itself; everything else acks empty first, so
 * Slack's 3 seconds never depend on Redis, AWS or Slack itself, and the
 * outcome follows as an ephemeral reply through response_url. While Redis is
 * known to be down the ack itself says so; when it turns out to be away
 * midway, the producer connection fails within a second and the reply says so.
 */
export function registerDeployCommand(app: App, deps: SlackDeps): void {
  const names = configuredNames(deps.config);
  app.command('/deploy', async ({ command, ack, respond }) => {
    let parsed: DeployCommand;
    try {
      parsed = parseDeployCommand(command.text, names);
    } catch (error) {
      await ack(ephemeral(usageReply(messageOf(error), DEPLOY_USAGE)));
      return;
    }
    const immediate = immediateAnswer(parsed, deps);
    if (immediate || parsed.kind === 'help') {
      await ack(ephemeral(immediate ?? helpReply(DEPLOY_USAGE)));
      return;
    }
    if (isKnownDown(deps.redis)) {
      refusedForOutage(deps, '/deploy');
      await ack(storeUnreachableReply());
      return;
    }
    await ack();
    try {
      // A retried delivery of the same command (same trigger_id) does nothing. Inside
      // the try: it is the first Redis command, the one that meets an outage.
      if (!(await isFirstDelivery(deps.redis, deps.prefix, `deploy-${command.trigger_id}`))) return;
      const reply = await act(parsed, command, deps);
      await respond(
        reply.inChannel ? { response_type: 'in_channel', ...reply.message } : ephemeral(reply.message),
      );
    } catch (error) {
      await replyWithError(respond, error, deps, '/deploy');
    }
  });
}

function immediateAnswer(command: DeployCommand, deps: SlackDeps): Reply | undefined {
  if (command.kind === 'help') return helpReply(DEPLOY_USAGE);
  if (command.kind === 'release' && command.dryRun) {
    try {
      const target = resolveTarget(deps.config, command.app, command.environment);
      return planReply(renderPlan(target, command.version, command.type));
    } catch (error) {
      return usageReply(messageOf(error), DEPLOY_USAGE);
    }
  }
  return undefined;
}

async function act(
  command: Exclude<DeployCommand, { kind: 'help' }>,
  slash: SlashCommand,
  deps: SlackDeps,
): Promise<{ message: Reply; inChannel?: boolean }> {
  const { engine, authorizer, config } = deps;
  const user = slash.user_id;
  switch (command.kind) {
    case 'release': {
      const target = resolveTarget(config, command.app, command.environment);
      const decision = await authorizer.check('deploy', user, target);
      if (!decision.allowed) return { message: refusedReply(decision.because) };
      const release = await engine.service.request({
        version: command.version,
        app: target.app,
        environment: target.environment,
        type: command.type,
        requestedBy: user,
      });
      const where = release.chat ? ` in <#${release.chat.channel}>` : '';
      return {
        message: noticeReply(
          `Release \`${release.id}\` of ${release.app} ${release.version} → ${release.environment} is open${where}: preflight is running; tick the checklist, then press Start.`,
        ),
      };
    }
    case 'status': {
      const apps = command.app ? [command.app] : Object.keys(config.apps);
      const releases: Release[] = [];
      for (const app of apps) {
        releases.push(...(await engine.store.history(app, { limit: 20 })).filter((r) => !isFinished(r)));
      }
      return { message: statusReply(releases, deps.clock.now()) };
    }
    case 'history': {
      const app = command.app ?? resolveTarget(config, undefined, command.environment).app;
      const releases = await engine.store.history(app, {
        ...(command.environment ? { environment: command.environment } : {}),
        limit: command.limit,
      });
      return { message: historyReply(app, releases) };
    }
    case 'cancel': {
      const release = await engine.service.get(command.releaseId);
      const target = resolveTarget(config, release.app, release.environment);
      const decision = await authorizer.check('deploy', user, target, release.id);
      if (!decision.allowed) return { message: refusedReply(decision.because) };
      const cancelled = await engine.service.cancel(release.id, user);
      return { message: noticeReply(`Release \`${cancelled.id}\` (${cancelled.version}) cancelled.`) };
    }
    case 'lock':
    case 'unlock': {
      const target = resolveTarget(config, command.app, command.environment);
      const decision = await authorizer.check('deploy', user, target);
      if (!decision.allowed) return { message: refusedReply(decision.because) };
      const scope = { app: target.app, environment: target.environment };
      const now = deps.clock.now();
      if (command.kind === 'lock') {
        await engine.locks.lockManually(scope, user, command.reason, now);
        await engine.audit.append({ at: now, actor: user, action: 'lock', ...scope, detail: command.reason });
        return {
          message: noticeReply(
            `:lock: ${target.app}/${target.environment} locked by <@${user}>: ${command.reason}`,
          ),
          inChannel: true,
        };
      }
      const removed = await engine.locks.unlockManually(scope);
      await engine.audit.append({ at: now, actor: user, action: 'unlock', ...scope });
      return removed
        ? {
            message: noticeReply(`:unlock: ${target.app}/${target.environment} unlocked by <@${user}>`),
            inChannel: true,
          }
        : { message: noticeReply(`${target.app}/${target.environment} was not locked.`) };
    }
  }
}

export function ephemeral(reply: Reply): { response_type: 'ephemeral'; text: string; blocks?: never[] } {
  return { response_type: 'ephemeral', ...(reply as { text: string; blocks?: never[] }) };
}

/** What anyone asking while Redis is unreachable is told, to them alone. */
export function storeUnreachableReply(): ReturnType<typeof ephemeral> {
  return ephemeral(errorReply(STORE_UNREACHABLE_TEXT));
}

/** One line per refused request; the connection's own log says why Redis is away. */
export function refusedForOutage(deps: SlackDeps, request: string, error?: unknown): void {
  const cause = error instanceof Error ? { err: { message: error.message } } : {};
  deps.logger.warn({ request, ...cause }, 'request refused: store unreachable');
}

/**
 * For a click, after its ack: while Redis is known to be down the clicker is
 * told so at once and nothing is tried (returns true). The replay guard,
 * which writes to Redis before any listener runs, usually answers first.
 */
export async function refusedWhileDown(
  respond: RespondFn,
  deps: SlackDeps,
  request: string,
): Promise<boolean> {
  if (!isKnownDown(deps.redis)) return false;
  refusedForOutage(deps, request);
  await respond({ ...storeUnreachableReply(), replace_original: false });
  return true;
}

export async function replyWithError(
  respond: RespondFn,
  error: unknown,
  deps: SlackDeps,
  request = 'slack',
): Promise<void> {
  if (isStoreUnreachable(error)) {
    refusedForOutage(deps, request, error);
    await respond(storeUnreachableReply());
    return;
  }
  if (!(error instanceof DeploybotError)) deps.logger.error({ err: error }, 'slack command failed');
  const text =
    error instanceof DeploybotError ? error.message : 'Something went wrong on our side; it is in the logs.';
  await respond(ephemeral(errorReply(text)));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
