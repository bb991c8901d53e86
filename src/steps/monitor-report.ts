import { formatDuration } from '../domain/duration';
import {
  change,
  type Baseline,
  type MinuteFigures,
  type Sample,
  type Utilization,
} from '../domain/monitoring';
import type { WindowTotals } from '../domain/sample-history';
import { emptyTraffic, trafficPercentile, type TrafficCounts } from '../domain/traffic';
import type { Judgement } from '../domain/verdict';
import type { StepOutcome } from './step-handler';

/**
 * What monitoring says in the thread: a status post every few samples with the
 * figures and each rule's finding, and the summary when the window ends. Words,
 * not emoji: a status must read the same in any client.
 */

const ms = (x: number | undefined) => (x === undefined ? 'n/a' : `${Math.round(x)}ms`);
const pct = (k: number, n: number) => (n === 0 ? 'n/a' : `${((k / n) * 100).toFixed(2)}%`);
const count = (n: number) => n.toLocaleString('en-US');

export function verdictWord(j: Judgement): string {
  if (j.verdict === 'breach') return `rollback proposed on ${j.breach?.rule}`;
  return j.verdict === 'healthy' ? 'healthy so far' : 'inconclusive so far (too little traffic to judge)';
}

function trafficLine(label: string, t: TrafficCounts, base: TrafficCounts | undefined): string {
  const baseText =
    base && base.requests > 0
      ? ` (baseline ${pct(base.errors, base.requests)}, p99 ${ms(trafficPercentile(base, 99))})`
      : '';
  return `${label}: ${count(t.requests)} requests, 5xx ${pct(t.errors, t.requests)}, p99 ${ms(trafficPercentile(t, 99))}${baseText}`;
}

/** How a verdict that rests on the bot's own probes says so, and how to do better. */
export function sourceNote(j: Judgement, probesPerSample: number): string | undefined {
  if (j.source === 'probes') {
    return `Judged on the bot's own health probes only (${probesPerSample} a sample), not on users' traffic: configure monitoring.accessLogs, or a load balancer with monitoring.metrics, to judge real requests.`;
  }
  if (j.source === 'none') return 'No source of traffic measured yet: the verdict waits for one.';
  return undefined;
}

export function statusLines(input: {
  taken: number;
  total: number;
  sample: Sample;
  samples: readonly Sample[];
  minutes: readonly MinuteFigures[];
  baseline: Baseline | undefined;
  judgement: Judgement;
  metrics: boolean;
  probesPerSample: number;
  /** Signals that could not be read (and why); they are not measured, not failing. */
  unread: readonly string[];
}): string[] {
  const { sample: s, baseline: b, judgement: j } = input;
  const lines = [`Monitoring: sample ${input.taken}/${input.total} — ${verdictWord(j)}`];
  if (s.traffic)
    lines.push(
      trafficLine(`users' requests in the last ${formatDuration(s.to - s.from)}`, s.traffic, b?.traffic),
    );
  const errorBase = b ? `${b.errorLogsPerMinute.toFixed(1)}/min` : 'no baseline';
  lines.push(
    `error logs ${s.errorLogs} in the last ${formatDuration(s.to - s.from)} (baseline ${errorBase})`,
  );
  if (s.probes) {
    lines.push(
      `health probes: ${s.probes.failures}/${s.probes.requests} failed, p99 ${ms(s.probes.p99)} (baseline p99 ${ms(b?.p99)})`,
    );
  }
  if (s.tasks) lines.push(`tasks ${s.tasks.running}/${s.tasks.desired} running`);
  if (s.cpu || s.memory) lines.push(utilizationLine(s.cpu, s.memory));
  else if (input.metrics && s.probes)
    lines.push('cpu n/a memory n/a (no CloudWatch datapoints for the slot yet)');
  const lastMinute = input.minutes.at(-1);
  if (lastMinute?.loadBalancer) {
    const l = lastMinute.loadBalancer;
    lines.push(
      `load balancer, minute of ${new Date(lastMinute.at).toISOString().slice(11, 16)} UTC (complete minutes only; CloudWatch publishes them about 2 min late): ${count(l.requests)} requests, 5xx ${pct(l.errors, l.requests)}, p99 ${ms(l.p99)}`,
    );
  }
  for (const r of j.results) lines.push(`${r.rule}: ${r.status} — ${r.why}`);
  const note = sourceNote(j, input.probesPerSample);
  if (note) lines.push(note);
  for (const u of input.unread) lines.push(`not measured now — ${u}`);
  return lines;
}

