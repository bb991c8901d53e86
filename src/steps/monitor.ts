import type { EnvironmentConfig } from '../config/schema';
import { formatDuration } from '../domain/duration';
import {
  change,
  peakUtilization,
  perMinute,
  probeStats,
  type Baseline,
  type Sample,
  type Utilization,
} from '../domain/monitoring';
import { PLAN_RULES } from '../domain/plan';
import { decide, type PolicyThresholds } from '../domain/rollback-policy';
import type { Json, Release } from '../domain/release';
import { probeEndpoints } from './health-probes';
import type { StepContext, StepHandler, StepOutcome } from './step-handler';

/**
 * The monitoring window after verify (runbook "Step 4: Monitor"). Time is cut
 * into slots of `interval`; each run samples every slot that has ended and was
 * not sampled yet, so a worker that was down neither skips a slot (its error
 * logs are counted afterwards) nor samples one twice. One CloudWatch Logs
 * request per slot, and with `monitoring.metrics` one GetMetricData for the
 * services' CPU and memory over the latest slot. A rule of the rollback policy
 * firing proposes a rollback.
 */
export const monitor: StepHandler = {
  describe(env, type) {
    const extended = type !== undefined && PLAN_RULES[type].monitoring === 'extended';
    const window = extended ? env.monitoring.extendedWindow : env.monitoring.window;
    const interval = extended ? env.monitoring.extendedInterval : env.monitoring.interval;
    return [
      `every ${formatDuration(interval)} for ${formatDuration(window)}: CloudWatch Logs errors ${env.logs.group} "${env.logs.errorPattern}" over the slot (one Insights query shared by the apps sampling then; FilterLogEvents when alone)`,
      `HTTP GET each health endpoint ${env.monitoring.probes} times; ECS DescribeServices for running vs desired tasks`,
      ...(env.monitoring.metrics
        ? [
            `CloudWatch GetMetricData AWS/ECS CPUUtilization and MemoryUtilization of ${env.services.map((s) => s.name).join(', ')} over the slot, one request`,
          ]
        : []),
      'a status post in the thread every few samples; a rollback proposal when a rule fires',
    ];
  },
  // The step's own window bounds it; the timeout only catches a stuck clock.
  timeoutMs: (env) => env.monitoring.extendedWindow + env.monitoring.window + 3_600_000,
  async run(ctx) {
    const { window, interval } = windowOf(ctx.release, ctx.env);
    const now = ctx.clock.now();
    // Slots sit on whole multiples of the interval (the first began up to one interval ago), so
    // every app watched at the same interval samples at the same moments and their error-log
    // counts share one Logs Insights query.
    const start =
      typeof ctx.step.progress.windowStart === 'number'
        ? ctx.step.progress.windowStart
        : Math.floor(now / interval) * interval;
    if (ctx.step.progress.windowStart === undefined) await ctx.record({ progress: { windowStart: start } });
    const samples = (ctx.step.progress.samples as unknown as Sample[] | undefined) ?? [];
    const totalSlots = Math.max(1, Math.ceil(window / interval));
    const endedSlots = Math.min(totalSlots, Math.floor((now - start) / interval));
    const nextSlot = samples.length === 0 ? 0 : Math.max(...samples.map((s) => s.slot)) + 1;

    for (let slot = nextSlot; slot < endedSlots; slot++) {
      const latest = slot === endedSlots - 1;
      samples.push(await takeSample(ctx, start + slot * interval, interval, slot, latest));
      await ctx.record({ progress: { samples: samples as unknown as Json } });
      if (samples.length % ctx.env.monitoring.postEvery === 0 || slot === totalSlots - 1) {
        await ctx.post([
          statusTitle(samples.length, totalSlots),
          ...sampleLines(samples.at(-1) as Sample, ctx.release.facts.baseline, ctx.env.monitoring.metrics),
        ]);
      }
    }

    const verdict = decide(samples, ctx.release.facts.baseline, thresholds(ctx.env));
    if (verdict.breach && !ctx.release.facts.rollbackProposal && !ctx.release.rollbackOf) {
      const proposal = await ctx.proposeRollback(`${verdict.rule}: ${verdict.summary}`);
      await ctx.record({ facts: { rollbackProposal: proposal } });
    }
    if (endedSlots >= totalSlots) return conclude(samples, ctx.release.facts.baseline, window);
    const nextBoundary = start + (endedSlots + 1) * interval;
    return {
      kind: 'wait',
      note: `watching: ${samples.length}/${totalSlots} samples${verdict.breach ? `, ${verdict.rule} fired` : ', all clear'}`,
      delayMs: Math.max(10, nextBoundary - ctx.clock.now()),
    };
  },
};

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
    cpu: r.cpu,
    memory: r.memory,
  };
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
  const sample: Sample = { slot, from, to, errorLogs, errorLogsPerMinute: perMinute(errorLogs, from, to) };
  // Health, tasks and utilization are taken now, for the latest slot only: a slot
  // that passed while no worker ran keeps its logs only.
  if (!latest) return sample;
  const probes = probeStats(await probeEndpoints(ports, env.health, env.monitoring.probes));
  const names = env.services.map((s) => s.name);
  const services = await ports.platform.describeServices(env.cluster, names);
  const tasks = services.reduce(
    (sum, s) => ({ running: sum.running + s.runningCount, desired: sum.desired + s.desiredCount }),
    { running: 0, desired: 0 },
  );
  const utilization =
    env.monitoring.metrics && ports.metrics
      ? peakUtilization(await ports.metrics.utilization(env.cluster, names, from, to))
      : {};
  return { ...sample, probes, tasks, ...utilization };
}

