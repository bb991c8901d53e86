/**
 * One scenario: N apps released and watched at once by the real engine (BullMQ
 * worker on real Redis) through the real AWS adapters against the emulator,
 * then degraded at a known moment until monitoring proposes rollbacks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import pino from 'pino';
import type { Config } from '../../src/config/schema';
import type { Release, StepName } from '../../src/domain/release';
import { createEngine, type Engine } from '../../src/engine/engine';
import { systemClock } from '../../src/ports/clock';
import type { ReleaseChat } from '../../src/ports/release-chat';
import { createRedis, redisUrlFromEnv } from '../../src/redis/connection';
import { AwsEmulator } from '../../src/sandbox/aws';
import type { StepPorts } from '../../src/steps/step-handler';
import { cleanup } from '../../test/support/redis';
import type { FromBot, ToBot } from './bot';
import { byOperation, logsRequests, shortName, type LogsRequest, type QueryStats } from './logs-requests';
import { DESCRIBE_SERVICES, FILTER_LOG_EVENTS, START_QUERY, type RecordingProxy } from './recording-proxy';
import {
  appName,
  benchConfigText,
  benchSeed,
  BenchService,
  logGroupOf,
  NEW_VERSION,
  parseBenchConfig,
  serviceName,
} from './system';

export interface ScenarioSettings {
  apps: number;
  intervalMs: number;
  consecutive: number;
  concurrency: number;
  /** How long the healthy watch is measured; rounded down to whole intervals. */
  monitorMs: number;
}

export interface ProposalTiming {
  app: string;
  /** Degradation onset → the proposal's releaseCreated, ms. */
  afterDegradeMs: number;
  /** The first sample begun after the onset (the first that could see it) → proposal, ms. */
  afterFirstBadSampleMs: number;
  /** The sample that confirmed the breach (the last begun before the proposal) → proposal, ms. */
  confirmingSampleMs: number;
  reason: string;
}

export interface ScenarioResult {
  settings: ScenarioSettings;
  /** From the first request until every release was in its monitor step, ms. */
  rampMs: number;
  /** Logs requests from the first request until the measured watch began: all, by operation, most in 1 s. */
  ramp: { ms: number; total: number; byOperation: Map<string, number>; max1s: number };
  /** Healthy watch that was counted, ms. */
  measuredMs: number;
  /**
   * Every CloudWatch Logs request of the monitoring, each shared among the apps it serves
   * (logs-requests.ts), per app per minute of the measured watch: mean over apps
   * (= all requests ÷ apps ÷ minutes), and min/max.
   */
  logsPerAppPerMin: { mean: number; min: number; max: number };
  /** All Logs requests of all apps: per second on average (the apps' rates summed), and the most in any 1-s window (sliding). */
  logsPerSecond: { avg: number; max1s: number };
  /** Logs requests through the proxy in the measured watch, all and by operation. */
  logsCalls: { total: number; byOperation: Map<string, number> };
  /** Logs requests (any operation) the emulator itself answered in the measured watch (a cross-check of the proxy's count). */
  emulatorLogsCalls: number;
  /** Logs requests in the measured watch that name no app's log group (and so are in no app's figure). */
  unattributedLogsCalls: number;
  /** ECS DescribeServices per second in the measured watch (the other per-sample AWS request). */
  describeServicesPerSecond: number;
  /**
   * Over the whole monitoring (healthy and degraded): the apps' shares of Logs requests ÷ samples,
   * highest app; the shares summed over apps (all and by operation) and the samples taken.
   */
  logsPerSample: { max: number; requests: number; byOperation: Map<string, number>; samples: number };
  /** The Logs Insights queries of the whole scenario. */
  queries: QueryStats;
  /** Logs answers that were not HTTP 200 over the whole scenario: `StartQuery 400` → how many. */
  logsErrors: Map<string, number>;
  degradedApps: number;
  proposals: ProposalTiming[];
  /** Degraded apps with no proposal before the deadline. */
  missing: string[];
  /** The bot process (engine + worker + AWS adapters): peak RSS while watching and over the scenario, peak heap used. */
  bot: { rssMbWatching: number; rssMbAll: number; heapMbWatching: number };
  /** This process (emulator, simulated services, proxy, driver engine), for comparison. */
  driver: { rssMbBefore: number; rssMbWatching: number; rssMbAll: number };
}

