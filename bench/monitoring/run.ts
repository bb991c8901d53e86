/**
 * Monitoring benchmark (`npm run bench`, after the ack-latency one; alone:
 * `npm run bench:monitoring`). The real engine — createEngine with a BullMQ
 * worker on real Redis — watches N apps released at once through the real AWS
 * adapters (SDK clients) pointed at the AWS emulator, with health probes against
 * one SimulatedService per app. It reports:
 *   - every CloudWatch Logs request the monitoring makes — Logs Insights
 *     StartQuery, GetQueryResults and StopQuery of the batched error-log counts
 *     (src/engine/batched-logs.ts), and FilterLogEvents, their fallback — for all
 *     apps together per second (average, and most in any 1-s window: what the
 *     account's ~5 req/s limit is about), and per app per monitored minute
 *     (all of them ÷ apps ÷ minutes), with the split by operation, over a healthy
 *     watch that begins half an interval after the first sample moment at which
 *     every app watches; the ramp before it (each release's baseline
 *     FilterLogEvents, the first samples' queries) is shown apart, and the
 *     Insights queries (groups per query at each sample moment, polls, time to
 *     Complete, failures) over the whole scenario;
 *   - requests per app per sample over the whole watch, each request shared among
 *     the apps it serves: a query over k log groups (its StartQuery, its polls and
 *     any StopQuery) counts 1/k for each, a FilterLogEvents 1 for its app
 *     (logs-requests.ts; the recording proxy reads the groups and query ids);
 *   - the time from degrading the service (50 % 5xx, an ERROR line a second) to
 *     the rollback proposal (releaseCreated of a release with `rollbackOf`);
 *   - the bot's peak RSS while watching. The bot (bot.ts) runs in a process of
 *     its own; the emulator, the simulated services and the recording proxy
 *     stay in this one, whose RSS is shown apart.
 * Scenarios: 1 app at the first interval, then BENCH_APPS apps at each interval.
 * Slots sit on whole multiples of the interval, so all apps at one interval sample
 * together; all are degraded at once, 1 s after app-1's sample ended (its ECS DescribeServices,
 * which follows the error-log count and the probes): their worst phase.
 * It prints figures and never judges them; it exits 1 only if a run errors.
 *
 * Settings (environment):
 *   BENCH_APPS             apps watched at once in the large scenarios (default 50)
 *   BENCH_MONITOR_SECONDS  healthy watch measured per scenario, rounded down to whole intervals (default 30)
 *   BENCH_INTERVALS        monitoring intervals in seconds: "5,10" runs 1 app at the first and
 *                          BENCH_APPS apps at each (default "5,10")
 *   BENCH_CONCURRENCY      engine.concurrency, the worker's parallel jobs (default 50, deploybot's default)
 *   BENCH_LOG_LEVEL        the engine's pino level (default silent)
 */
import os from 'node:os';
import { summarize } from '../percentiles';
import { formatOperations, queryMoments } from './logs-requests';
import { RecordingProxy } from './recording-proxy';
import { runScenario, type ScenarioResult, type ScenarioSettings } from './scenario';

const CONSECUTIVE = 2;
/** Width of the table's first column. */
const FIRST = 28;
/** Width of the all-apps req/s column. */
const WIDE = 37;

