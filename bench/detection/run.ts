/**
 * Detection-quality benchmark (`npm run bench:detection`, also part of
 * `npm run bench`): the rollback policy run on thousands of simulated
 * 15-minute monitoring windows — no I/O, a seeded simulation — next to the
 * rule deploybot shipped until now and a once-a-minute threshold rule.
 *
 * Traffic (traffic-model.ts): 2 to 500 requests a second drifting ±30 %,
 * background 5xx 0.1–1 %, log-normal latency (median 25–35 ms, sigma
 * 0.4–0.6), a task replaced about every 5 minutes (10–20 s of 502s and 1.5x
 * latency on its share), an ERROR line per 5xx plus a few others, and a
 * 15-minute baseline of the same traffic before each deploy. Each window is
 * judged at 5-s and 60-s intervals (the same traffic, sampled two ways).
 *
 * It prints false proposals per 1,000 healthy windows, detection rate and
 * time to proposal for bad releases, and whether issue 8's targets hold. It
 * never fails on its figures; it exits 1 only if the run itself breaks.
 *
 * Settings (environment):
 *   BENCH_DETECTION_HEALTHY  healthy windows per traffic level (default 1000)
 *   BENCH_DETECTION_BAD      windows per bad release and traffic level (default 200)
 *   BENCH_DETECTION_SEED     the run's seed (default 8); same seed, same figures
 *   BENCH_DETECTION_WORKERS  worker threads (default: one per CPU)
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Job, runJob } from './job';
import { report } from './report';
import { INTERVALS_S, LEVELS, SCENARIOS } from './scenarios';
import { type Tallies, mergeTallies } from './tally';

interface Settings {
  healthy: number;
  bad: number;
  seed: number;
  workers: number;
}

const WINDOWS_PER_JOB = 25;

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

function settings(env: NodeJS.ProcessEnv): Settings {
  return {
    healthy: positiveInteger(env, 'BENCH_DETECTION_HEALTHY', 1000),
    bad: positiveInteger(env, 'BENCH_DETECTION_BAD', 200),
    seed: positiveInteger(env, 'BENCH_DETECTION_SEED', 8),
    workers: positiveInteger(env, 'BENCH_DETECTION_WORKERS', Math.max(1, os.availableParallelism())),
  };
}

/** Every window to simulate, cut into jobs; the slowest (healthy, busiest) first so workers finish together. */
function jobsOf(s: Settings): Job[] {
  const jobs: Job[] = [];
  for (const scenario of SCENARIOS.keys()) {
    const windows = scenario === 0 ? s.healthy : s.bad;
    for (const level of [...LEVELS].reverse())
      for (let from = 0; from < windows; from += WINDOWS_PER_JOB)
        jobs.push({ seed: s.seed, scenario, level, from, to: Math.min(windows, from + WINDOWS_PER_JOB) });
  }
  return jobs;
}

/** Runs the jobs on `count` worker threads, each taking the next job as it finishes one. */
async function runOnWorkers(jobs: readonly Job[], count: number, progress: () => void): Promise<Tallies> {
  const tallies: Tallies = {};
  let next = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      // Worker threads inherit no loader from tsx: each registers tsx's (as mocha does) before loading worker.ts.
      const entry = JSON.stringify(path.join(__dirname, 'worker.ts'));
      const worker = new Worker(`require('tsx/cjs'); require(${entry});`, { eval: true });
      const give = () => {
        const job = jobs[next++];
        if (job) worker.postMessage(job);
        else void worker.terminate().then(() => resolve());
      };
      worker.on('message', (result: Tallies) => {
        mergeTallies(tallies, result);
        progress();
        give();
      });
      worker.on('error', reject);
      worker.on('online', give);
    });
  await Promise.all(Array.from({ length: Math.min(count, jobs.length) }, one));
  return tallies;
}

async function main(): Promise<void> {
  const s = settings(process.env);
  const jobs = jobsOf(s);
  const started = performance.now();
  console.log(
    `Detection benchmark: ${s.healthy} healthy windows and ${s.bad} per bad release, at each of ${LEVELS.join(', ')} rps, ` +
      `each judged at ${INTERVALS_S.map((i) => `${i}-s`).join(' and ')} intervals; seed ${s.seed}, ${s.workers} worker(s).`,
  );
  let done = 0;
  const progress = () => {
    done += 1;
    if (process.stderr.isTTY) process.stderr.write(`\r  ${done}/${jobs.length} jobs`);
  };
  let tallies: Tallies = {};
  if (s.workers === 1) {
    for (const job of jobs) {
      mergeTallies(tallies, runJob(job));
      progress();
    }
  } else {
    tallies = await runOnWorkers(jobs, s.workers, progress);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  for (const line of report(tallies)) console.log(line);
  console.log(`\nRan in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
