import type { App, RespondFn, SlashCommand } from '@slack/bolt';
import { renderPlan } from '../src/cli/plan';
import { resolveTarget } from '../src/config/target';
import { person } from '../src/domain/authorization';
import { DeploybotError, LockedError, OutOfScheduleError } from '../src/domain/errors';
import { agoWords } from '../src/domain/free-at';
import { isFinished, type Release } from '../src/domain/release';
import type { LockHolder, LockScope } from '../src/ports/lock';
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
  unlockCommand,
  usageReply,
} from '../src/slack/blocks';
import {
  DEPLOY_HELP,
  DEPLOY_USAGE,
  parseDeployCommand,
  configuredNames,
  type DeployCommand,
} from '../src/slack/deploy-command';
import type { SlackDeps } from '../src/slack/slack-deps';
import { ChannelLanes } from '../src/slack/channel-lanes';
import { parseAtTime } from '../src/domain/schedule/at-time';
import { momentWords } from '../src/domain/schedule/moment-words';
import { DeliveryStats } from '../src/engine/delivery-stats';
import { deploymentLogOf } from '../src/engine/deployment-log-source';
import { deploymentLogReply } from '../src/slack/blocks/deployment-log';
import { queueItButton, queueReply } from '../src/slack/blocks/queue-blocks';
import type { QueueItRequest } from '../src/slack/queue-it-request';
import { statsReply } from '../src/slack/blocks/stats-reply';
import { context } from '../src/slack/blocks/block';
import { slackTime } from '../src/slack/blocks/release-format';
import { promotionSource, promotionTick } from '../src/engine/promotion';

type Reply = { text: string; blocks?: unknown[] };

/**
 * How many commands' follow-ups (after the ack) run at once in one web process
 * for one channel (src/slack/channel-lanes.ts). Few enough that a burst's acks
 * are not slowed by its follow-ups; enough that one slow follow-up (a
 * rate-limited Slack call waits for Retry-After) does not hold up everyone
 * else's reply.
 */
const FOLLOW_UPS_AT_ONCE = 4;

/**
 * `/deploy`: parse, ack at once, then act. Answers that need no I/O (usage,
 * help, dry run) are the ack itself; everything else acks empty first, so
 * Slack's 3 seconds never depend on Redis, AWS or Slack itself, and the
 * outcome follows as an ephemeral reply through response_url, the work behind
 * it queued in its channel's after-ack lane so that a burst's acks go first.
 * While Redis is known to be down the ack itself says so; when it turns out to
 * be away midway, the producer connection fails within a second and the reply
 * says so.
 */
export function registerDeployCommand(app: App, deps: SlackDeps): void {
  const names = configuredNames(deps.config);
  const followUps = new ChannelLanes(FOLLOW_UPS_AT_ONCE, (error) =>
    deps.logger.error({ err: error }, 'slack command follow-up failed'),
  );
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
      await ack(ephemeral(immediate ?? helpReply(DEPLOY_HELP)));
      return;
    }
    if (isKnownDown(deps.redis)) {
      refusedForOutage(deps, '/deploy');
      await ack(storeUnreachableReply());
      return;
    }
    await ack();
    followUps.run(laneOf(parsed, command, deps), async () => {
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
  });
}

/**
 * The channel a command's follow-up posts into: a release's (or promotion's)
 * environment channel, where its checklist goes; otherwise the channel it was
 * typed in, where its reply goes.
 */
function laneOf(command: DeployCommand, slash: SlashCommand, deps: SlackDeps): string {
  if (command.kind !== 'release' && command.kind !== 'promote') return slash.channel_id;
  try {
    const environment = command.kind === 'promote' ? command.to : command.environment;
    const target = resolveTarget(deps.config, command.app, environment);
    return target.config.channel ?? deps.config.slack.channel;
  } catch {
    // An unknown target is refused in the follow-up itself, in words.
    return slash.channel_id;
  }
}

