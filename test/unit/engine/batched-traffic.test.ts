import assert from 'node:assert/strict';
import pino from 'pino';
import { BatchedTraffic, type TrafficBatchOptions } from '../../../src/engine/batched-traffic';
import { latencyBucket, type TrafficCounts } from '../../../src/domain/traffic';
import type { AccessLogSpec } from '../../../src/ports/access-logs';
import type {
  CountQueryState,
  LogInsights,
  QueryRow,
  StatsQueryState,
} from '../../../src/ports/log-insights';
import type { LogEvent, Logs } from '../../../src/ports/logs';

const T = 1_795_000_000_000; // a whole second, and a multiple of 5 s
const S = T / 1000;

interface Request {
  at: number;
  status: number;
  latencyMs?: number;
}

const missingGroup = (group: string) =>
  Object.assign(new Error(`Log group '${group}' does not exist for account ID '123456789012'`), {
    name: 'ResourceNotFoundException',
  });

/** The apps' requests, as both fakes below see them. */
class Requests {
  readonly byGroup = new Map<string, Request[]>();
  add(group: string, ...requests: Request[]): void {
    this.byGroup.set(group, [...(this.byGroup.get(group) ?? []), ...requests]);
  }
}

/** FilterLogEvents stand-in: the groups' requests as JSON access-log lines, plus a line that is not a request. */
class DirectLogs implements Logs {
  readonly reads: [string, number, number][] = [];
  constructor(private readonly requests: Requests) {}
  async tail(): Promise<string[]> {
    return [];
  }
  async countMatches(): Promise<number> {
    throw new Error('traffic never counts matches');
  }
  async events(group: string, from: number, to: number): Promise<LogEvent[]> {
    this.reads.push([group, from, to]);
    const requests = this.requests.byGroup.get(group);
    if (!requests) throw missingGroup(group);
    return [
      { timestamp: from, message: 'INFO listening on :8080' },
      ...requests
        .filter((r) => r.at >= from && r.at < to)
        .map((r) => ({
          timestamp: r.at,
          message: JSON.stringify({
            status: r.status,
            ...(r.latencyMs !== undefined && { latency_ms: r.latencyMs }),
          }),
        })),
    ];
  }
}

/** Insights stand-in: answers the access-log query's rows from the groups' requests, both ends of the range included. */
class FakeInsights implements LogInsights {
  readonly started: { groups: string[]; query: string; fromSec: number; toSec: number }[] = [];
  readonly stopped: string[] = [];
  outcome: 'complete' | 'failed' | 'never' = 'complete';
  constructor(private readonly requests: Requests) {}

  async startQuery(groups: string[], query: string, fromSec: number, toSec: number): Promise<string> {
    const missing = groups.find((g) => !this.requests.byGroup.has(g));
    if (missing !== undefined) throw missingGroup(missing);
    this.started.push({ groups, query, fromSec, toSec });
    return `q${this.started.length}`;
  }

  async queryResults(queryId: string): Promise<StatsQueryState> {
    if (this.outcome === 'never') return { status: 'running' };
    if (this.outcome === 'failed') return { status: 'failed', reason: `query ${queryId} is Failed` };
    const q = this.started[Number(queryId.slice(1)) - 1];
    if (!q) throw new Error(`no query ${queryId}`);
    const bin = Number(/bin\((\d+)s\)/.exec(q.query)?.[1]);
    const rows = new Map<string, QueryRow & { requests: string }>();
    for (const group of q.groups) {
      for (const r of this.requests.byGroup.get(group) ?? []) {
        const sec = Math.floor(r.at / 1000);
        if (sec < q.fromSec || sec > q.toSec) continue;
        const row: QueryRow = {
          '@log': `123456789012:${group}`,
          [`bin(${bin}s)`]: new Date(Math.floor(sec / bin) * bin * 1000)
            .toISOString()
            .replace('T', ' ')
            .slice(0, -1),
          status_class: String(Math.floor(r.status / 100)),
          ...(r.latencyMs !== undefined && { latency_bucket: String(latencyBucket(r.latencyMs)) }),
        };
        const key = JSON.stringify(row);
        const n = Number(rows.get(key)?.requests ?? 0) + 1;
        rows.set(key, { ...row, requests: String(n) });
      }
    }
    return { status: 'complete', rows: [...rows.values()] };
  }

