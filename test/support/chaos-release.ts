import { findStep, type Release, type StepName } from '../../src/domain/release';
import type { FakeMessage } from '../../src/sandbox/fake-slack/types';
import type { ChaosCluster } from './chaos-cluster';
import { REQUESTER } from './chaos-config';
import { elements } from './chaos-slack';
import { waitUntil } from './chaos-wait';

/** A release and its message, as a person finds them after typing `/deploy`. */
export interface Requested {
  release: Release;
  message: FakeMessage;
}

const REQUIRED_MANUAL_ITEMS = ['unit-tests', 'code-reviewed'];

/** Types `/deploy <version> backend <environment> --type hotfix` and waits for the checklist and preflight. */
export async function requestRelease(
  cluster: ChaosCluster,
  version: string,
  environment = 'production',
): Promise<Requested> {
  const sent = await cluster.chat.command(REQUESTER, `${version} backend ${environment} --type hotfix`);
  if (sent.status !== 200) throw new Error(`/deploy ${version} answered ${sent.status}: ${sent.answer}`);
  const release = await waitUntil(
    `${version} requested and preflighted`,
    async () => {
      const found = await cluster.releaseOf(version, environment);
      return found && findStep(found, 'preflight').state === 'succeeded' ? found : undefined;
    },
    { timeoutMs: 60_000, context: () => cluster.logs(20) },
  );
  const message = await waitUntil(
    `the release message of ${version}`,
    () => cluster.chat.releaseMessage(version),
    {
      timeoutMs: 30_000,
    },
  );
  return { release, message };
}

/** Ticks the required manual items as the requester does, presses Start once it shows, and waits until it runs. */
export async function tickAndStart(cluster: ChaosCluster, version: string): Promise<Release> {
  const before = await waitUntil(`${version}'s message`, () => cluster.chat.releaseMessage(version), {
    timeoutMs: 30_000,
  });
  const ticked = await cluster.chat.select(
    REQUESTER,
    before,
    REQUIRED_MANUAL_ITEMS[0] as string,
    REQUIRED_MANUAL_ITEMS,
  );
  if (ticked.status !== 200) throw new Error(`the tick answered ${ticked.status}: ${ticked.answer}`);
  const withStart = await waitUntil(
    `Start on ${version}'s message`,
    () => {
      const message = cluster.chat.releaseMessage(version);
      return message && elements(message).some((e) => e.element.action_id === 'release_start')
        ? message
        : undefined;
    },
    { timeoutMs: 30_000, context: () => cluster.logs(20) },
  );
  const pressed = await cluster.chat.click(REQUESTER, withStart, 'release_start');
  if (pressed.status !== 200) throw new Error(`Start answered ${pressed.status}: ${pressed.answer}`);
  return waitUntil(
    `${version} to run`,
    async () => {
      const release = await cluster.releaseOf(version);
      return release && release.state !== 'awaiting_start' ? release : undefined;
    },
    { timeoutMs: 30_000, context: () => cluster.logs(20) },
  );
}

/** Waits until the release has finished, whichever way. */
export async function waitForEnd(
  cluster: ChaosCluster,
  releaseId: string,
  timeoutMs = 180_000,
): Promise<Release> {
  return waitUntil(
    `release ${releaseId} to finish`,
    async () => {
      const release = await cluster.store.get(releaseId);
      return release && release.state !== 'running' && release.state !== 'awaiting_start'
        ? release
        : undefined;
    },
    { timeoutMs, everyMs: 250, context: () => cluster.logs(25) },
  );
}

/** Waits until `step` of the release has begun at least `runs` runs. */
export async function waitForRuns(
  cluster: ChaosCluster,
  releaseId: string,
  step: StepName,
  runs: number,
  timeoutMs = 120_000,
): Promise<Release> {
  return waitUntil(
    `${step} of ${releaseId} to have run ${runs} times`,
    async () => {
      const release = await cluster.store.get(releaseId);
      if (release && release.state !== 'running') throw new Error(`release ${releaseId} is ${release.state}`);
      return release && findStep(release, step).runs >= runs ? release : undefined;
    },
    { timeoutMs, everyMs: 50, context: () => cluster.logs(20) },
  );
}

/** The side effects AWS saw for one release, from the emulator's call log and (per service) the gate's. */
export interface SideEffects {
  snapshots: number;
  migrationTasks: number;
  updatesByService: Record<string, number>;
  parentMessages: number;
}

export function sideEffectsOf(cluster: ChaosCluster, release: Release): SideEffects {
  const from = release.createdAt;
  const to = release.endedAt ?? Date.now();
  const accepted = (action: string) =>
    cluster.emulator.calls.filter((c) => c.action === action && c.status < 300 && c.at >= from && c.at <= to);
  const updatesByService: Record<string, number> = {};
  for (const call of cluster.gate.succeeded('UpdateService', from).filter((c) => c.at <= to)) {
    const service = call.params.service ?? '?';
    updatesByService[service] = (updatesByService[service] ?? 0) + 1;
  }
  return {
    snapshots: accepted('CreateDBSnapshot').length,
    migrationTasks: cluster.gate.succeeded('RunTask', from).filter((c) => c.params.startedBy === release.id)
      .length,
    updatesByService,
    parentMessages: cluster.chat.parentMessages(release.version).length,
  };
}