const USER = 'U0DEPLOYER';
const mb = (bytes: number): number => bytes / (1024 * 1024);

/** A chat that hears nothing: the control side's releases need no messages. */
const quietChat: ReleaseChat = {
  async releaseCreated() {},
  async releaseUpdated() {},
  async appLocked() {},
  async stepDetail() {},
  async releaseFinished() {},
  async policyOverridden() {},
  async reviewRequested() {},
  async queueTurnCame() {},
  async queuedReleaseSuperseded() {},
};

/**
 * The control side never runs a step; the bot process does. The engine may hold
 * a port (the release service keeps the platform for approvals), but any call
 * on one fails.
 */
const refuse = () => {
  throw new Error('steps run in the bot process, not in the benchmark driver');
};
const unusablePort = new Proxy({}, { get: () => refuse });
const noPorts = new Proxy({}, { get: () => unusablePort }) as Omit<StepPorts, 'releases'>;

/** The bot (bot.ts) in its own Node process: its proposals and its memory, as it reports them. */
class BotProcess {
  readonly proposals = new Map<string, { at: number; reason: string }>();
  peakRss = 0;
  peakHeap = 0;
  phaseRss = 0;
  phaseHeap = 0;
  private stopped: Promise<void> | undefined;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: FromBot) => {
      if (m.kind === 'memory') {
        this.peakRss = Math.max(this.peakRss, m.rss);
        this.peakHeap = Math.max(this.peakHeap, m.heapUsed);
        this.phaseRss = Math.max(this.phaseRss, m.rss);
        this.phaseHeap = Math.max(this.phaseHeap, m.heapUsed);
      } else if (m.kind === 'proposal' && !this.proposals.has(m.app)) {
        this.proposals.set(m.app, { at: m.at, reason: m.reason });
      }
    });
  }

  static async start(prefix: string, config: string): Promise<BotProcess> {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', resolve(__dirname, 'bot.ts')], {
      cwd: resolve(__dirname, '..', '..'),
      // NODE_NO_WARNINGS: the SDK's notice about future Node versions is no figure.
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const bot = new BotProcess(child);
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error('the bot process did not start in 60 s')), 60_000);
      child.on('message', (m: FromBot) => {
        if (m.kind !== 'ready') return;
        clearTimeout(timer);
        ready();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`the bot process exited with ${code}`));
      });
      child.send({ kind: 'start', prefix, config } satisfies ToBot);
    });
    return bot;
  }

  markPhase(): void {
    this.phaseRss = 0;
    this.phaseHeap = 0;
  }

  /** Asks the bot to close its engine and exit; ends it (by its pid) if it has not in 20 s. */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((done) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        done();
        return;
      }
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      if (this.child.connected) this.child.send({ kind: 'stop' } satisfies ToBot);
      else this.child.kill('SIGTERM');
    });
    return this.stopped;
  }
}

