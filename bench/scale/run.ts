/**
 * Scale benchmark (alone: `npm run bench:scale`): N releases of N apps at once
 * (BENCH_SCALE_APPS, default 200) through deploybot's web and two worker
 * processes on one Redis, each from a signed `/deploy` and a Start click over
 * real HTTP, through backup, deploy and a monitoring window of minutes, to
 * their end. It prints one table — wall time, final states, peak RSS per
 * process, Redis memory per release in flight and kept after, Slack calls per
 * channel against Slack's limits, and CloudWatch Logs and ECS requests per
 * second against the account's quotas — each with its limit and "ok" or
 * "over". It exits 1 when a release did not end by the deadline or a limit was
 * broken, after printing what finished and what did not.
 *
 * Settings (environment):
 *   BENCH_SCALE_APPS         apps released at once (default 200)
 *   BENCH_SCALE_WINDOW_S     monitoring window in seconds (default 120)
 *   BENCH_SCALE_INTERVAL_S   monitoring interval in seconds (default 15)
 *   BENCH_SCALE_APPS_PER_CHANNEL  apps announced in one team channel (default 20;
 *                            = BENCH_SCALE_APPS puts all in one: at about 10 posts a
 *                            release and 1 post a second, 200 then take over 30 minutes)
 *   BENCH_SCALE_DEADLINE_S   the whole run, /deploy to the last end (default 900)
 *   BENCH_LOG_LEVEL          the bots' LOG_LEVEL (default info: the harness waits for "deploybot started"); BENCH_KEEP_LOGS=1 keeps their logs
 *
 * Limits it compares with (documented quotas, per account and region):
 *   - Slack: chat.postMessage about 1 per second per channel (short bursts
 *     tolerated); chat.update is Tier 3, about 50 per minute (per workspace).
 *   - CloudWatch Logs: FilterLogEvents, StartQuery and GetQueryResults about 5
 *     TPS each; deploybot budgets all its Logs requests together below 5 a
 *     second (engine.logsRequestsPerSecond, default 4).
 *   - ECS: token buckets per action group (docs: "Request throttling for the
 *     Amazon ECS API"); the service-read group DescribeServices refills at
 *     about 20 per second.
 */
import os from 'node:os';
import type { Release } from '../../src/domain/release';
import { MANY_RELEASE_TAGS } from '../../src/sandbox/aws/seed-many';
import { releaseApp, releaseEnd } from './drive';
import { keysUnder, MemorySampler, usedMemory } from './memory-samples';
import { report } from './report';
import { ScaleSystem } from './system';

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, not ${raw}`);
  return value;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const apps = positive('BENCH_SCALE_APPS', 200);
  const windowMs = positive('BENCH_SCALE_WINDOW_S', 120) * 1000;
  const intervalMs = positive('BENCH_SCALE_INTERVAL_S', 15) * 1000;
  const appsPerChannel = Math.min(apps, positive('BENCH_SCALE_APPS_PER_CHANNEL', 20));
  const deadlineMs = positive('BENCH_SCALE_DEADLINE_S', 900) * 1000;
  const version = MANY_RELEASE_TAGS[0] as string;
  const cpus = os.cpus();
  console.log(
    `scale: ${apps} releases at once, ${appsPerChannel} apps per channel, deadline ${secs(deadlineMs)}; ` +
      `machine: node ${process.version}, ${cpus.length} cpus, ` +
      `${cpus[0]?.model.trim() ?? 'unknown cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, ` +
      `load ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  const system = await ScaleSystem.start({
    apps,
    appsPerChannel,
    windows: { windowMs, intervalMs },
    rolloutMs: 20_000,
    snapshotMs: 10_000,
  });
  const sampler = new MemorySampler(system.redis, () =>
    system.bots.map((b) => ({ name: b.name, pid: b.pid })),
  );
  try {
    const baseline = await usedMemory(system.redis);
    sampler.start();
    const started = Date.now();
    // One deadline for the whole run: every wait gets what is left of it.
    const deadlineAt = started + deadlineMs;
    const progress = { started: 0, ended: 0 };
    const ticker = setInterval(
      () =>
        console.log(
          `scale: after ${secs(Date.now() - started)}: ${progress.started} started, ${progress.ended} ended`,
        ),
      60_000,
    );
    // A release that cannot be started is a finding, not the end of the run: the others go on.
    const attempts = await Promise.allSettled(
      system.apps.map((a, i) =>
        releaseApp(system.chat, system.store, a.name, system.channelOf(i).id, version, deadlineAt).then(
          (d) => ((progress.started += 1), d),
        ),
      ),
    );
    const driven = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    const notStarted = attempts.flatMap((a, i) =>
      a.status === 'rejected' ? [`${system.apps[i]?.name}: ${String(a.reason).slice(0, 600)}`] : [],
    );
    const allStartedAt = Date.now();
    console.log(
      `scale: ${driven.length} of ${apps} started after ${secs(allStartedAt - started)}; waiting for them to end …`,
    );
    const ends = await Promise.allSettled(
      driven.map((d) =>
        releaseEnd(system.store, d.release.id, deadlineAt).then((e) => ((progress.ended += 1), e)),
      ),
    );
    clearInterval(ticker);
    const ended: Release[] = ends.flatMap((e) => (e.status === 'fulfilled' ? [e.value] : []));
    const notEnded: string[] = [];
    for (const [i, e] of ends.entries()) {
      if (e.status === 'fulfilled') continue;
      const d = driven[i];
      const now = d && (await system.store.get(d.release.id));
      notEnded.push(
        `${d?.app} ${d?.release.id}: still ${now?.state ?? 'unknown'} (${String(e.reason).split('\n')[0]})`,
      );
    }
    const endedAt = Date.now();
    await sampler.stop();
    const after = await usedMemory(system.redis);
    const kept = await keysUnder(system.redis, system.prefix);
    console.log(`scale: ${ended.length} of ${apps} ended within the deadline of ${secs(deadlineMs)}`);
    for (const line of notStarted) console.log(`scale: not started: ${line}`);
    for (const line of notEnded) console.log(`scale: not ended: ${line}`);
    const over = report({
      system,
      apps,
      notStarted,
      notEnded,
      started,
      allStartedAt,
      endedAt,
      ended,
      baseline,
      after,
      kept,
      sampler,
      windowMs,
      intervalMs,
      appsPerChannel,
    });
    if (over.length > 0) {
      console.log(`scale: over the limit: ${over.join('; ')}`);
      process.exitCode = 1;
    }
    if (notStarted.length + notEnded.length > 0) console.error(system.logs(15));
  } catch (error) {
    console.error(system.logs(15));
    throw error;
  } finally {
    await sampler.stop().catch(() => undefined);
    await system.stop();
  }
}

main().catch((error: unknown) => {
  console.error('scale bench failed:', error);
  process.exitCode = 1;
});