function statusTitle(taken: number, total: number): string {
  return `Monitoring: sample ${taken}/${total}`;
}

function sampleLines(s: Sample, b: Baseline | undefined, metrics: boolean): string[] {
  const ms = (x: number | undefined) => (x === undefined ? 'n/a' : `${Math.round(x)}ms`);
  const lines = [
    `error logs ${s.errorLogs} (${s.errorLogsPerMinute.toFixed(1)}/min, baseline ${b ? b.errorLogsPerMinute.toFixed(1) : 'n/a'}/min)`,
  ];
  if (s.probes) {
    lines.push(
      `5xx ${(s.probes.errorRate * 100).toFixed(1)}% of ${s.probes.requests} probes (baseline ${b ? (b.errorRate * 100).toFixed(1) : 'n/a'}%)`,
      `latency p50 ${ms(s.probes.p50)} p95 ${ms(s.probes.p95)} p99 ${ms(s.probes.p99)} (p99 ${change(b?.p99, s.probes.p99)} vs baseline)`,
    );
  }
  if (s.tasks) lines.push(`tasks ${s.tasks.running}/${s.tasks.desired} running`);
  if (s.cpu || s.memory) lines.push(utilizationLine(s.cpu, s.memory));
  // A sample that probed also asked CloudWatch; say when it had nothing yet.
  else if (metrics && s.probes) lines.push('cpu n/a memory n/a (no CloudWatch datapoints for the slot yet)');
  return lines;
}

/** `cpu 31% memory 42% (backend-service)`, or each with its own service when they differ. */
function utilizationLine(cpu: Utilization | undefined, memory: Utilization | undefined): string {
  const figure = (name: string, u: Utilization | undefined) =>
    u ? `${name} ${Math.round(u.percent)}%` : `${name} n/a`;
  if (cpu && memory && cpu.service === memory.service) {
    return `${figure('cpu', cpu)} ${figure('memory', memory)} (${cpu.service})`;
  }
  const withService = (name: string, u: Utilization | undefined) =>
    u ? `${figure(name, u)} (${u.service})` : figure(name, u);
  return `${withService('cpu', cpu)} ${withService('memory', memory)}`;
}

/** The highest of the window's samples, for the summary. */
function peakOf(samples: Sample[], figure: 'cpu' | 'memory'): Utilization | undefined {
  return samples
    .flatMap((s) => (s[figure] ? [s[figure]] : []))
    .reduce<Utilization | undefined>((best, u) => (best && best.percent >= u.percent ? best : u), undefined);
}

/** The runbook's "within 10% of baseline": the window's figures against the baseline. */
function conclude(samples: Sample[], b: Baseline | undefined, window: number): StepOutcome {
  const probed = samples.flatMap((s) => (s.probes ? [s.probes] : []));
  const requests = probed.reduce((n, p) => n + p.requests, 0);
  const failures = probed.reduce((n, p) => n + p.failures, 0);
  const p99s = probed.flatMap((p) => (p.p99 === undefined ? [] : [p.p99])).sort((x, y) => x - y);
  const p99 = p99s[Math.floor(p99s.length / 2)];
  const logsPerMinute = samples.reduce((n, s) => n + s.errorLogsPerMinute, 0) / Math.max(1, samples.length);
  const within = b?.p99 !== undefined && p99 !== undefined ? p99 <= b.p99 * 1.1 : undefined;
  const errorRate = requests === 0 ? 0 : failures / requests;
  const cpuPeak = peakOf(samples, 'cpu');
  const memoryPeak = peakOf(samples, 'memory');
  return {
    kind: 'done',
    summary: `${formatDuration(window)} watched, ${samples.length} samples: 5xx ${(errorRate * 100).toFixed(1)}%, median p99 ${p99 === undefined ? 'n/a' : `${Math.round(p99)}ms`} (${change(b?.p99, p99)} vs baseline${within === undefined ? '' : within ? ', within 10%' : ', NOT within 10%'})`,
    details: [
      `before: p99 ${b?.p99 === undefined ? 'n/a' : `${Math.round(b.p99)}ms`}, 5xx ${b ? (b.errorRate * 100).toFixed(1) : 'n/a'}%, ${b ? b.errorLogsPerMinute.toFixed(1) : 'n/a'} error logs/min`,
      `after:  p99 ${p99 === undefined ? 'n/a' : `${Math.round(p99)}ms`}, 5xx ${(errorRate * 100).toFixed(1)}%, ${logsPerMinute.toFixed(1)} error logs/min`,
      ...(cpuPeak || memoryPeak ? [`peak:   ${utilizationLine(cpuPeak, memoryPeak)}`] : []),
    ],
  };
}
