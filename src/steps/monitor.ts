import type { EnvironmentConfig } from '../config/schema';
import { formatDuration } from '../domain/duration';
import {
  peakUtilization,
  perMinute,
  probeStats,
  type Crash,
  type MinuteFigures,
  type Sample,
} from '../domain/monitoring';
import { PLAN_RULES } from '../domain/plan';
import type { Json, Release } from '../domain/release';
import { trafficOf } from '../domain/traffic';
import { addToTotals, compactSamples, type WindowTotals } from '../domain/sample-history';
import { judge, type Judgement, type PolicyThresholds } from '../domain/verdict';
import type { AlarmState } from '../ports/alarms';
import { probeEndpoints } from './health-probes';
import type { LoadBalancerTarget } from './load-balancer-targets';
import { conclude, progressWords, statusLines } from './monitor-report';
import {
  accessLogSpec,
  attempt,
  loadBalancerTargets,
  mergeMinutes,
  readAlarms,
  readCrashes,
  readMinutes,
  readTraffic,
} from './monitor-signals';
import type { StepContext, StepHandler } from './step-handler';

/** Stopped tasks and alarms change slowly and cost ECS and CloudWatch calls: read at most this often. */
const SLOW_SIGNALS_EVERY_MS = 30_000;

/**
 * The monitoring window after verify (runbook "Step 4: Monitor"). Time is cut
 * into slots of `interval` on whole multiples of it (so apps sample together
 * and share their Logs Insights queries); each run samples every slot that has
 * ended and was not sampled yet — the users' requests and error logs of every
 * slot, so a worker that was down skips none, and probes, tasks and CPU for the
 * latest. Complete minutes of the load balancer and database, alarms and
 * crashed tasks are read alongside. After each run the pure policy
 * (src/domain/verdict.ts) judges everything so far; a breach proposes a
 * rollback, and a proposal still open when the window ends healthy is withdrawn.
 */
