/**
 * `npm run bench`: slash-command acknowledgement latency — from sending a signed
 * `/deploy` request to receiving Bolt's HTTP answer — for deploybot's real Bolt
 * app against a bare Bolt app that only acks (the floor). It prints figures and
 * never judges them; it exits 1 only if a run errors.
 *
 * Settings (environment):
 *   BENCH_REQUESTS  measured requests per target and level: "300,2000" (c=1, c=50) or one number for both
 *   BENCH_ROUNDS    rounds each level is split into, alternating the targets ABBA (default 6)
 *   BENCH_WARMUP    warm-up requests per target and level, not measured (default 50)
 *   BENCH_GAP_MS    pause between requests of the paced c=1 level (default 10; 0 leaves that level out)
 *   BENCH_RUNS      whole runs, each with freshly started targets (default 3); the closing table
 *                   gives every run's c=50 p99 ratio and the spread of its per-round ratios
 */
import os from 'node:os';
import { runLoad, type Sample, type Target } from './load';
import { median, summarize, type Summary } from './percentiles';
import { startTargets, type Targets } from './targets';

interface Level {
  label: string;
  concurrency: number;
  requests: number;
  gapMs: number;
}

interface Settings {
  levels: Level[];
  rounds: number;
  warmup: number;
  runs: number;
}

function settingsFrom(env: NodeJS.ProcessEnv): Settings {
  const raw = (env.BENCH_REQUESTS ?? '300,2000').split(',').map((s) => Number(s.trim()));
  const [c1, c50 = c1] = raw;
  const rounds = Number(env.BENCH_ROUNDS ?? 6);
  const warmup = Number(env.BENCH_WARMUP ?? 50);
  const gapMs = Number(env.BENCH_GAP_MS ?? 10);
  const runs = Number(env.BENCH_RUNS ?? 3);
  const positive = (n: number | undefined): n is number => n !== undefined && Number.isInteger(n) && n > 0;
  if (!positive(c1) || !positive(c50) || raw.length > 2) {
    throw new Error(
      `BENCH_REQUESTS must be "N" or "N1,N50" (positive integers), not "${env.BENCH_REQUESTS}"`,
    );
  }
  if (!positive(rounds)) throw new Error('BENCH_ROUNDS must be a positive integer');
  if (!positive(runs)) throw new Error('BENCH_RUNS must be a positive integer');
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error('BENCH_WARMUP must be a whole number');
  if (!Number.isFinite(gapMs) || gapMs < 0) throw new Error('BENCH_GAP_MS must be a number of ms');
  const levels: Level[] = [{ label: 'c=1', concurrency: 1, requests: c1, gapMs: 0 }];
  if (gapMs > 0) levels.push({ label: `c=1 ${gapMs}ms apart`, concurrency: 1, requests: c1, gapMs });
  levels.push({ label: 'c=50', concurrency: 50, requests: c50, gapMs: 0 });
  return { levels, rounds, warmup, runs };
}

/** Splits `total` into `rounds` near-equal parts, none empty. */
function split(total: number, rounds: number): number[] {
  const parts = Math.min(rounds, total);
  return Array.from(
    { length: parts },
    (_, r) => Math.floor(((r + 1) * total) / parts) - Math.floor((r * total) / parts),
  );
}

interface LevelResult {
  level: Level;
  floor: Sample[];
  deploybot: Sample[];
  /** p99 ratio (deploybot / floor) of each round, in round order. */
  roundRatios: number[];
}

/**
 * One level: warm-up, then rounds alternating ABBA (floor first in even rounds,
 * deploybot first in odd ones) so drift and other load on the machine hit both
 * alike. Between phases deploybot's work after its acks is let finish, so it
 * never lands on the floor's measurements.
 */
async function measure(targets: Targets, level: Level, rounds: number, warmup: number, next: () => number) {
  const run = async (target: Target, requests: number): Promise<Sample[]> => {
    await targets.settle();
    const firstIndex = next();
    return runLoad(target, { requests, concurrency: level.concurrency, gapMs: level.gapMs, firstIndex });
  };
  if (warmup > 0) for (const target of [targets.floor, targets.deploybot]) await run(target, warmup);
  const result: LevelResult = { level, floor: [], deploybot: [], roundRatios: [] };
  for (const [round, count] of split(level.requests, rounds).entries()) {
    const order = round % 2 === 0 ? (['floor', 'deploybot'] as const) : (['deploybot', 'floor'] as const);
    const got = { floor: [] as Sample[], deploybot: [] as Sample[] };
    for (const key of order) got[key] = await run(targets[key], count);
    result.floor.push(...got.floor);
    result.deploybot.push(...got.deploybot);
    result.roundRatios.push(p99(got.deploybot) / p99(got.floor));
  }
  return result;
}

const p99 = (samples: Sample[]): number => summarize(samples.map((s) => s.ms)).p99;
const fmt = (ms: number): string => ms.toFixed(2).padStart(7);

function row(name: string, label: string, s: Summary, extra = ''): string {
  return `${name.padEnd(26)} ${label.padEnd(16)} ${String(s.n).padStart(5)} ${fmt(s.p50)} ${fmt(s.p99)} ${fmt(s.mean)} ${fmt(s.max)}${extra}`;
}