/** This process's peak RSS, polled every 200 ms; `mark()` starts a phase of its own. */
class MemoryPoller {
  peakAll = 0;
  peakPhase = 0;
  private readonly timer: NodeJS.Timeout;
  constructor() {
    this.poll();
    this.timer = setInterval(() => this.poll(), 200);
  }
  mark(): void {
    this.peakPhase = 0;
    this.poll();
  }
  poll(): void {
    const { rss } = process.memoryUsage();
    this.peakAll = Math.max(this.peakAll, rss);
    this.peakPhase = Math.max(this.peakPhase, rss);
  }
  stop(): void {
    clearInterval(this.timer);
    this.poll();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function step(release: Release, name: StepName) {
  return release.steps.find((s) => s.name === name);
}

/**
 * One app's Logs requests (its shares) per minute over [t0, t1), counted by
 * when their sample asked (`sampleAt`: a query's polls go with its StartQuery)
 * over as many whole slots as [t0, t1) holds, with edges half an interval away
 * from its sample times (the nearest to t0, and not before its first sample),
 * so jitter in when a sample runs cannot move it across an edge.
 */
function perMinuteOfApp(
  calls: readonly { sampleAt: number; weight: number }[],
  windowStart: number,
  interval: number,
  t0: number,
  t1: number,
) {
  const first = windowStart + (Math.max(0, Math.round((t0 - windowStart) / interval - 0.5)) + 0.5) * interval;
  const slots = Math.max(1, Math.round((t1 - first) / interval));
  const end = first + slots * interval;
  const inside = calls.filter((c) => c.sampleAt >= first && c.sampleAt < end);
  return inside.reduce((n, c) => n + c.weight, 0) / ((slots * interval) / 60_000);
}

/** A sample's first Logs request: its query's StartQuery, or a FilterLogEvents of its own. */
const opensSample = (r: LogsRequest): boolean =>
  r.operation === shortName(START_QUERY) || r.operation === shortName(FILTER_LOG_EVENTS);

/** Most events in any window [t, t + width). */
export function maxInWindow(times: readonly number[], width: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while ((sorted[hi] as number) - (sorted[lo] as number) >= width) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

export async function runScenario(proxy: RecordingProxy, s: ScenarioSettings): Promise<ScenarioResult> {
  const before = mb(process.memoryUsage().rss);
  const apps = Array.from({ length: s.apps }, (_, i) => appName(i + 1));
  const emulator = new AwsEmulator({ seed: benchSeed(apps), timings: { rolloutMs: 1_000 } });
  await emulator.start();
  proxy.target = new URL(emulator.endpoint);
  proxy.calls.length = 0;
  const services = new Map(apps.map((app, i) => [app, new BenchService(emulator, app, 1_000 + i)]));
  await Promise.all([...services.values()].map((b) => b.service.start()));
  const configText = benchConfigText(
    apps.map((name) => ({ name, url: (services.get(name) as BenchService).service.url })),
    s,
  );
  const config = parseBenchConfig(configText);

  const prefix = `bench-monitoring-${randomBytes(6).toString('hex')}`;
  const redis = createRedis(redisUrlFromEnv(), 'client');
  const queueRedis = createRedis(redisUrlFromEnv(), 'worker');
  const memory = new MemoryPoller();
  let bot: BotProcess | undefined;
  // The driver's side, as the Slack-facing process would be: requests, ticks and starts, no worker.
  const engine = createEngine({
    config,
    redis,
    workerRedis: queueRedis,
    prefix,
    aws: noPorts,
    chat: quietChat,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    worker: false,
  });
  try {
    bot = await BotProcess.start(prefix, configText);
    const started = Date.now();
    const ids = await Promise.all(apps.map((app) => startRelease(engine, config, app)));
    const watching = await waitForAll(engine, ids, 180_000, (r) => {
      if (r.state !== 'running') {
        throw new Error(`${r.app}: release ${r.id} is ${r.state}: ${JSON.stringify(r.steps)}`);
      }
      return typeof step(r, 'monitor')?.progress.windowStart === 'number';
    });
    const rampMs = Date.now() - started;

    // Healthy watch, a whole number of intervals long so each app is counted for the same number of
    // slots. It begins half an interval after the first sample moment (a multiple of the interval)
    // at which every app was watching: its edges then lie between sample moments, and what the
    // ramp left over (samples that waited behind the baselines' FilterLogEvents for the Logs
    // budget, then went out in queries of their own) is reported with the ramp instead.
    memory.mark();
    bot.markPhase();
    const measuredMs = Math.max(1, Math.floor(s.monitorMs / s.intervalMs)) * s.intervalMs;
    const t0 = Math.ceil(Date.now() / s.intervalMs) * s.intervalMs + s.intervalMs / 2;
    await sleep(t0 - Date.now() + measuredMs);
    const t1 = t0 + measuredMs;

    // Degrade 1 s after app-1 took a sample: the worst phase for app-1 (its next sample is the first
    // to see it, almost a whole interval later); slots sit on multiples of the interval, so the
    // other apps sample at the same moments and fall at about the same phase. A sample counts its
    // error logs first (a batched count waits for its Insights query, a second or more), then
    // probes, then asks ECS DescribeServices: that last request is when the sample was taken.
    const degraded = apps; // every app at once: the most work for the worker at the worst moment
    const firstService = serviceName(apps[0] as string);
    const phaseDeadline = Date.now() + s.intervalMs + 5_000;
    const sampled = () =>
      proxy.calls.some(
        (c) => c.operation === DESCRIBE_SERVICES && c.services?.includes(firstService) === true && c.at >= t1,
      );
    while (Date.now() < phaseDeadline && !sampled()) {
      await sleep(20);
    }
    await sleep(1_000);
    const degradeAt = Date.now();
    for (const app of degraded) services.get(app)?.degrade(degradeAt);
    const deadline = degradeAt + s.consecutive * s.intervalMs + 5_000 + 30_000;
    const proposed = bot.proposals;
    while (Date.now() < deadline && degraded.some((app) => !proposed.has(app))) await sleep(50);
    memory.stop();
    await bot.stop();

    // Figures. Every Logs request counts, each shared among the apps it serves (logs-requests.ts).
    const { requests: logs, queries } = logsRequests(proxy.calls);
    const inWindow = logs.filter((r) => r.at >= t0 && r.at < t1);
    const inRamp = logs.filter((r) => r.at >= started && r.at < t0);
    const emulatorLogsCalls = emulator.calls.filter(
      (c) => c.service === 'logs' && c.at >= t0 && c.at < t1,
    ).length;
    const logsErrors = new Map<string, number>();
    for (const r of logs) {
      if (r.status === 200) continue;
      const key = `${r.operation} ${r.status ?? 'no answer'}`;
      logsErrors.set(key, (logsErrors.get(key) ?? 0) + 1);
    }
    const finalReleases = await Promise.all(watching.map((r) => engine.store.get(r.id)));
    const perAppPerMin: number[] = [];
    let worstPerSample = 0;
    let requests = 0;
    let samples = 0;
    const monitoring: { operation: string; weight: number }[] = [];
    const proposals: ProposalTiming[] = [];
    for (const r of finalReleases) {
      if (!r) continue;
      const monitor = step(r, 'monitor');
      const windowStart = monitor?.progress.windowStart as number;
      const group = logGroupOf(r.app);
      // The app's share of every Logs request that served it, by when its sample asked.
      const calls = logs.flatMap((c) => {
        const weight = c.shares.get(group);
        return weight === undefined ? [] : [{ ...c, weight }];
      });
      // Slot 0 ends one interval after windowStart, and no sample asks before its slot ended: anything
      // earlier (the baseline's count, which may fall after the floored windowStart) is not monitoring.
      const mine = calls.filter((c) => c.sampleAt >= windowStart + s.intervalMs);
      perAppPerMin.push(perMinuteOfApp(mine, windowStart, s.intervalMs, t0, t1));
      const taken = (monitor?.progress.samples as unknown[] | undefined)?.length ?? 0;
      const sent = mine.reduce((n, c) => n + c.weight, 0);
      monitoring.push(...mine);
      requests += sent;
      samples += taken;
      if (taken > 0) worstPerSample = Math.max(worstPerSample, sent / taken);
      const proposal = proposed.get(r.app);
      if (proposal && degraded.includes(r.app)) {
        // A sample's first request is its Logs count (StartQuery of its batch, or FilterLogEvents),
        // so these times are when samples began (a batch is sent up to its 200-ms window later).
        const begun = mine.filter(opensSample).map((c) => c.at);
        const firstAfter = begun.find((at) => at >= degradeAt) ?? Number.NaN;
        const confirming = begun.filter((at) => at <= proposal.at).at(-1) ?? Number.NaN;
        proposals.push({
          app: r.app,
          afterDegradeMs: proposal.at - degradeAt,
          afterFirstBadSampleMs: proposal.at - firstAfter,
          confirmingSampleMs: proposal.at - confirming,
          reason: proposal.reason,
        });
      }
    }
    return {
      settings: s,
      rampMs,
      ramp: {
        ms: t0 - started,
        total: inRamp.length,
        byOperation: byOperation(inRamp.map((c) => ({ operation: c.operation, weight: 1 }))),
        max1s: maxInWindow(
          inRamp.map((c) => c.at),
          1_000,
        ),
      },
      measuredMs,
      logsPerAppPerMin: {
        mean: perAppPerMin.reduce((a, b) => a + b, 0) / perAppPerMin.length,
        min: Math.min(...perAppPerMin),
        max: Math.max(...perAppPerMin),
      },
      logsPerSecond: {
        // The sum of the apps' own rates (edges of [t0, t1) that cut a sample would skew a plain
        // count), and any request that named no app's group.
        avg:
          perAppPerMin.reduce((a, b) => a + b, 0) / 60 +
          inWindow.filter((c) => c.shares.size === 0).length / (measuredMs / 1000),
        max1s: maxInWindow(
          inWindow.map((c) => c.at),
          1_000,
        ),
      },
      logsCalls: {
        total: inWindow.length,
        byOperation: byOperation(inWindow.map((c) => ({ operation: c.operation, weight: 1 }))),
      },
      emulatorLogsCalls,
      unattributedLogsCalls: inWindow.filter((c) => c.shares.size === 0).length,
      describeServicesPerSecond: proxy.between(DESCRIBE_SERVICES, t0, t1).length / (measuredMs / 1000),
      logsPerSample: { max: worstPerSample, requests, byOperation: byOperation(monitoring), samples },
      queries,
      logsErrors,
      degradedApps: degraded.length,
      proposals,
      missing: degraded.filter((app) => !proposed.has(app)),
      bot: {
        rssMbWatching: mb(bot.phaseRss),
        rssMbAll: mb(bot.peakRss),
        heapMbWatching: mb(bot.phaseHeap),
      },
      driver: { rssMbBefore: before, rssMbWatching: mb(memory.peakPhase), rssMbAll: mb(memory.peakAll) },
    };
  } finally {
    memory.stop();
    await bot?.stop();
    await engine.close();
    await Promise.allSettled([...services.values()].map((b) => b.service.stop()));
    proxy.target = undefined;
    await emulator.stop();
    await cleanup(redis, prefix);
    await Promise.allSettled([redis.quit(), queueRedis.quit()]);
  }
}

/** As a person would: request a hotfix, wait for preflight, tick the required items, press Start. */
async function startRelease(engine: Engine, config: Config, app: string): Promise<string> {
  const created = await engine.service.request({
    version: NEW_VERSION,
    app,
    environment: 'production',
    type: 'hotfix',
    requestedBy: USER,
  });
  const [checked] = await waitForAll(engine, [created.id], 60_000, (r) => {
    const preflight = r.steps[0]?.state;
    return r.state !== 'awaiting_start' || preflight === 'succeeded' || preflight === 'failed';
  });
  if (checked?.state !== 'awaiting_start' || checked.steps[0]?.state !== 'succeeded') {
    throw new Error(`${app}: preflight did not pass: ${JSON.stringify(checked?.steps[0])}`);
  }
  const required = config.apps[app]?.environments.production?.checklist.required ?? [];
  await engine.service.tick(created.id, 'U0REVIEWER', Object.fromEntries(required.map((id) => [id, true])));
  await engine.service.start(created.id, USER);
  return created.id;
}

/** Polls the store until `done` holds for every release; `done` may throw to give up. */
async function waitForAll(
  engine: Engine,
  ids: readonly string[],
  timeoutMs: number,
  done: (r: Release) => boolean,
): Promise<Release[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const releases = await Promise.all(ids.map((id) => engine.store.get(id)));
    if (releases.every((r) => r !== undefined && done(r))) return releases as Release[];
    if (Date.now() > deadline) {
      const stuck = releases.filter((r) => r === undefined || !done(r));
      throw new Error(
        `${stuck.length} release(s) not there in ${timeoutMs} ms, e.g. ${JSON.stringify(stuck[0]?.steps)}`,
      );
    }
    await sleep(200);
  }
}
