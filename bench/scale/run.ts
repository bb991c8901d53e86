/**
 * Scale benchmark (alone: `npm run bench:scale`): N releases of N apps at once
 * (BENCH_SCALE_APPS, default 200) through deploybot's web and two worker
 * processes on one Redis, each from a signed `/deploy` and a Start click over
 * real HTTP, through backup, deploy and a monitoring window of minutes, to
 * their end. It prints one table — wall time, final states, peak RSS per
 * process, Redis memory per release in flight and kept after, Slack calls per
 * channel against Slack's limits, and CloudWatch Logs and ECS requests per
 * second against the account's quotas — and never judges it; it exits 1 only
 * if the run itself fails (a release that never ends is such a failure).
 *
 * Settings (environment):
 *   BENCH_SCALE_APPS         apps released at once (default 200)
 *   BENCH_SCALE_WINDOW_S     monitoring window in seconds (default 120)
 *   BENCH_SCALE_INTERVAL_S   monitoring interval in seconds (default 15)
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
import { groupBy, maxInWindow, meanPerSecond } from './rates';
import { ScaleSystem } from './system';

const SLACK_POSTS_PER_MIN_PER_CHANNEL = 60;
const SLACK_UPDATES_PER_MIN = 50;
const LOGS_RPS = 5;
const ECS_DESCRIBE_RPS = 20;

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, not ${raw}`);
  return value;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function main(): Promise<void> {
  const apps = positive('BENCH_SCALE_APPS', 200);
  const windowMs = positive('BENCH_SCALE_WINDOW_S', 120) * 1000;
  const intervalMs = positive('BENCH_SCALE_INTERVAL_S', 15) * 1000;
  const version = MANY_RELEASE_TAGS[0] as string;
  const cpus = os.cpus();
  console.log(
    `scale: ${apps} releases at once; machine: node ${process.version}, ${cpus.length} cpus, ` +
      `${cpus[0]?.model.trim() ?? 'unknown cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GB`,
  );
  const system = await ScaleSystem.start({
    apps,
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
    // Generous: the channel's pacing alone spreads N release messages over about N seconds.
    const timeoutMs = 5 * 60_000 + apps * 3_000;
    // A release that cannot be started is a finding, not the end of the run: the others go on.
    const attempts = await Promise.allSettled(
      system.apps.map((a) => releaseApp(system.chat, system.store, a.name, version, timeoutMs)),
    );
    const driven = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    const notStarted = attempts.flatMap((a) => (a.status === 'rejected' ? [String(a.reason)] : []));
    for (const reason of notStarted) console.log(`scale: not started: ${reason.slice(0, 600)}`);
    const allStartedAt = Date.now();
    console.log(
      `scale: all ${apps} started after ${secs(allStartedAt - started)}; waiting for them to end …`,
    );
    const ended: Release[] = await Promise.all(
      driven.map((d) => releaseEnd(system.store, d.release.id, timeoutMs + windowMs * 3)),
    );
    const endedAt = Date.now();
    await sampler.stop();
    const after = await usedMemory(system.redis);
    const kept = await keysUnder(system.redis, system.prefix);
    report({
      system,
      apps,
      notStarted: notStarted.length,
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
    });
  } catch (error) {
    console.error(system.logs(15));
    throw error;
  } finally {
    await sampler.stop().catch(() => undefined);
    await system.stop();
  }
}

interface Run {
  system: ScaleSystem;
  apps: number;
  notStarted: number;
  started: number;
  allStartedAt: number;
  endedAt: number;
  ended: Release[];
  baseline: number;
  after: number;
  kept: Awaited<ReturnType<typeof keysUnder>>;
  sampler: MemorySampler;
  windowMs: number;
  intervalMs: number;
}

function report(r: Run): void {
  const { system, apps } = r;
  const rows: [string, string, string][] = [];
  const add = (what: string, value: string, limit = '') => rows.push([what, value, limit]);

  add(
    'wall time (first /deploy → last end)',
    secs(r.endedAt - r.started),
    `all started after ${secs(r.allStartedAt - r.started)}`,
  );
  const states = [...groupBy(r.ended, (x) => x.state)].map(([s, list]) => `${list.length} ${s}`).join(', ');
  add(
    'releases ended',
    `${r.ended.length}/${apps}`,
    `${states}${r.notStarted > 0 ? `; ${r.notStarted} never started` : ''}`,
  );
  for (const bot of system.bots)
    add(`peak RSS ${bot.name}`, `${Math.round(r.sampler.peakRss.get(bot.name) ?? NaN)} MB`, 'VmHWM');
  add(
    'peak RSS bench (emulator, services, fake Slack)',
    `${Math.round(process.memoryUsage().rss / 2 ** 20)} MB now`,
  );
  add(
    'Redis used_memory per release, in flight',
    kb((r.sampler.peakRedis - r.baseline) / apps),
    `peak ${kb(r.sampler.peakRedis - r.baseline)} over baseline`,
  );
  add(
    'Redis used_memory per release, after',
    kb((r.after - r.baseline) / apps),
    `${kb(r.after - r.baseline)} over baseline`,
  );
  add(
    'Redis keys kept under the prefix',
    `${r.kept.keys} keys, ${kb(r.kept.bytes / apps)}/release`,
    [...r.kept.byKind]
      .sort((a, b) => b[1].bytes - a[1].bytes)
      .slice(0, 5)
      .map(([k, v]) => `${k} ${v.keys}×${kb(v.bytes / Math.max(1, v.keys))}`)
      .join('; '),
  );

  const channelId = (channel: string) =>
    system.slack.channels.find((c) => c.name === channel.replace(/^#/, ''))?.id ?? channel;
  const slackCalls = system.slack.calls.filter((c) => c.at >= r.started);
  for (const method of ['chat.postMessage', 'chat.update']) {
    const calls = slackCalls.filter((c) => c.method === method);
    // The bot names a channel both ways (`engineering` for a release's message, its id in threads);
    // Slack's limit is on the channel, so both count together.
    const byChannel = groupBy(calls, (c) => channelId(String(c.body.channel ?? '?')));
    for (const [channel, list] of byChannel) {
      const times = list.map((c) => c.at);
      const limit =
        method === 'chat.postMessage'
          ? `${SLACK_POSTS_PER_MIN_PER_CHANNEL}/min (~1/s)`
          : `${SLACK_UPDATES_PER_MIN}/min (Tier 3)`;
      add(
        `Slack ${method} ${channel}: max per 60 s / per 1 s`,
        `${maxInWindow(times, 60_000)} / ${maxInWindow(times, 1_000)}`,
        `${limit}; ${list.length} calls (${[...groupBy(list, (c) => String(c.body.channel))].map(([n, l]) => `${l.length} to "${n}"`).join(', ')}), ` +
          `${list.filter((c) => c.status === 429).length} answered 429`,
      );
    }
    if (byChannel.size === 0) add(`Slack ${method}`, '0');
  }

  const aws = system.emulator.calls.filter((c) => c.at >= r.started && c.at <= r.endedAt);
  const rate = (what: string, times: number[], limit: string) =>
    add(
      `${what} req/s: max 1 s / mean`,
      `${maxInWindow(times, 1_000)} / ${meanPerSecond(times, r.started, r.endedAt).toFixed(2)}`,
      `${limit}; ${times.length} requests`,
    );
  const logs = aws.filter((c) => c.service === 'logs');
  rate(
    'CloudWatch Logs (all)',
    logs.map((c) => c.at),
    `~${LOGS_RPS}/s per operation`,
  );
  for (const [action, list] of groupBy(logs, (c) => c.action))
    rate(
      `  Logs ${action}`,
      list.map((c) => c.at),
      `~${LOGS_RPS}/s`,
    );
  const ecs = aws.filter((c) => c.service === 'ecs');
  rate(
    'ECS (all)',
    ecs.map((c) => c.at),
    'per action group',
  );
  rate(
    '  ECS DescribeServices',
    ecs.filter((c) => c.action === 'DescribeServices').map((c) => c.at),
    `~${ECS_DESCRIBE_RPS}/s sustained`,
  );
  const throttled = aws.filter((c) => c.errorCode?.includes('Throttl')).length;
  add('AWS requests answered throttled', String(throttled));

  const w = [Math.max(...rows.map((x) => x[0].length)), Math.max(...rows.map((x) => x[1].length))];
  console.log('');
  console.log(
    `scale: ${apps} releases, web + 2 workers, monitoring window ${secs(r.windowMs)} every ${secs(r.intervalMs)}, ` +
      `rollout 20 s, snapshot 10 s`,
  );
  for (const [a, b, c] of rows)
    console.log(`  ${a.padEnd(w[0] as number)}  ${b.padStart(w[1] as number)}  ${c}`);
}

main().catch((error: unknown) => {
  console.error('scale bench failed:', error);
  process.exitCode = 1;
});
