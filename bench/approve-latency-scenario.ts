/**
 * One rollback of the approval bench: a release that finished (its revisions
 * registered and rolled out in the emulator exactly as the deploy step does it,
 * its record stored as the engine leaves a succeeded release, its parent message
 * posted), a rollback proposal made through the engine as `/rollback` makes it,
 * and the approver's signed click on "Approve rollback" over HTTP.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { withTag } from '../src/aws/image-uri';
import { planSteps } from '../src/domain/plan';
import type { Release } from '../src/domain/release';
import { newReleaseId } from '../src/domain/release-id';
import { stepJobId } from '../src/queue/step-jobs';
import { APPROVE_ROLLBACK_ACTION } from '../src/slack/blocks';
import { buttonClickPayload, interactionBody, postToBolt } from '../test/support/slack-requests';
import { CHANNELS, SIGNING_SECRET, type BenchSystem } from './approve-latency-system';

const APP = 'backend';
const ENVIRONMENT = 'production';
/** Tags the emulator's registry holds, alternated so that every release changes the image. */
const VERSIONS = ['v1.2.0', 'v1.2.1'];
const APPROVER = 'U0APPROVER';

export interface Proposed {
  rollback: Release;
  /** The services the rollback points back: one UpdateService each. */
  services: string[];
}

/**
 * A finished release of backend/production and a rollback proposal of it.
 * `index` picks the version and the channel: parents go to the channels in
 * turn, so each channel's pacer is idle again by the time its next proposal comes.
 */
export async function proposeRollbackOfFinishedRelease(
  system: BenchSystem,
  index: number,
): Promise<Proposed> {
  const { config, engine, setupClient } = system;
  const env = config.apps[APP]?.environments[ENVIRONMENT];
  if (!env) throw new Error(`the bench configuration has no ${APP}/${ENVIRONMENT}`);
  const ports = system.platform;
  const started = Date.now();
  const id = newReleaseId(started, Math.random);
  const version = VERSIONS[index % VERSIONS.length] as string;
  const names = env.services.map((s) => s.name);
  const previous: Record<string, string> = {};
  const target: Record<string, string> = {};
  for (const service of await ports.describeServices(env.cluster, names)) {
    const source = await ports.describeTaskDefinition(service.taskDefinition);
    const containers = env.services.find((s) => s.name === service.name)?.containers ?? [];
    const images = Object.fromEntries(
      source.containers
        .filter((c) => containers.includes(c.name))
        .map((c) => [c.name, withTag(c.image, version)]),
    );
    const registered = await ports.registerImageRevision({
      from: service.taskDefinition,
      images,
      releaseId: id,
    });
    await ports.updateService(env.cluster, service.name, registered.arn);
    previous[service.name] = service.taskDefinition;
    target[service.name] = registered.arn;
  }
  const channel = CHANNELS[index % CHANNELS.length] as string;
  const parent = await setupClient.chat.postMessage({
    channel,
    text: `Release ${version} of ${APP} succeeded`,
  });
  const ended = Date.now();
  const release: Release = {
    id,
    app: APP,
    environment: ENVIRONMENT,
    version,
    type: 'minor',
    requestedBy: 'U0REQUESTER',
    state: 'succeeded',
    createdAt: started,
    updatedAt: ended,
    startedAt: started,
    startedBy: 'U0REQUESTER',
    endedAt: ended,
    revision: 0,
    steps: planSteps('minor', { hasDatabase: !!env.database, hasMigration: !!env.migration }).map((s) =>
      s.state === 'skipped'
        ? s
        : { ...s, state: 'succeeded', runs: 1, startedAt: started, finishedAt: ended },
    ),
    facts: { previousTaskDefinitions: previous, targetTaskDefinitions: target },
    checklist: {},
    chat: { channel: parent.channel ?? channel, ts: parent.ts ?? '' },
  };
  await engine.store.create(release);
  const rollback = await engine.service.proposeRollback({
    app: APP,
    environment: ENVIRONMENT,
    requestedBy: 'U0DEPLOYER',
    releaseId: id,
  });
  return { rollback, services: names };
}

/** The approver's click on the proposal's "Approve rollback", as Slack POSTs it; resolves with Bolt's answer. */
export async function clickApprove(system: BenchSystem, rollback: Release): Promise<{ status: number }> {
  const ref = rollback.chat;
  const message = ref ? system.slack.findMessage(ref.ts) : undefined;
  if (!ref || !message) throw new Error(`rollback ${rollback.id} has no message to click`);
  const blocks = (message.blocks ?? []) as { block_id?: string; elements?: { action_id?: string }[] }[];
  const block = blocks.find((b) => b.elements?.some((e) => e.action_id === APPROVE_ROLLBACK_ACTION));
  if (!block?.block_id) throw new Error(`rollback ${rollback.id}'s message has no approve button`);
  const payload = buttonClickPayload({
    user_id: APPROVER,
    message: { ts: message.ts, blocks: message.blocks ?? [] },
    channel_id: ref.channel,
    response_url: system.slack.newResponseUrl(ref.channel, APPROVER, message.ts),
    action_id: APPROVE_ROLLBACK_ACTION,
    block_id: block.block_id,
  });
  return postToBolt(system.boltUrl, SIGNING_SECRET, interactionBody(payload));
}

/**
 * Ends a measured rollback: cancelled as a person would, and its deploy step's
 * next poll (a delayed job) removed, so that it does not run during a later
 * click and is not taken for that click's step.
 */
export async function retireRollback(system: BenchSystem, rollbackId: string): Promise<void> {
  await system.engine.service.cancel(rollbackId, APPROVER);
  const job = await system.engine.queue.getJob(stepJobId(rollbackId, 'deploy'));
  if (!job) return;
  // The step run has returned; its processor moves the job to delayed a moment later.
  const deadline = Date.now() + 5_000;
  for (let state = await job.getState(); state === 'active'; state = await job.getState()) {
    if (Date.now() > deadline) throw new Error(`the deploy job of ${rollbackId} stayed active`);
    await sleep(5);
  }
  await job.remove();
}