function immediateAnswer(command: DeployCommand, deps: SlackDeps): Reply | undefined {
  if (command.kind === 'help') return helpReply(DEPLOY_HELP);
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
    case 'release':
      return releaseOrQueue(command, user, deps);
    case 'promote': {
      const target = resolveTarget(config, command.app, command.to);
      const refused = await refusedToDeploy(deps, user, target, command.override);
      if (refused) return { message: refused };
      const source = await promotionSource(engine.store, target.app, command.from);
      const release = await engine.service.request({
        version: source.version,
        app: target.app,
        environment: target.environment,
        type: command.type,
        requestedBy: user,
        promotedFrom: { releaseId: source.id, environment: source.environment },
        ticks: promotionTick(source, deps.clock.now()),
        ...(command.override !== undefined ? { override: command.override } : {}),
      });
      return {
        message: noticeReply(
          `${requested(release)} It promotes ${source.version} from ${source.environment} (release \`${source.id}\`), which ticked "Database migrations tested in staging".`,
        ),
      };
    }
    case 'queue': {
      const listings = await engine.releaseQueue.list({
        ...(command.app !== undefined ? { app: command.app } : {}),
        ...(command.environment !== undefined ? { environment: command.environment } : {}),
      });
      return { message: queueReply(listings) };
    }
    case 'log': {
      const log = await deploymentLogOf({ store: engine.store, audit: engine.audit }, command.releaseId);
      return { message: deploymentLogReply(log, deps.clock.now()) };
    }
    case 'stats': {
      const answer = await new DeliveryStats({ config, store: engine.store, clock: deps.clock }).figures({
        ...(command.app !== undefined ? { app: command.app } : {}),
        ...(command.environment !== undefined ? { environment: command.environment } : {}),
        days: command.days,
      });
      // The team's figures are the team's to see: said in the channel.
      return { message: statsReply(answer, deps.clock.now()), inChannel: true };
    }
    case 'status': {
      const view = await engine.service.inFlight(command.app);
      return { message: statusReply({ ...view, now: deps.clock.now() }) };
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
      if (release.state === 'queued') {
        const rule = await refusedToWithdraw(deps, user, release, target);
        if (rule) return { message: refusedReply(rule) };
        const cancelled = await engine.releaseQueue.cancel(release.id, user);
        return {
          message: noticeReply(`Queued release \`${cancelled.id}\` (${cancelled.version}) cancelled.`),
        };
      }
      const refused = await refusedToWithdraw(deps, user, release, target);
      if (refused) return { message: refusedReply(refused) };
      const cancelled = await engine.service.cancel(release.id, user);
      return { message: noticeReply(`Release \`${cancelled.id}\` (${cancelled.version}) cancelled.`) };
    }
    case 'lock': {
      const target = resolveTarget(config, command.app, command.environment);
      const decision = await authorizer.check('deploy', user, target);
      if (!decision.allowed) return { message: refusedReply(decision.because) };
      const scope = { app: target.app, environment: target.environment };
      const now = deps.clock.now();
      await engine.locks.lockManually(scope, user, command.reason, now);
      deps.home?.changed();
      await engine.audit.append({ at: now, actor: user, action: 'lock', ...scope, detail: command.reason });
      return {
        message: noticeReply(
          `:lock: ${target.app}/${target.environment} locked by <@${user}>: ${command.reason}. Unlock with \`${unlockCommand(scope.app, scope.environment)}\`.`,
        ),
        inChannel: true,
      };
    }
    case 'unlock': {
      const target = resolveTarget(config, command.app, command.environment);
      const scope = { app: target.app, environment: target.environment };
      const where = `${target.app}/${target.environment}`;
      const holder = await engine.locks.holder(scope);
      if (holder?.kind !== 'manual') return { message: noticeReply(await notLocked(scope, holder, deps)) };
      // Whoever placed a lock may lift it; anyone else needs the unlock rule (see unlockRule).
      if (holder.by !== user) {
        const decision = await authorizer.check('unlock', user, target);
        if (!decision.allowed) return { message: refusedReply(decision.because) };
      }
      const now = deps.clock.now();
      const removed = await engine.locks.unlockManually(scope);
      deps.home?.changed();
      await engine.audit.append({ at: now, actor: user, action: 'unlock', ...scope });
      if (removed?.kind !== 'manual') return { message: noticeReply(`${where} was not locked.`) };
      return {
        message: noticeReply(
          `:unlock: ${where} unlocked by <@${user}> (locked by ${person(removed.by)} ${agoWords(removed.at, now)}: ${removed.reason})`,
        ),
        inChannel: true,
      };
    }
  }
}

