import { setTimeout as pause } from 'node:timers/promises';
import { findStep, type Release } from '../../src/domain/release';
import type { ChaosCluster } from './chaos-cluster';
import { REQUESTER, type ChaosWindows } from './chaos-config';
import { waitUntil } from './chaos-wait';

/** The manual items a release cannot start without (preflight ticks the rest); see chaos-release.ts. */
const REQUIRED_MANUAL_ITEMS = ['unit-tests', 'code-reviewed'];

/**
 * Types `/deploy <version> backend <environment> --type hotfix --queue` while
 * the scope is busy, waits for the queued release and its message, and ticks
 * the required items on that message as its requester does while it waits:
 * at its turn it then starts by itself (QueueTurns.startWhenReady).
 */
export async function queueTickedRelease(
  cluster: ChaosCluster,
  version: string,
  environment = 'production',
): Promise<Release> {
  const sent = await cluster.chat.command(
    REQUESTER,
    `${version} backend ${environment} --type hotfix --queue`,
  );
  if (sent.status !== 200)
    throw new Error(`/deploy ${version} --queue answered ${sent.status}: ${sent.answer}`);
  const queued = await waitUntil(
    `${version} queued`,
    async () => {
      const release = await cluster.releaseOf(version, environment);
      if (release && release.state !== 'queued')
        throw new Error(`${version} is ${release.state}, not queued`);
      return release;
    },
    { timeoutMs: 30_000, context: () => cluster.logs(20) },
  );
  const message = await waitUntil(
    `the message of queued ${version}`,
    () => cluster.chat.releaseMessage(version),
    {
      timeoutMs: 30_000,
    },
  );
  const ticked = await cluster.chat.select(
    REQUESTER,
    message,
    REQUIRED_MANUAL_ITEMS[0] as string,
    REQUIRED_MANUAL_ITEMS,
  );
  if (ticked.status !== 200) throw new Error(`the tick answered ${ticked.status}: ${ticked.answer}`);
  return waitUntil(
    `${version}'s required items ticked while queued`,
    async () => {
      const release = await cluster.store.get(queued.id);
      if (release && release.state !== 'queued')
        throw new Error(`${version} left the queue early: ${release.state}`);
      return release && REQUIRED_MANUAL_ITEMS.every((item) => item in release.checklist)
        ? release
        : undefined;
    },
    { timeoutMs: 30_000, context: () => cluster.logs(20) },
  );
}

/** A Redis outage placed on a release's last monitoring sample. */
export interface EndOutage {
  /** When the private redis-server was stopped (SIGSTOP) and resumed (SIGCONT), wall clock ms. */
  stoppedAt: number;
  resumedAt: number;
  /** The end of the release's monitoring window, and the AWS call of its last sample that triggered the stop. */
  windowEndsAt: number;
  trigger: { process: string; action: string; at: number };
}

/**
 * Stops Redis (SIGSTOP: connections stay open, every command hangs, nothing is
 * lost) for `durationMs` at the last moment of `releaseId`'s life: when a worker
 * makes the first AWS call of the monitoring window's last sample. That worker
 * then finishes the sample with Redis gone, so the release's end — its
 * `succeeded` write, the freeing of its lock and the deploy queue's wake-up
 * that follows — can only reach Redis once it is back. The AWS call is the
 * condition waited on (polled in memory, every few ms: the sample's Logs
 * Insights query alone takes the emulator hundreds of ms), never the clock.
 */
export async function stopRedisAtLastSample(
  cluster: ChaosCluster,
  releaseId: string,
  windows: ChaosWindows,
  durationMs: number,
): Promise<EndOutage> {
  const windowStart = await waitUntil(
    `the monitoring window of ${releaseId} to begin`,
    async () => {
      const release = await cluster.store.get(releaseId);
      if (release && release.state !== 'running') throw new Error(`release ${releaseId} is ${release.state}`);
      const start = release && findStep(release, 'monitor').progress.windowStart;
      return typeof start === 'number' ? start : undefined;
    },
    { timeoutMs: 120_000, everyMs: 100, context: () => cluster.logs(20) },
  );
  const windowEndsAt = windowStart + Math.ceil(windows.windowMs / windows.intervalMs) * windows.intervalMs;
  const trigger = await waitUntil(
    `a worker's first AWS call of ${releaseId}'s last sample (at or after ${new Date(windowEndsAt).toISOString()})`,
    () => cluster.gate.calls.find((c) => c.at >= windowEndsAt && c.process.startsWith('worker-')),
    { timeoutMs: windows.windowMs + 60_000, everyMs: 2, context: () => cluster.logs(20) },
  );
  const stoppedAt = Date.now();
  await cluster.redis.stop('pause');
  try {
    // The fault injected: a fixed time, not a wait on anything.
    await pause(durationMs);
  } finally {
    await cluster.redis.resume();
  }
  return {
    stoppedAt,
    resumedAt: Date.now(),
    windowEndsAt,
    trigger: { process: trigger.process, action: trigger.action, at: trigger.at },
  };
}
