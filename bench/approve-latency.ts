/**
 * `npm run bench` (part): how long from an approver's click on "Approve
 * rollback" to the rollback's UpdateService reaching AWS. Each rollback is of a
 * release that finished; the click is a signed `block_actions` POST over HTTP
 * into the running Bolt app; the moment UpdateService arrives is taken at the
 * AWS emulator's HTTP server. Clicks are sequential (one rollback at a time:
 * the app's lock allows no other), each after a person's reading time.
 * It prints figures and where the time goes; it exits 1 only if a run errors.
 *
 * Settings (environment):
 *   BENCH_ROLLBACKS  measured rollbacks (default 50)
 *   BENCH_WARMUP     rollbacks before them, not measured (default 2); the first is reported as "cold"
 *   BENCH_THINK_MS   from the proposal's post to the click (default 1500): longer than the channel
 *                    pacer's 1.1 s, as a person's reading is; 0 shows what the pacer costs a quick click
 *   BENCH_SPANS      "1" also lists spans seen in fewer than half the clicks, and chat's own work
 */
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  breakdown,
  criticalPath,
  first,
  type BreakdownRow,
  type Milestone,
  type PathRow,
} from './approve-latency-breakdown';
import { clickApprove, proposeRollbackOfFinishedRelease, retireRollback } from './approve-latency-scenario';
import { startBenchSystem, type BenchSystem } from './approve-latency-system';
import type { Span } from './approve-latency-trace';
import { summarize, type Summary } from './percentiles';

interface Settings {
  rollbacks: number;
  warmup: number;
  thinkMs: number;
  allSpans: boolean;
}