type ReleaseCommand = Extract<DeployCommand, { kind: 'release' }>;

/**
 * `/deploy <version>`: a release now, or with `--queue`/`--at` a place in the
 * deploy queue. A refusal because the app is busy or out of its window offers
 * "Queue it" with the same request.
 */
async function releaseOrQueue(
  command: ReleaseCommand,
  user: string,
  deps: SlackDeps,
): Promise<{ message: Reply; inChannel?: boolean }> {
  const { engine, config, clock } = deps;
  const target = resolveTarget(config, command.app, command.environment);
  const refusedHere = await refusedToDeploy(deps, user, target, command.override);
  if (refusedHere) return { message: refusedHere };
  const request = {
    version: command.version,
    app: target.app,
    environment: target.environment,
    type: command.type,
    requestedBy: user,
    ...(command.override !== undefined ? { override: command.override } : {}),
  };
  if (command.queue) {
    const timeZone = target.config.schedule?.timeZone ?? 'UTC';
    const notBefore = command.at !== undefined ? parseAtTime(command.at, clock.now(), timeZone) : undefined;
    const why =
      notBefore !== undefined
        ? `scheduled for ${momentWords(notBefore, clock.now(), timeZone)}`
        : 'queued by its requester';
    const queued = await engine.releaseQueue.enqueue({
      ...request,
      why,
      ...(notBefore !== undefined ? { notBefore } : {}),
    });
    return { message: noticeReply(queuedNotice(queued, timeZone, clock.now())) };
  }
  // Releases already waiting their turn go first: a request never overtakes the queue.
  const waiting = (await engine.releaseQueue.list({ app: target.app, environment: target.environment }))
    // A release scheduled for later (`--at`) holds nobody up until its time.
    .flatMap((listing) => listing.slots.filter((slot) => slot.scheduledFor === undefined));
  if (waiting.length > 0) {
    const refused = refusedReply(
      `${target.app}/${target.environment} has ${waiting.length === 1 ? 'a release' : `${waiting.length} releases`} queued (${waiting
        .map((slot) => `\`${slot.entry.id}\` ${slot.entry.version}`)
        .join(', ')}); a new release waits behind ${waiting.length === 1 ? 'it' : 'them'}`,
      `/deploy queue ${target.app} ${target.environment}`,
    );
    return withQueueOffer(refused, request, 'behind the releases already queued');
  }
  try {
    const release = await engine.service.request(request);
    return { message: noticeReply(requested(release)) };
  } catch (error) {
    // Busy or out of window: the same request can wait its turn instead.
    if (error instanceof LockedError) {
      return withQueueOffer(
        refusedReply(error.message, lockHelp(error)),
        request,
        'the app was busy when requested',
      );
    }
    if (error instanceof OutOfScheduleError) {
      return withQueueOffer(scheduleRefusal(error), request, 'outside its window when requested');
    }
    throw error;
  }
}

/** Who may ask for a release here: a deployer, and with `--override` also an overrider. The refusal, or none. */
async function refusedToDeploy(
  deps: SlackDeps,
  user: string,
  target: ReturnType<typeof resolveTarget>,
  override: string | undefined,
): Promise<Reply | undefined> {
  const decision = await deps.authorizer.check('deploy', user, target);
  if (!decision.allowed) return refusedReply(decision.because);
  if (override === undefined) return undefined;
  const may = await deps.authorizer.check('override', user, target);
  return may.allowed ? undefined : refusedReply(may.because);
}

/**
 * Who may withdraw a release: whoever asked for it; else, while it is queued,
 * an approver, and once it left the queue anyone who may deploy there. One rule
 * for `/deploy cancel` and the Cancel button. The rule that refused, or none.
 */
export async function refusedToWithdraw(
  deps: SlackDeps,
  user: string,
  release: Release,
  target: ReturnType<typeof resolveTarget>,
): Promise<string | undefined> {
  if (release.requestedBy === user) return undefined;
  const queued = release.state === 'queued';
  const decision = await deps.authorizer.check(queued ? 'approve' : 'deploy', user, target, release.id);
  if (decision.allowed) return undefined;
  return queued
    ? `a queued release is withdrawn by its requester (${person(release.requestedBy)}) or an approver; ${decision.because}`
    : decision.because;
}

/** A refusal with "Queue it" under it: the same request, to wait its turn. */
function withQueueOffer(
  refused: Reply,
  request: Omit<QueueItRequest, 'why'>,
  why: string,
): { message: Reply } {
  return { message: { ...refused, blocks: [...(refused.blocks ?? []), queueItButton({ ...request, why })] } };
}

/**
 * A schedule's refusal: the rule and the next allowed time in the schedule's
 * zone, then that time once more as a Slack date token, which each reader's
 * client shows in their own time zone.
 */
function scheduleRefusal(error: OutOfScheduleError): Reply {
  const refused = refusedReply(error.message);
  if (error.nextAllowedAt === undefined) return refused;
  const yours = context(`In your time zone: ${slackTime(error.nextAllowedAt, 'datetime')}`);
  return { ...refused, blocks: [...(refused.blocks ?? []), yours] };
}

/** What `/deploy … --queue` answers: where the release now is. */
function queuedNotice(release: Release, timeZone: string, now: number): string {
  const what = `${release.app} ${release.version} → ${release.environment} (release \`${release.id}\`)`;
  const where = release.chat
    ? ` Its checklist is in <#${release.chat.channel}>; tick it while it waits.`
    : '';
  if (release.state !== 'queued') return requested(release);
  const at = release.queue?.notBefore;
  const when =
    at !== undefined && at > now ? ` It will not run before ${momentWords(at, now, timeZone)}.` : '';
  return `Queued ${what}.${when}${where} \`/deploy queue ${release.app} ${release.environment}\` shows its place.`;
}

