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

// A figure nothing measured says so in words: "n/a" beside "baseline" read as a value.
const ms = (x: number | undefined) => (x === undefined ? 'not measured' : `${Math.round(x)}ms`);
const pct = (k: number, n: number) => (n === 0 ? 'not measured' : `${((k / n) * 100).toFixed(2)}%`);
const count = (n: number) => n.toLocaleString('en-US');

/**
 * The verdict so far, in the words of both the thread's status posts and the
 * release message's monitor line, so the two never read differently. A breach
 * says the rollback was proposed only once the proposal exists: the status post
 * that announces a breach comes just before its proposal, and a rollback's own
 * monitoring proposes nothing.
 */
export function verdictWords(j: Judgement, proposed: boolean): string {
  if (j.verdict === 'breach')
    return `${j.breach?.rule ?? 'a rule'} fired${proposed ? ' — rollback proposed' : ''}`;
  return j.verdict === 'healthy' ? 'healthy so far' : 'inconclusive so far (too little traffic to judge)';
}

/** `sample 12/24 — healthy so far`: how far the window is, and what it says. */
export function progressWords(taken: number, total: number, j: Judgement, proposed: boolean): string {
  return `sample ${taken}/${total} — ${verdictWords(j, proposed)}`;
}

function trafficLine(label: string, t: TrafficCounts, base: TrafficCounts | undefined): string {
  if (t.requests === 0) return `${label}: no requests`;
  let baseText = ' (no baseline)';
  if (base && base.requests === 0) baseText = ' (baseline: no requests)';
  else if (base)
    baseText = ` (baseline ${pct(base.errors, base.requests)}, p99 ${ms(trafficPercentile(base, 99))})`;
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
  /** A rollback was proposed on this window already. */
  proposed: boolean;
  metrics: boolean;
  probesPerSample: number;
  /** Signals that could not be read (and why); they are not measured, not failing. */
  unread: readonly string[];
}): string[] {
  const { sample: s, baseline: b, judgement: j } = input;
  const lines = [`Monitoring: ${progressWords(input.taken, input.total, j, input.proposed)}`];
  if (s.traffic)
    lines.push(
      trafficLine(`users' requests in the last ${formatDuration(s.to - s.from)}`, s.traffic, b?.traffic),
    );
  const errorBase = b ? `baseline ${b.errorLogsPerMinute.toFixed(1)}/min` : 'no baseline';
  lines.push(`error logs ${s.errorLogs} in the last ${formatDuration(s.to - s.from)} (${errorBase})`);
  if (s.probes) {
    lines.push(
      `health probes: ${s.probes.failures}/${s.probes.requests} failed, p99 ${ms(s.probes.p99)} (${baselineP99(b)})`,
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

/** The baseline's probe p99 for a status line; a rollback (or an old record) has none. */
function baselineP99(b: Baseline | undefined): string {
  if (!b) return 'no baseline';
  return b.p99 === undefined ? 'baseline p99 not measured' : `baseline p99 ${ms(b.p99)}`;
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
  let against = `${change(baseP99, p99)} vs baseline${within === undefined ? '' : within ? ', within 10%' : ', NOT within 10%'}`;
  if (!b) against = 'no baseline';
  else if (baseP99 === undefined) against = 'baseline p99 not measured';
  else if (p99 === undefined) against = 'nothing to compare with the baseline';
  const figures =
    traffic.requests === 0
      ? `no ${what} measured`
      : `5xx ${pct(traffic.errors, traffic.requests)} of ${count(traffic.requests)} ${what}, p99 ${ms(p99)} (${against})`;
  return {
    kind: 'done',
    summary: `${formatDuration(window)} watched, ${samples.length} samples: ${figures}${verdict}`,
    details: [
      b
        ? `before: p99 ${ms(baseP99)}, 5xx ${base ? pct(base.errors, base.requests) : pct(b.failures, b.requests)}, ${b.errorLogsPerMinute.toFixed(1)} error logs/min`
        : 'before: no baseline (measured before a release deploys; a rollback takes none)',
      `after:  p99 ${ms(p99)}, 5xx ${pct(traffic.errors, traffic.requests)}, ${logsPerMinute.toFixed(1)} error logs/min`,
      ...(cpuPeak || memoryPeak ? [`peak:   ${utilizationLine(cpuPeak, memoryPeak)}`] : []),
      ...j.results.map((r) => `${r.rule}: ${r.status} — ${r.why}`),
    ],
  };
}