function settings(env: NodeJS.ProcessEnv): Settings {
  const whole = (name: string, fallback: number, min: number): number => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number ≥ ${min}`);
    return value;
  };
  return {
    rollbacks: whole('BENCH_ROLLBACKS', 50, 1),
    warmup: whole('BENCH_WARMUP', 2, 0),
    thinkMs: whole('BENCH_THINK_MS', 1500, 0),
    allSpans: env.BENCH_SPANS === '1',
  };
}

interface Click {
  rollbackId: string;
  /** Bolt's HTTP answer (the ack), ms after the click was sent. */
  ack: number;
  firstUpdate: number;
  lastUpdate: number;
  /** Everything traced from the click to the last UpdateService's arrival, relative to the click. */
  spans: Span[];
}

const CLICK_TIMEOUT_MS = 15_000;
const isUpdate = (s: Span): boolean => s.context === 'aws' && s.label === 'UpdateService';

/** One rollback: proposal, reading time, click; resolves once every service's UpdateService arrived. */
async function measureOne(system: BenchSystem, index: number, thinkMs: number): Promise<Click> {
  const { trace } = system;
  const { rollback, services } = await proposeRollbackOfFinishedRelease(system, index);
  await sleep(thinkMs);
  trace.clear();
  const arrivals: Span[] = [];
  const updated = trace.next(
    (s) => isUpdate(s) && arrivals.push(s) === services.length,
    CLICK_TIMEOUT_MS,
    `UpdateService for all of ${services.join(', ')}`,
  );
  const listenerDone = trace.next(
    (s) => s.context === 'web' && s.label === 'bolt.processEvent',
    CLICK_TIMEOUT_MS,
    'end of the click listener',
  );
  const stepRan = trace.next(
    (s) => s.context === 'step' && s.label === 'runner.run',
    CLICK_TIMEOUT_MS,
    'end of the step run that updates the services',
  );
  const sent = trace.now();
  const answer = await clickApprove(system, rollback);
  const ack = trace.now() - sent;
  if (answer.status !== 200) throw new Error(`the click was answered ${answer.status}`);
  try {
    await Promise.all([updated, listenerDone, stepRan]);
  } catch (error) {
    const replies = system.slack.responses.map((r) => JSON.stringify(r.body.text ?? r.body)).slice(-3);
    throw new Error(
      `rollback ${rollback.id}: ${(error as Error).message}; last replies: ${replies.join(' | ')}`,
    );
  }
  const last = arrivals[arrivals.length - 1] as Span;
  return {
    rollbackId: rollback.id,
    ack,
    firstUpdate: (arrivals[0] as Span).start - sent,
    lastUpdate: last.start - sent,
    spans: trace.between(sent, last.start),
  };
}

/** The click's way to AWS, cut where one part of the system hands it to the next. */
const MILESTONES: Milestone[] = [
  { name: 'Bolt receives the POST', at: first('bolt', 'POST') },
  { name: 'listener runs', at: first('web', 'bolt.processEvent') },
  { name: 'approver authorized', at: first('web', 'authorizer.check', 'end') },
  { name: 'proposal checked against ECS', at: first('web', 'ecs.describeServices', 'end') },
  { name: 'decision claimed (1st save)', at: first('web', 'store.save', 'end') },
  { name: 'start() begins', at: first('web', 'service.start') },
  { name: 'lock taken', at: first('web', 'lock.acquire', 'end') },
  { name: 'step job enqueued', at: first('web', 'queue.add deploybot-steps', 'end') },
  { name: 'worker takes the job', at: first('queue', 'worker took the job') },
  { name: 'step run begins', at: first('step', 'runner.run') },
  { name: 'step has read ECS', at: first('step', 'ecs.describeServices', 'end') },
  { name: 'UpdateService reaches AWS', at: first('aws', 'UpdateService') },
];

const fmt = (ms: number): string => (Number.isNaN(ms) ? '    n/a' : ms.toFixed(2).padStart(7));

function summaryRow(name: string, s: Summary): string {
  return `  ${name.padEnd(44)} ${String(s.n).padStart(4)} ${fmt(s.p50)} ${fmt(s.p99)} ${fmt(s.mean)} ${fmt(s.max)}`;
}

function pathRow(row: PathRow): string {
  return `  → ${row.to.padEnd(34)} ${String(row.n).padStart(4)} ${fmt(row.p50)} ${fmt(row.p99)} ${fmt(row.max)}`;
}

function spanRow(row: BreakdownRow): string {
  const label = `${'  '.repeat(row.depth)}${row.label}`;
  return `  ${row.context.padEnd(6)} ${label.padEnd(46)} ${String(row.n).padStart(4)} ${fmt(row.start)} ${fmt(row.duration)} ${fmt(row.durationP99)}`;
}

function report(clicks: Click[], cold: Click | undefined, options: Settings, seconds: number): void {
  const services = clicks[0] ? clicks[0].spans.filter(isUpdate).length : 0;
  console.log(
    `${'approve click → UpdateService at AWS (ms)'.padEnd(46)}    n     p50     p99    mean     max`,
  );
  console.log(summaryRow("Bolt's HTTP answer (ack)", summarize(clicks.map((c) => c.ack))));
  console.log(summaryRow('first UpdateService reaches AWS', summarize(clicks.map((c) => c.firstUpdate))));
  console.log(
    summaryRow(`last UpdateService (${services} services)`, summarize(clicks.map((c) => c.lastUpdate))),
  );
  if (cold)
    console.log(
      `  cold first click (warm-up, not counted): first UpdateService after ${cold.firstUpdate.toFixed(1)} ms`,
    );
  console.log(
    `(${clicks.length} rollbacks, sequential: one click at a time, ${options.thinkMs} ms after each proposal was posted; ` +
      `${options.warmup} warm-up rollbacks; ${seconds.toFixed(1)} s in all)`,
  );
  console.log(
    '(on: the Bolt app, step and follow-up workers as `DEPLOYBOT_ROLE=all` wires them, engine defaults; ' +
      'the AWS emulator through AWS_ENDPOINT_URL_* and the real SDK adapters; a local fake Slack; ' +
      `Redis ${process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'} under a fresh prefix; all in this one process)`,
  );
  console.log('');
  console.log(`${'where the time goes: critical path (ms)'.padEnd(38)}    n     p50     p99     max`);
  console.log('  click sent');
  for (const row of criticalPath(
    clicks.map((c) => c.spans),
    MILESTONES,
  ))
    console.log(pathRow(row));
  const rows = breakdown(clicks.map((c) => c.spans));
  const shown = options.allSpans
    ? rows
    : rows.filter((r) => r.n * 2 >= clicks.length && r.context !== 'chat');
  console.log('');
  console.log(
    `${'timed spans (flow, label: median start, duration p50/p99, ms)'.padEnd(55)}    n   start     p50     p99`,
  );
  for (const row of shown) console.log(spanRow(row));
  if (shown.length < rows.length)
    console.log(
      `  (${rows.length - shown.length} rarer or chat-internal spans left out; BENCH_SPANS=1 lists them)`,
    );
}

async function main(): Promise<void> {
  const options = settings(process.env);
  const cpus = os.cpus();
  console.log(
    `machine: node ${process.version}, ${cpus.length} cpus, ${cpus[0]?.model.trim() ?? 'unknown cpu'}, ` +
      `${os.platform()} ${os.release()}, load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  const started = process.hrtime.bigint();
  const system = await startBenchSystem();
  const clicks: Click[] = [];
  let cold: Click | undefined;
  let cancelling: Promise<unknown> = Promise.resolve();
  try {
    for (let i = 0; i < options.warmup + options.rollbacks; i++) {
      // The previous rollback is cancelled once measured, freeing the app's lock for this one.
      await cancelling;
      const click = await measureOne(system, i, options.thinkMs);
      if (i === 0) cold = click;
      if (i >= options.warmup) clicks.push(click);
      cancelling = retireRollback(system, click.rollbackId);
    }
    await cancelling;
  } finally {
    await system.stop();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  report(clicks, options.warmup > 0 ? cold : undefined, options, seconds);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('bench failed:', error);
    process.exit(1);
  },
);