/**
 * The answer to `/deploy <version>`: what was done, and what the stored
 * release says happened since — never a promise about steps that may have
 * ended already (preflight can fail before this reply is sent).
 */
function requested(release: Release): string {
  const what = `Requested ${release.app} ${release.version} → ${release.environment} (release \`${release.id}\`)`;
  const where = release.chat ? `<#${release.chat.channel}>` : undefined;
  if (isFinished(release)) {
    const why = release.failure ? `: ${release.failure.message}` : '';
    return `${what}; it has already ended (${release.state.replace('_', ' ')})${why}.`;
  }
  return where
    ? `${what}: its checklist is in ${where} — preflight runs now.`
    : `${what}: preflight runs now; its message could not be posted, so follow it with \`/deploy status ${release.app}\`.`;
}

/** `/deploy unlock` where there is no manual lock: say what holds the app instead, if anything. */
async function notLocked(scope: LockScope, holder: LockHolder | undefined, deps: SlackDeps): Promise<string> {
  const where = `${scope.app}/${scope.environment}`;
  if (!holder) return `${where} was not locked.`;
  const busy = await deps.engine.service.describeHolder(scope, holder);
  return `${where} has no manual lock to lift: ${busy}. A release's own lock ends with it.`;
}

/** What would help someone refused by a lock: the unlock command, or where to watch the busy release. */
function lockHelp(error: LockedError): string | undefined {
  if (!error.scope) return undefined;
  const holder = error.holder as LockHolder | undefined;
  const { app, environment } = error.scope;
  return holder?.kind === 'manual' ? unlockCommand(app, environment) : `/deploy status ${app}`;
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
  // A lock is a refusal like any other: it names its holder and the command that helps.
  if (error instanceof LockedError) {
    await respond(ephemeral(refusedReply(error.message, lockHelp(error))));
    return;
  }
  // So is the schedule: the message names the rule and the next allowed time.
  if (error instanceof OutOfScheduleError) {
    await respond(ephemeral(scheduleRefusal(error)));
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