export const monitor: StepHandler = {
  describe(env, type) {
    const extended = type !== undefined && PLAN_RULES[type].monitoring === 'extended';
    const window = extended ? env.monitoring.extendedWindow : env.monitoring.window;
    const interval = extended ? env.monitoring.extendedInterval : env.monitoring.interval;
    const spec = accessLogSpec(env);
    const services = env.services.map((s) => s.name).join(', ');
    return [
      `every ${formatDuration(interval)} for ${formatDuration(window)}, judged over a sliding ${formatDuration(env.rollback.judgeWindow)} (at least ${env.rollback.minRequests} requests, else inconclusive):`,
      spec
        ? `users' requests, 5xx and latency from ${spec.group}'s access logs: one Logs Insights query (StartQuery + GetQueryResults polls) per sample moment shared by every app sampling then; FilterLogEvents if Insights fails — logs:StartQuery, logs:GetQueryResults, logs:FilterLogEvents`
        : `no access logs configured: users' traffic is judged on the bot's ${env.monitoring.probes} health probes per endpoint and sample (set monitoring.accessLogs)`,
      `error logs ${env.logs.group} "${env.logs.errorPattern}" per slot, in the same shared Insights query (FilterLogEvents when alone) — logs:StartQuery, logs:FilterLogEvents`,
      `HTTP GET each health endpoint ${env.monitoring.probes} times; ECS DescribeServices for running vs desired tasks — ecs:DescribeServices`,
      `crashed tasks of the new revision: ECS ListTasks (STOPPED) + DescribeTasks per service, at most every 30s — ecs:ListTasks, ecs:DescribeTasks`,
      ...(env.monitoring.metrics
        ? [
            `one CloudWatch GetMetricData per sample moment for every app: AWS/ECS CPU and memory of ${services}${env.monitoring.loadBalancers === 'off' ? '' : ', AWS/ApplicationELB RequestCount, HTTPCode_Target_5XX_Count, HTTPCode_ELB_5XX_Count, TargetResponseTime p50/p99'}${env.database ? ', AWS/RDS DatabaseConnections' : ''} — complete minutes only (published about 2 min late) — cloudwatch:GetMetricData${env.monitoring.loadBalancers === 'auto' ? ', elasticloadbalancing:DescribeTargetGroups' : ''}`,
          ]
        : []),
      ...(env.monitoring.alarms
        ? [
            'CloudWatch DescribeAlarms of the configured alarms, at most every 30s — cloudwatch:DescribeAlarms',
          ]
        : []),
      'a status post in the thread every few samples; a rollback proposal when a rule fires on enough evidence',
    ];
  },
  // The step's own window bounds it; the timeout only catches a stuck clock.
  timeoutMs: (env) => env.monitoring.extendedWindow + env.monitoring.window + 3_600_000,
  async run(ctx) {
    const { window, interval } = windowOf(ctx.release, ctx.env);
    const now = ctx.clock.now();
    const progress = ctx.step.progress;
    const start =
      typeof progress.windowStart === 'number' ? progress.windowStart : Math.floor(now / interval) * interval;
    if (progress.windowStart === undefined) await ctx.record({ progress: { windowStart: start } });
    let samples = (progress.samples as unknown as Sample[] | undefined) ?? [];
    let totals = (progress.totals as unknown as WindowTotals | undefined) ?? {};
    const totalSlots = Math.max(1, Math.ceil(window / interval));
    const endedSlots = Math.min(totalSlots, Math.floor((now - start) / interval));
    const nextSlot = samples.length === 0 ? 0 : Math.max(...samples.map((s) => s.slot)) + 1;

    const takenBefore = samples.length;
    for (let slot = nextSlot; slot < endedSlots; slot++) {
      const sample = await takeSample(ctx, start + slot * interval, interval, slot, slot === endedSlots - 1);
      samples = compactSamples([...samples, sample], ctx.env.rollback.judgeWindow);
      totals = addToTotals(totals, sample);
      await ctx.record({
        progress: { samples: samples as unknown as Json, totals: totals as unknown as Json },
      });
    }
    // The last verdict (keep or withdraw a proposal) is taken on fresh figures, however recent the last read.
    const signals = await slowSignals(ctx, start, now, endedSlots >= totalSlots);
    const judgement = judge({
      samples,
      minutes: signals.minutes,
      baseline: ctx.release.facts.baseline,
      alarms: signals.alarms,
      crashes: signals.crashes,
      now,
      thresholds: thresholds(ctx.env),
    });
    const proposed = () => ctx.release.facts.rollbackProposal !== undefined;
    const latest = samples.at(-1);
    if (latest && nextSlot < endedSlots) {
      // A run that caught up on several slots (a late worker, a takeover) may step
      // over the multiple of postEvery: crossing it is what earns the post.
      const every = ctx.env.monitoring.postEvery;
      const posted =
        Math.floor(samples.length / every) > Math.floor(takenBefore / every) || endedSlots === totalSlots;
      // A breach is worth a post at once: the proposal that follows should not be the first word.
      if (posted || (judgement.breach && !proposed())) {
        // The message's monitor line (this note) is written before the thread's status post:
        // the chat brings the message up to date before each post, so it never reads behind its thread.
        await ctx.record({
          progress: { note: progressWords(samples.length, totalSlots, judgement, proposed()) },
        });
        await ctx.post(
          statusLines({
            taken: samples.length,
            total: totalSlots,
            sample: latest,
            samples,
            minutes: signals.minutes ?? [],
            baseline: ctx.release.facts.baseline,
            judgement,
            proposed: proposed(),
            metrics: ctx.env.monitoring.metrics,
            probesPerSample: ctx.env.monitoring.probes * ctx.env.health.endpoints.length,
            unread: [...(latest.unread ?? []), ...signals.unread],
          }),
        );
      }
    }
    if (judgement.breach && ctx.release.facts.firstFailingAt === undefined && !ctx.release.rollbackOf) {
      // DORA's time to restore starts here, before the proposal (a side effect) is made.
      await ctx.record({ facts: { firstFailingAt: now } });
    }
    if (judgement.breach && !ctx.release.facts.rollbackProposal && !ctx.release.rollbackOf) {
      const proposal = await ctx.proposeRollback(`${judgement.breach.rule}: ${judgement.breach.why}`);
      await ctx.record({ facts: { rollbackProposal: proposal } });
    }
    if (endedSlots >= totalSlots) {
      await withdrawIfHealthy(ctx, judgement, window);
      return conclude(samples, totals, ctx.release.facts.baseline, window, judgement);
    }
    return {
      kind: 'wait',
      // The release message shows this note: the thread's status posts' own words.
      note: progressWords(samples.length, totalSlots, judgement, proposed()),
      delayMs: Math.max(10, start + (endedSlots + 1) * interval - ctx.clock.now()),
    };
  },
};

/** The window ended with no rule firing: an automatic proposal has nothing left to roll back. */
async function withdrawIfHealthy(ctx: StepContext, j: Judgement, window: number): Promise<void> {
  const proposal = ctx.release.facts.rollbackProposal;
  if (!proposal || j.verdict === 'breach') return;
  await ctx.withdrawRollback(
    proposal,
    `the release stayed healthy until its ${formatDuration(window)} window ended; nothing to roll back`,
  );
}

function windowOf(release: Release, env: EnvironmentConfig): { window: number; interval: number } {
  const m = env.monitoring;
  if (release.rollbackOf) return { window: m.rollbackWindow, interval: m.interval };
  if (PLAN_RULES[release.type].monitoring === 'extended')
    return { window: m.extendedWindow, interval: m.extendedInterval };
  return { window: m.window, interval: m.interval };
}

