/**
 * Takeover after a worker SIGKILL: one web and two worker processes on a
 * private Redis (the chaos harness, test/support/chaos-cluster.ts). Each of
 * BENCH_KILLS releases is killed once during deploy — the worker whose
 * UpdateService answer is held, so it dies holding the step's job — and the
 * figure is the time from the SIGKILL to the step's next run beginning on
 * another worker (BullMQ's lock expiry, its stalled check and the pick-up).
 * A replacement worker starts after each kill, so two run again. It prints
 * figures and never judges them; it exits 1 only if a run errors.
 *
 * Settings (environment):
 *   BENCH_KILLS   kills, one per release (default 10)
 */
import os from 'node:os';
import { summarize } from './percentiles';
import { ChaosCluster } from '../test/support/chaos-cluster';
import { requestRelease, tickAndStart, waitForEnd } from '../test/support/chaos-release';
import { killDuringStep, type Takeover } from '../test/support/chaos-takeover';

/** Short monitoring: the release only has to end before the next one may take the lock. */
const WINDOWS = { windowMs: 6_000, intervalMs: 2_000, rollbackWindowMs: 6_000 };

function kills(env: NodeJS.ProcessEnv): number {
  const n = Number(env.BENCH_KILLS ?? 10);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`BENCH_KILLS must be a positive integer, not "${env.BENCH_KILLS}"`);
  return n;
}

const seconds = (ms: number): string => (ms / 1000).toFixed(2).padStart(7);

async function main(): Promise<void> {
  const n = kills(process.env);
  const cpus = os.cpus();
  console.log(
    `machine: node ${process.version}, ${cpus.length} cpus, ${cpus[0]?.model.trim() ?? 'unknown cpu'}, ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  const versions = Array.from({ length: n }, (_, i) => `v3.0.${i + 1}`);
  const began = Date.now();
  const cluster = await ChaosCluster.start({ windows: WINDOWS, tags: versions });
  const runs: Takeover[] = [];
  try {
    for (const version of versions) {
      await requestRelease(cluster, version);
      const held = cluster.gate.holdNext(
        (c) => c.process.startsWith('worker-') && c.action === 'UpdateService',
      );
      const release = await tickAndStart(cluster, version);
      const takeover = await killDuringStep(cluster, release.id, 'deploy', held);
      runs.push(takeover);
      const ended = await waitForEnd(cluster, release.id);
      if (takeover.takeoverMs === undefined)
        throw new Error(`${version}: no worker ran deploy again after the kill`);
      if (ended.state !== 'succeeded')
        throw new Error(`${version} ended ${ended.state}: ${JSON.stringify(ended.failure)}`);
      console.log(
        `${version}: killed ${takeover.killed} (job ${takeover.jobState}), deploy ran again after ${seconds(takeover.takeoverMs).trim()} s`,
      );
    }
  } finally {
    await cluster.stop();
  }
  const s = summarize(runs.map((r) => r.takeoverMs as number));
  console.log('');
  console.log(`${'takeover after a worker SIGKILL (s)'.padEnd(43)} n     p50     max`);
  console.log(
    `${'deploy, UpdateService answer held'.padEnd(43)}${String(s.n).padStart(2)} ${seconds(s.p50)} ${seconds(s.max)}`,
  );
  console.log('target: within 15 s (issue 9)');
  console.log(
    `(${n} releases, web + 2 workers as processes; ${((Date.now() - began) / 1000).toFixed(1)} s in all)`,
  );
}

main().catch((error: unknown) => {
  console.error('bench failed:', error);
  process.exitCode = 1;
});