  async stop(queryId: string): Promise<void> {
    this.stopped.push(queryId);
  }
  async startCount(): Promise<string> {
    throw new Error('traffic never counts');
  }
  async countResults(): Promise<CountQueryState> {
    throw new Error('traffic never counts');
  }
}

const spec = (group: string): AccessLogSpec => ({
  group,
  format: { kind: 'json', status: 'status', latency: 'latency_ms', latencyUnit: 'ms' },
});

describe('BatchedTraffic', () => {
  let requests: Requests;
  let direct: DirectLogs;
  let insights: FakeInsights;
  let now: number;
  let tokens: number;

  function batched(options: Partial<TrafficBatchOptions> = {}, withInsights = true): BatchedTraffic {
    return new BatchedTraffic(
      direct,
      () => (withInsights ? insights : undefined),
      { take: async () => void (tokens += 1) },
      { now: () => (now += 100) },
      pino({ level: 'silent' }),
      { windowMs: 10, pollMs: 1, ...options },
    );
  }

  beforeEach(() => {
    requests = new Requests();
    direct = new DirectLogs(requests);
    insights = new FakeInsights(requests);
    now = T;
    tokens = 0;
    requests.add(
      '/ecs/a',
      { at: T - 1, status: 500, latencyMs: 9 }, // the slot before
      { at: T, status: 200, latencyMs: 30 },
      { at: T + 1_200, status: 200, latencyMs: 31 },
      { at: T + 2_000, status: 503, latencyMs: 900 },
      { at: T + 4_999, status: 200 }, // no latency: a request all the same
      { at: T + 5_000, status: 500, latencyMs: 9 }, // the slot after
    );
    requests.add('/ecs/b', { at: T + 3_000, status: 404, latencyMs: 2 }, { at: T + 6_000, status: 500 });
  });

  const A: TrafficCounts = {
    requests: 4,
    errors: 1,
    latency: { [String(latencyBucket(30))]: 2, [String(latencyBucket(900))]: 1 },
  };
  const B: TrafficCounts = { requests: 1, errors: 0, latency: { [String(latencyBucket(2))]: 1 } };

  it('answers two apps at the same moment with one query, each exactly its own slot', async () => {
    const traffic = batched();
    const answers = await Promise.all([
      traffic.traffic(spec('/ecs/a'), T, T + 5_000),
      traffic.traffic(spec('/ecs/b'), T, T + 5_000),
    ]);
    assert.deepEqual(answers, [A, B]);
    assert.equal(latencyBucket(30), latencyBucket(31), 'the two fast requests share a bucket');
    assert.equal(insights.started.length, 1);
    assert.deepEqual(insights.started[0]?.groups, ['/ecs/a', '/ecs/b']);
    assert.deepEqual([insights.started[0]?.fromSec, insights.started[0]?.toSec], [S, S + 4]);
    assert.match(insights.started[0]?.query ?? '', /by @log, bin\(5s\), status_class, latency_bucket$/);
    assert.deepEqual(direct.reads, []);
    assert.equal(tokens, 2, 'one budget token for StartQuery and one for each GetQueryResults');
  });

  it('queries a lone log group with Insights too, and bins a minute slot by the minute', async () => {
    const minute = 60 * Math.ceil(S / 60) * 1000;
    requests.add('/ecs/c', { at: minute + 59_000, status: 200, latencyMs: 5 });
    const answer = await batched().traffic(spec('/ecs/c'), minute, minute + 60_000);
    assert.deepEqual(answer, { requests: 1, errors: 0, latency: { [String(latencyBucket(5))]: 1 } });
    assert.deepEqual(
      insights.started.map((q) => q.groups),
      [['/ecs/c']],
    );
    assert.match(insights.started[0]?.query ?? '', /bin\(60s\)/);
  });

  it('does not share a query between different ranges', async () => {
    const traffic = batched();
    const answers = await Promise.all([
      traffic.traffic(spec('/ecs/a'), T, T + 5_000),
      traffic.traffic(spec('/ecs/b'), T + 5_000, T + 10_000),
    ]);
    assert.deepEqual(answers[1], { requests: 1, errors: 1, latency: {} });
    assert.deepEqual(answers[0], A);
    assert.equal(insights.started.length, 2);
  });

  it('falls back to FilterLogEvents for a failed query with the very same counts', async () => {
    insights.outcome = 'failed';
    const traffic = batched();
    const answers = await Promise.all([
      traffic.traffic(spec('/ecs/a'), T, T + 5_000),
      traffic.traffic(spec('/ecs/b'), T, T + 5_000),
    ]);
    assert.deepEqual(answers, [A, B]);
    assert.deepEqual(direct.reads, [
      ['/ecs/a', T, T + 5_000],
      ['/ecs/b', T, T + 5_000],
    ]);
  });

  it('stops a query that runs too long and reads with FilterLogEvents', async () => {
    insights.outcome = 'never';
    const traffic = batched({ queryTimeoutMs: 1_000 });
    const answers = await Promise.all([
      traffic.traffic(spec('/ecs/a'), T, T + 5_000),
      traffic.traffic(spec('/ecs/b'), T, T + 5_000),
    ]);
    assert.deepEqual(answers, [A, B]);
    assert.deepEqual(insights.stopped, ['q1']);
  });

  it('leaves a missing log group out of the query: the others are answered, it alone fails', async () => {
    const traffic = batched();
    const [a, missing, b] = await Promise.allSettled([
      traffic.traffic(spec('/ecs/a'), T, T + 5_000),
      traffic.traffic(spec('/ecs/misnamed'), T, T + 5_000),
      traffic.traffic(spec('/ecs/b'), T, T + 5_000),
    ]);
    assert.deepEqual(a, { status: 'fulfilled', value: A });
    assert.deepEqual(b, { status: 'fulfilled', value: B });
    assert.equal(missing?.status, 'rejected');
    assert.equal((missing as PromiseRejectedResult).reason.name, 'ResourceNotFoundException');
    assert.deepEqual(
      insights.started.map((q) => q.groups),
      [['/ecs/a', '/ecs/b']],
    );
    assert.deepEqual(direct.reads, [['/ecs/misnamed', T, T + 5_000]]);
  });

  const directCases: [string, number, number, boolean][] = [
    ['no Insights wired', T, T + 5_000, false],
    ['a range not on whole seconds', T + 250, T + 5_250, true],
    ['a range with more bins than one answer holds', T + 1_000, T + 1_000 + 1_000_000, true],
  ];
  for (const [what, from, to, withInsights] of directCases) {
    it(`reads ${what} with FilterLogEvents`, async () => {
      await batched({}, withInsights).traffic(spec('/ecs/a'), from, to);
      assert.deepEqual(direct.reads, [['/ecs/a', from, to]]);
      assert.equal(insights.started.length, 0);
    });
  }

  it('keeps each query within 50 log groups and the rows one answer holds', async () => {
    for (let i = 0; i < 52; i += 1) requests.add(`/ecs/app-${i}`);
    const traffic = batched();
    await Promise.all(
      Array.from({ length: 52 }, (_, i) => traffic.traffic(spec(`/ecs/app-${i}`), T, T + 5_000)),
    );
    assert.deepEqual(
      insights.started.map((q) => q.groups.length),
      [50, 2],
    );
    insights.started.length = 0;
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => traffic.traffic(spec(`/ecs/app-${i}`), T, T + 600_000)),
    );
    assert.match(insights.started[0]?.query ?? '', /bin\(200s\)/, 'the widest bin both ends are on');
    assert.deepEqual(
      insights.started.map((q) => q.groups.length),
      [10],
      '3 bins × 20 rows a group',
    );
    insights.started.length = 0;
    // Ends on odd seconds: 1-s bins, 300 of them × 20 rows, so one group a query.
    await Promise.all(
      Array.from({ length: 3 }, (_, i) => traffic.traffic(spec(`/ecs/app-${i}`), T + 1_000, T + 301_000)),
    );
    assert.match(insights.started[0]?.query ?? '', /bin\(1s\)/);
    assert.deepEqual(
      insights.started.map((q) => q.groups.length),
      [1, 1, 1],
    );
  });

  it('after Insights calls the query malformed, reads that format with FilterLogEvents without asking again', async () => {
    const malformed = Object.assign(new Error('unexpected symbol'), { name: 'MalformedQueryException' });
    insights.startQuery = async () => {
      throw malformed;
    };
    const traffic = batched();
    assert.deepEqual(await traffic.traffic(spec('/ecs/a'), T, T + 5_000), A);
    assert.deepEqual(await traffic.traffic(spec('/ecs/a'), T, T + 5_000), A);
    assert.equal(tokens, 1, 'only the first StartQuery was sent');
    assert.equal(direct.reads.length, 2);
  });
});