function thresholds(env: EnvironmentConfig): PolicyThresholds {
  const r = env.rollback;
  return {
    errorRate: r.errorRate,
    latencyFactor: r.latencyFactor,
    errorLogFactor: r.errorLogFactor,
    errorLogFloorPerMinute: r.errorLogFloorPerMinute,
    consecutive: r.consecutive,
    ...(r.cpu !== undefined ? { cpu: r.cpu } : {}),
    ...(r.memory !== undefined ? { memory: r.memory } : {}),
    judgeWindowMs: r.judgeWindow,
    minRequests: r.minRequests,
    significance: r.significance,
    crashes: r.crashes,
    connectionsFactor: r.connectionsFactor,
  };
}

/**
 * Minutes of the load balancer and database (only those after the window
 * began), alarms and crashes: read at most every 30 s and kept in the step's
 * progress, so a resumed run judges on what was seen before.
 */
async function slowSignals(
  ctx: StepContext,
  windowStart: number,
  now: number,
  readAll: boolean,
): Promise<{ minutes?: MinuteFigures[]; alarms?: AlarmState[]; crashes?: Crash[]; unread: string[] }> {
  const p = ctx.step.progress;
  let minutes = p.minutes as unknown as MinuteFigures[] | undefined;
  let alarms = p.alarms as unknown as AlarmState[] | undefined;
  let crashes = p.crashes as unknown as Crash[] | undefined;
  let unread = (p.slowUnread as string[] | undefined) ?? [];
  const last = typeof p.slowReadAt === 'number' ? p.slowReadAt : undefined;
  if (readAll || last === undefined || now - last >= SLOW_SIGNALS_EVERY_MS) {
    const { env, ports } = ctx;
    unread = [];
    const targets = (await attempt('load balancer target groups', unread, () => targetsOf(ctx))) ?? [];
    const latest = await attempt('CloudWatch minutes', unread, () => readMinutes(ports, env, targets, now));
    if (latest)
      minutes = mergeMinutes(
        minutes ?? [],
        latest.filter((m) => m.at >= windowStart),
      );
    alarms = (await attempt('alarms', unread, () => readAlarms(ports, env))) ?? alarms;
    if (!ctx.release.rollbackOf) {
      const known = crashes ?? [];
      const found = await attempt('stopped tasks', unread, () => readCrashes(ports, env, ctx.release, known));
      crashes = [...known, ...(found ?? [])].slice(-20);
    }
    await ctx.record({
      progress: {
        slowReadAt: now,
        slowUnread: unread,
        ...(minutes ? { minutes: minutes as unknown as Json } : {}),
        ...(alarms ? { alarms: alarms as unknown as Json } : {}),
        ...(crashes ? { crashes: crashes as unknown as Json } : {}),
      },
    });
  }
  return {
    unread,
    ...(minutes ? { minutes } : {}),
    ...(alarms ? { alarms } : {}),
    ...(crashes ? { crashes } : {}),
  };
}

/** The baseline's target groups, or (a rollback has no baseline) found once and kept. */
async function targetsOf(ctx: StepContext): Promise<LoadBalancerTarget[]> {
  const known =
    ctx.release.facts.baseline?.loadBalancerTargets ??
    (ctx.step.progress.targets as unknown as LoadBalancerTarget[] | undefined);
  if (known) return known;
  const targets = await loadBalancerTargets(ctx.ports, ctx.env);
  await ctx.record({ progress: { targets: targets as unknown as Json } });
  return targets;
}

async function takeSample(
  ctx: StepContext,
  from: number,
  interval: number,
  slot: number,
  latest: boolean,
): Promise<Sample> {
  const { env, ports } = ctx;
  const to = from + interval;
  const errorLogs = await ports.logs.countMatches(env.logs.group, env.logs.errorPattern, from, to);
  const unread: string[] = [];
  const traffic = await attempt('access logs', unread, () => readTraffic(ports, env, from, to));
  const sample: Sample = {
    slot,
    from,
    to,
    errorLogs,
    errorLogsPerMinute: perMinute(errorLogs, from, to),
    ...(traffic ? { traffic } : {}),
    ...(unread.length > 0 ? { unread } : {}),
  };
  // Health, tasks and utilization are taken now, for the latest slot only: a slot
  // that passed while no worker ran keeps its logs only.
  if (!latest) return sample;
  const results = await probeEndpoints(ports, env.health, env.monitoring.probes);
  const names = env.services.map((s) => s.name);
  const services = await ports.platform.describeServices(env.cluster, names);
  const tasks = services.reduce(
    (sum, s) => ({ running: sum.running + s.runningCount, desired: sum.desired + s.desiredCount }),
    { running: 0, desired: 0 },
  );
  const perService =
    env.monitoring.metrics && ports.metrics
      ? await attempt('CPU and memory', unread, async () =>
          ports.metrics?.utilization(env.cluster, names, from, to),
        )
      : undefined;
  return {
    ...sample,
    probes: probeStats(results),
    probeTraffic: trafficOf(results),
    tasks,
    ...(perService ? peakUtilization(perService) : {}),
    ...(unread.length > 0 ? { unread } : {}),
  };
}