function settings(env: NodeJS.ProcessEnv): ScenarioSettings[] {
  const apps = Number(env.BENCH_APPS ?? 50);
  const seconds = Number(env.BENCH_MONITOR_SECONDS ?? 30);
  const intervals = (env.BENCH_INTERVALS ?? '5,10').split(',').map((x) => Number(x.trim()));
  const concurrency = Number(env.BENCH_CONCURRENCY ?? 50);
  if (!Number.isInteger(apps) || apps < 1) throw new Error('BENCH_APPS must be a positive integer');
  if (!(seconds > 0)) throw new Error('BENCH_MONITOR_SECONDS must be a positive number of seconds');
  if (intervals.length === 0 || intervals.some((i) => !(i >= 1))) {
    throw new Error(`BENCH_INTERVALS must be seconds (at least 1) like "5,10", not "${env.BENCH_INTERVALS}"`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100) {
    throw new Error('BENCH_CONCURRENCY must be an integer from 1 to 100');
  }
  const base = { consecutive: CONSECUTIVE, concurrency, monitorMs: seconds * 1000 };
  const [first] = intervals as [number];
  return [
    { ...base, apps: 1, intervalMs: first * 1000 },
    ...intervals.map((i) => ({ ...base, apps, intervalMs: i * 1000 })),
  ];
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

function row(r: ScenarioResult): string {
  const s = r.settings;
  const latencies = r.proposals.map((p) => p.afterDegradeMs);
  const proposal =
    latencies.length === 0
      ? 'none'
      : `${secs(summarize(latencies).p50)} / ${secs(summarize(latencies).max)}` +
        (r.missing.length > 0 ? ` (${r.missing.length} missing)` : '');
  return [
    `  interval ${s.intervalMs / 1000}s`.padEnd(FIRST),
    String(s.apps).padStart(4),
    r.logsPerAppPerMin.mean.toFixed(1).padStart(18),
    `${r.logsPerSecond.avg.toFixed(2)} / ${r.logsPerSecond.max1s}`.padStart(WIDE),
    proposal.padStart(40),
    `${Math.round(r.bot.rssMbWatching)} MB`.padStart(10),
  ].join('');
}

function details(r: ScenarioResult): string[] {
  const s = r.settings;
  const reasons = new Map<string, number>();
  for (const p of r.proposals) {
    const rule = p.reason.split(':')[0] ?? p.reason;
    reasons.set(rule, (reasons.get(rule) ?? 0) + 1);
  }
  const target = s.consecutive * s.intervalMs + 5_000;
  const late = r.proposals.filter((p) => p.afterDegradeMs > target).length;
  const spread = (values: number[]): string =>
    values.length === 0 ? 'n/a' : `p50 ${secs(summarize(values).p50)} max ${secs(summarize(values).max)}`;
  return [
    `  ${s.apps} app(s) at ${s.intervalMs / 1000}s: all in monitor ${secs(r.rampMs)} after the first request; ` +
      `${secs(r.measuredMs)} healthy watch counted from ${secs(r.ramp.ms)}, between sample moments; ` +
      `before it ${r.ramp.total} Logs requests (${formatOperations(r.ramp.byOperation)}; the baselines' ` +
      `FilterLogEvents among them), at most ${r.ramp.max1s} in 1 s`,
    `    Logs req/app/min min ${r.logsPerAppPerMin.min.toFixed(2)} max ${r.logsPerAppPerMin.max.toFixed(2)} ` +
      `(one per sample would be 60/${s.intervalMs / 1000} = ${(60_000 / s.intervalMs).toFixed(1)}); ` +
      `${r.logsCalls.total} Logs requests through the proxy in those ${secs(r.measuredMs)} ` +
      `(${formatOperations(r.logsCalls.byOperation)}), ${r.emulatorLogsCalls} answered by the emulator` +
      (r.unattributedLogsCalls > 0 ? `, ${r.unattributedLogsCalls} naming no app` : '') +
      `; ECS DescribeServices ${r.describeServicesPerSecond.toFixed(1)}/s`,
    `    whole watch incl. degraded phase: ${r.logsPerSample.requests.toFixed(1)} Logs requests ` +
      `(${formatOperations(r.logsPerSample.byOperation)}; apps' shares) for ${r.logsPerSample.samples} samples; ` +
      `worst app ${r.logsPerSample.max.toFixed(2)} requests per sample`,
    `    ${insights(r)}`,
    `    proposals ${r.proposals.length}/${r.degradedApps} (${[...reasons].map(([k, n]) => `${n}× ${k}`).join(', ')}), ` +
      `${late} over ${secs(target)}; first sample after the onset → proposal ${spread(r.proposals.map((p) => p.afterFirstBadSampleMs))}; ` +
      `confirming sample begun → proposal ${spread(r.proposals.map((p) => p.confirmingSampleMs))}`,
    `    bot process: peak RSS ${Math.round(r.bot.rssMbWatching)} MB while watching (${Math.round(r.bot.rssMbAll)} MB over the scenario), ` +
      `peak heap used ${Math.round(r.bot.heapMbWatching)} MB; driver process (emulator, services, proxy): ` +
      `RSS ${Math.round(r.driver.rssMbBefore)} MB before, peak ${Math.round(r.driver.rssMbAll)} MB`,
  ];
}

/** The scenario's Logs Insights queries, and Logs answers that were errors. */
function insights(r: ScenarioResult): string {
  const q = r.queries;
  const errors = [...r.logsErrors].map(([what, n]) => `${n}× ${what}`).join(', ') || 'none';
  if (q.queries === 0)
    return `Logs Insights: no queries (every count by FilterLogEvents); Logs errors: ${errors}`;
  const complete = q.completeMs
    ? `StartQuery → Complete p50 ${secs(q.completeMs.p50)} max ${secs(q.completeMs.max)}`
    : 'none Complete';
  return (
    `Logs Insights over the scenario: ${q.queries} queries of ${q.groups.min}–${q.groups.max} log groups ` +
    `(mean ${q.groups.mean.toFixed(1)}; groups per query at each sample moment: ` +
    `${queryMoments(q.list, r.settings.intervalMs)}), GetQueryResults per query mean ${q.polls.mean.toFixed(1)} max ${q.polls.max}, ` +
    `${complete}, ${q.notComplete} never Complete; Logs errors: ${errors}` +
    (q.byOrder + q.orphans > 0 ? `; ${q.byOrder} polls matched by order, ${q.orphans} to no query` : '')
  );
}

function report(results: ScenarioResult[]): void {
  const consecutive = results[0]?.settings.consecutive ?? CONSECUTIVE;
  const most = Math.max(...results.map((r) => r.settings.apps));
  console.log(
    `${`monitoring (consecutive ${consecutive})`.padEnd(FIRST)}${'apps'.padStart(4)}${'Logs req/app/min'.padStart(18)}` +
      `${'Logs req/s all apps (avg / max 1s)'.padStart(WIDE)}${'proposal after degradation (p50 / max)'.padStart(40)}` +
      `${'peak RSS'.padStart(10)}`,
  );
  for (const r of results) console.log(row(r));
  console.log(
    'targets: ≤1 Logs request per app per sample; 50 apps < 5 req/s; < 300 MB; proposal: the degradation here is ' +
      'error logs alone, which the policy judges over a whole minute in which most slots must spike (so a burst is ' +
      'not a spike): about half a minute after the onset; 5xx and latency from access logs are caught within two ' +
      'intervals + 5 s (npm run bench:detection)',
  );
  console.log(
    '(Logs requests: all the monitoring sends to CloudWatch Logs — Insights StartQuery, GetQueryResults, StopQuery ' +
      'and FilterLogEvents; the ~5 req/s account limit is on their sum, and req/s is all apps together. Apps ' +
      `sampling at the same moment share one Insights query of up to 50 log groups: 1 StartQuery, then a ` +
      'GetQueryResults a second until Complete, so up to 50 apps cost about (1 + polls) ÷ interval req/s whatever ' +
      `their number (${most} apps: ${Math.ceil(most / 50)} ${most > 50 ? 'queries' : 'query'} per sample moment), and a lone app pays a ` +
      'whole query itself. req/app/min is all requests ÷ apps ÷ minutes; per sample, a query over k groups ' +
      'counts 1/k for each of its apps and a FilterLogEvents (the fallback) 1 for its app. The 1-s maximum ' +
      "counts every app's requests in the busiest second.)",
  );
  for (const r of results) for (const line of details(r)) console.log(line);
}

async function main(): Promise<void> {
  const scenarios = settings(process.env);
  const cpus = os.cpus();
  console.log('');
  console.log(
    `machine: node ${process.version}, ${cpus.length} cpus, ${cpus[0]?.model.trim() ?? 'unknown cpu'}, ` +
      `${os.platform()} ${os.release()}, ${Math.round(os.totalmem() / 2 ** 30)} GB, load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  const started = Date.now();
  const proxy = new RecordingProxy();
  const url = await proxy.start();
  // The real adapters find the emulator (through the proxy) the way they find AWS: SDK variables.
  for (const service of ['ECS', 'ECR', 'RDS', 'CLOUDWATCH_LOGS'])
    process.env[`AWS_ENDPOINT_URL_${service}`] = url;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'bench';
  process.env.AWS_SECRET_ACCESS_KEY = 'bench';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  const results: ScenarioResult[] = [];
  try {
    for (const s of scenarios) {
      console.log(`monitoring: ${s.apps} app(s), interval ${s.intervalMs / 1000}s …`);
      results.push(await runScenario(proxy, s));
    }
  } finally {
    await proxy.stop();
  }
  console.log('');
  report(results);
  console.log(
    `(real engine + BullMQ worker on Redis, engine.concurrency ${scenarios[0]?.concurrency}, real AWS SDK adapters ` +
      `against the AWS emulator, 2 health endpoints × 5 probes per sample; ${secs(Date.now() - started)} in all)`,
  );
}

main().catch((error: unknown) => {
  console.error('monitoring bench failed:', error);
  process.exitCode = 1;
});