/** `cpu 31% memory 42% (backend-service)`, or each with its own service when they differ. */
export function utilizationLine(cpu: Utilization | undefined, memory: Utilization | undefined): string {
  const figure = (name: string, u: Utilization | undefined) =>
    u ? `${name} ${Math.round(u.percent)}%` : `${name} n/a`;
  if (cpu && memory && cpu.service === memory.service) {
    return `${figure('cpu', cpu)} ${figure('memory', memory)} (${cpu.service})`;
  }
  const withService = (name: string, u: Utilization | undefined) =>
    u ? `${figure(name, u)} (${u.service})` : figure(name, u);
  return `${withService('cpu', cpu)} ${withService('memory', memory)}`;
}

function peakOf(samples: readonly Sample[], figure: 'cpu' | 'memory'): Utilization | undefined {
  return samples
    .flatMap((s) => (s[figure] ? [s[figure]] : []))
    .reduce<Utilization | undefined>((best, u) => (best && best.percent >= u.percent ? best : u), undefined);
}

/** The runbook's "within 10% of baseline": the window's figures against the baseline. */
export function conclude(
  samples: readonly Sample[],
  totals: WindowTotals,
  b: Baseline | undefined,
  window: number,
  j: Judgement,
): StepOutcome {
  const real = totals.traffic !== undefined && totals.traffic.requests > 0;
  const traffic = (real ? totals.traffic : totals.probeTraffic) ?? emptyTraffic();
  const base = real ? b?.traffic : undefined;
  const what = real ? 'requests' : 'health probes';
  const p99 = trafficPercentile(traffic, 99);
  const baseP99 = base ? trafficPercentile(base, 99) : b?.p99;
  const within = baseP99 !== undefined && p99 !== undefined ? p99 <= baseP99 * 1.1 : undefined;
  const logsPerMinute = samples.reduce((n, s) => n + s.errorLogsPerMinute, 0) / Math.max(1, samples.length);
  const cpuPeak = peakOf(samples, 'cpu');
  const memoryPeak = peakOf(samples, 'memory');
  const verdict = j.verdict === 'inconclusive' ? ' — inconclusive: too little traffic to judge' : '';
  return {
    kind: 'done',
    summary: `${formatDuration(window)} watched, ${samples.length} samples: 5xx ${pct(traffic.errors, traffic.requests)} of ${count(traffic.requests)} ${what}, p99 ${ms(p99)} (${change(baseP99, p99)} vs baseline${within === undefined ? '' : within ? ', within 10%' : ', NOT within 10%'})${verdict}`,
    details: [
      `before: p99 ${ms(baseP99)}, 5xx ${base ? pct(base.errors, base.requests) : b ? pct(b.failures, b.requests) : 'n/a'}, ${b ? b.errorLogsPerMinute.toFixed(1) : 'n/a'} error logs/min`,
      `after:  p99 ${ms(p99)}, 5xx ${pct(traffic.errors, traffic.requests)}, ${logsPerMinute.toFixed(1)} error logs/min`,
      ...(cpuPeak || memoryPeak ? [`peak:   ${utilizationLine(cpuPeak, memoryPeak)}`] : []),
      ...j.results.map((r) => `${r.rule}: ${r.status} — ${r.why}`),
    ],
  };
}