/** deploybot's p99 and p50 over the floor's, all rounds of a level pooled. */
function ratios(r: LevelResult): { p99: number; p50: number } {
  const floor = summarize(r.floor.map((s) => s.ms));
  const bot = summarize(r.deploybot.map((s) => s.ms));
  return { p99: bot.p99 / floor.p99, p50: bot.p50 / floor.p50 };
}

/** "min 0.91x, median 1.20x, max 1.62x" of some ratios. */
function spread(values: readonly number[]): string {
  const x = (v: number) => `${v.toFixed(2)}x`;
  return `min ${x(Math.min(...values))}, median ${x(median(values))}, max ${x(Math.max(...values))}`;
}

function report(results: LevelResult[]): void {
  console.log(`${'slash-command ack latency (ms)'.padEnd(43)} n     p50     p99    mean     max`);
  for (const r of results) {
    const floor = summarize(r.floor.map((s) => s.ms));
    const bot = summarize(r.deploybot.map((s) => s.ms));
    const { p99: p99Ratio, p50: p50Ratio } = ratios(r);
    const rounds = r.roundRatios.map((x) => x.toFixed(2)).join(' ');
    console.log(row('bare Bolt (ack only)', r.level.label, floor));
    console.log(
      row(
        'deploybot',
        r.level.label,
        bot,
        `   ratio p99 ${p99Ratio.toFixed(2)}x, p50 ${p50Ratio.toFixed(2)}x` +
          ` (per-round p99 ratios ${rounds}: ${spread(r.roundRatios)})`,
      ),
    );
  }
}

interface RunResult {
  results: LevelResult[];
  /** The 1-minute load average before and after the run: other work on the machine. */
  load: [number, number];
}

/** One line per run for the busiest level, then the spread over runs. */
function closing(runs: RunResult[]): void {
  const label = (r: LevelResult) => r.level.label;
  const busiest = runs.map((run) => run.results[run.results.length - 1] as LevelResult);
  console.log(`ack p99 ratio at ${label(busiest[0] as LevelResult)}, run by run:`);
  for (const [k, r] of busiest.entries()) {
    const { p99: p99Ratio, p50: p50Ratio } = ratios(r);
    const load = (runs[k] as RunResult).load.map((l) => l.toFixed(2)).join(' → ');
    console.log(
      `  run ${k + 1}: p99 ${p99Ratio.toFixed(2)}x, p50 ${p50Ratio.toFixed(2)}x; ` +
        `per-round p99 ${spread(r.roundRatios)}; load average ${load}`,
    );
  }
  const p99s = busiest.map((r) => ratios(r).p99);
  console.log(
    `  over ${runs.length} run(s): p99 ratio ${spread(p99s)}; ` +
      `${p99s.filter((x) => x <= 1.5).length} of ${runs.length} within the target`,
  );
  console.log('target: deploybot p99 within 1.5x of the bare-Bolt floor at c=50, in every run');
}

/** "N replies (a× status, b× busy, ...)": the real path ran after the acks. */
function repliesSummary(texts: string[]): string {
  const kinds = new Map<string, number>();
  for (const text of texts) {
    const kind = text
      .replace(/`[^`]*`/g, '`…`')
      .replace(/\d+/g, 'N')
      .slice(0, 50);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const listed = [...kinds.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${n}× "${kind}…"`)
    .join(', ');
  return `${texts.length} (${listed})`;
}

/** One whole run: fresh targets, every level, the report. */
async function runOnce(settings: Settings, number: number): Promise<RunResult> {
  const before = os.loadavg()[0] as number;
  const started = process.hrtime.bigint();
  const targets = await startTargets();
  let index = 0;
  // Each run's requests are numbered from a fresh 100 000: bodies never repeat, and a multiple
  // of the command mix's length keeps every run's mix starting at the same command.
  const next = (): number => (index += 100_000);
  const results: LevelResult[] = [];
  let replies = '';
  try {
    for (const level of settings.levels) {
      results.push(await measure(targets, level, settings.rounds, settings.warmup, next));
    }
    await targets.settle();
    replies = repliesSummary(targets.slack.responses.map((r) => String(r.body.text ?? '')));
  } finally {
    await targets.stop();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log('');
  console.log(`run ${number} of ${settings.runs}`);
  console.log(`deploybot's replies through response_url after its acks: ${replies}`);
  report(results);
  console.log(
    `(${settings.rounds} alternating rounds per level, ${settings.warmup} warm-up requests per target and level, ` +
      `command mix status / help / --dry-run / release; ${seconds.toFixed(1)} s in all)`,
  );
  console.log(`(${targets.setup}; BENCH_IN_PROCESS=1 puts everything in one process)`);
  return { results, load: [before, os.loadavg()[0] as number] };
}

async function main(): Promise<void> {
  const settings = settingsFrom(process.env);
  const cpus = os.cpus();
  console.log(
    `machine: node ${process.version}, ${cpus.length} cpus, ${cpus[0]?.model.trim() ?? 'unknown cpu'}, ` +
      `${os.platform()} ${os.release()}, load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  const runs: RunResult[] = [];
  for (let k = 1; k <= settings.runs; k++) runs.push(await runOnce(settings, k));
  console.log('');
  closing(runs);
}

main().catch((error: unknown) => {
  console.error('bench failed:', error);
  process.exitCode = 1;
});
