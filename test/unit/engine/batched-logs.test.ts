import assert from 'node:assert/strict';
import pino from 'pino';
import { BatchedLogs, type LogBatchOptions } from '../../../src/engine/batched-logs';
import type { CountQueryState, CountsBySecond, LogInsights } from '../../../src/ports/log-insights';
import type { Logs } from '../../../src/ports/logs';

const T = 1_795_000_000_000; // a whole second
const S = T / 1000;

/** FilterLogEvents stand-in: answers 1000 + the range's seconds, so a fallback is recognisable. */
class DirectLogs implements Logs {
  readonly counts: [string, string, number, number][] = [];
  async tail(): Promise<string[]> {
    return [];
  }
  async events(): Promise<never> {
    throw new Error('error-log counts never read events');
  }
  async countMatches(group: string, pattern: string, from: number, to: number): Promise<number> {
    this.counts.push([group, pattern, from, to]);
    return 1000 + (to - from) / 1000;
  }
}

/** Insights stand-in: events per group and second; queries complete after `polls` results calls. */
class FakeInsights implements LogInsights {
  readonly started: { groups: string[]; filter: string; fromSec: number; toSec: number }[] = [];
  readonly stopped: string[] = [];
  events = new Map<string, Map<number, number>>();
  polls = 1;
  outcome: 'complete' | 'failed' | 'never' = 'complete';
  startError: Error | undefined;
  private readonly seen = new Map<string, number>();

  async startCount(groups: string[], filter: string, fromSec: number, toSec: number): Promise<string> {
    if (this.startError) throw this.startError;
    this.started.push({ groups, filter, fromSec, toSec });
    return `q${this.started.length}`;
  }

  async countResults(queryId: string): Promise<CountQueryState> {
    const n = (this.seen.get(queryId) ?? 0) + 1;
    this.seen.set(queryId, n);
    if (this.outcome === 'never' || n < this.polls) return { status: 'running' };
    if (this.outcome === 'failed') return { status: 'failed', reason: `query ${queryId} is Failed` };
    const query = this.started[Number(queryId.slice(1)) - 1];
    const counts: CountsBySecond = new Map();
    for (const group of query?.groups ?? []) {
      const perSecond = new Map(
        [...(this.events.get(group) ?? [])].filter(
          ([s]) => s >= (query?.fromSec ?? 0) && s <= (query?.toSec ?? 0),
        ),
      );
      if (perSecond.size > 0) counts.set(group, perSecond);
    }
    return { status: 'complete', counts };
  }

  async stop(queryId: string): Promise<void> {
    this.stopped.push(queryId);
  }

  async startQuery(): Promise<never> {
    throw new Error('error-log counts start only count queries');
  }

  async queryResults(): Promise<never> {
    throw new Error('error-log counts read only count results');
  }
}

/** Two apps sampling the same slot: what a batch is made of. */
function both(logs: Logs): Promise<number[]> {
  return Promise.all([
    logs.countMatches('/ecs/a', 'ERROR', T, T + 5_000),
    logs.countMatches('/ecs/b', 'ERROR', T, T + 5_000),
  ]);
}

describe('BatchedLogs', () => {
  let direct: DirectLogs;
  let insights: FakeInsights;
  let now: number;
  let tokens: number;

  function batched(options: Partial<LogBatchOptions> = {}, withInsights = true): BatchedLogs {
    return new BatchedLogs(
      direct,
      () => (withInsights ? insights : undefined),
      { take: async () => void (tokens += 1) },
      { now: () => now },
      pino({ level: 'silent' }),
      { windowMs: 10, pollMs: 1, ...options },
    );
  }

  beforeEach(() => {
    direct = new DirectLogs();
    insights = new FakeInsights();
    now = T;
    tokens = 0;
  });

  it('answers counts asked together with one query over all their log groups, each over exactly its own range', async () => {
    insights.events.set(
      '/ecs/a',
      new Map([
        [S - 1, 7],
        [S, 2],
        [S + 4, 3],
        [S + 5, 9],
      ]),
    );
    insights.events.set('/ecs/b', new Map([[S + 2, 4]]));
    const logs = batched();
    const answers = await Promise.all([
      logs.countMatches('/ecs/a', 'ERROR', T, T + 5_000),
      logs.countMatches('/ecs/b', 'ERROR', T, T + 5_000),
      logs.countMatches('/ecs/c', 'ERROR', T, T + 5_000),
    ]);
    assert.deepEqual(answers, [5, 4, 0], 'the seconds before `from` and at `to` belong to other slots');
    assert.deepEqual(insights.started, [
      { groups: ['/ecs/a', '/ecs/b', '/ecs/c'], filter: '@message like /ERROR/', fromSec: S, toSec: S + 4 },
    ]);
    assert.equal(direct.counts.length, 0);
    assert.equal(tokens, 2, 'one budget token for StartQuery and one for each GetQueryResults');
  });

  it('covers different ranges in one query and gives each its own seconds', async () => {
    insights.events.set(
      '/ecs/a',
      new Map([
        [S, 1],
        [S + 5, 10],
      ]),
    );
    insights.events.set('/ecs/b', new Map([[S + 9, 2]]));
    const logs = batched();
    const answers = await Promise.all([
      logs.countMatches('/ecs/a', 'ERROR', T, T + 5_000),
      logs.countMatches('/ecs/a', 'ERROR', T + 5_000, T + 10_000),
      logs.countMatches('/ecs/b', 'ERROR', T + 5_000, T + 10_000),
    ]);
    assert.deepEqual(answers, [1, 10, 2]);
    assert.equal(insights.started.length, 1);
    assert.deepEqual([insights.started[0]?.fromSec, insights.started[0]?.toSec], [S, S + 9]);
  });

  it('queries each filter on its own', async () => {
    const logs = batched();
    await Promise.all([
      logs.countMatches('/ecs/a', 'ERROR', T, T + 5_000),
      logs.countMatches('/ecs/b', 'ERROR', T, T + 5_000),
      logs.countMatches('/ecs/c', '?ERROR ?FATAL', T, T + 5_000),
      logs.countMatches('/ecs/d', '?ERROR ?FATAL', T, T + 5_000),
    ]);
    assert.deepEqual(insights.started.map((q) => q.filter).sort(), [
      '(@message like /ERROR/ or @message like /FATAL/)',
      '@message like /ERROR/',
    ]);
  });

  it('keeps each query within 50 log groups and the rows one answer holds', async () => {
    const logs = batched();
    await Promise.all(
      Array.from({ length: 52 }, (_, i) => logs.countMatches(`/ecs/app-${i}`, 'ERROR', T, T + 5_000)),
    );
    assert.deepEqual(
      insights.started.map((q) => q.groups.length),
      [50, 2],
    );
    insights.started.length = 0;
    // 40 groups × 300 s would be 12,000 rows: more than one answer holds.
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => logs.countMatches(`/ecs/app-${i}`, 'ERROR', T, T + 300_000)),
    );
    assert.ok(insights.started.length >= 2);
    for (const q of insights.started) assert.ok(q.groups.length * 300 <= 10_000);
  });

  const direct_cases: [string, string, number, number, boolean][] = [
    ['a JSON pattern', '{ $.level = "error" }', T, T + 5_000, true],
    ['a range not on whole seconds', 'ERROR', T + 25, T + 5_025, true],
    ['a range longer than the batching span', 'ERROR', T, T + 301_000, true],
    ['no Insights wired', 'ERROR', T, T + 5_000, false],
    ['a lone log group (one request, not a query and its polls)', 'ERROR', T, T + 5_000, true],
  ];
  for (const [what, pattern, from, to, withInsights] of direct_cases) {
    it(`counts ${what} with FilterLogEvents`, async () => {
      const answer = await batched({}, withInsights).countMatches('/ecs/a', pattern, from, to);
      assert.equal(answer, 1000 + (to - from) / 1000);
      assert.deepEqual(direct.counts, [['/ecs/a', pattern, from, to]]);
      assert.equal(insights.started.length, 0);
    });
  }

  it('falls back to FilterLogEvents for a failed query, and keeps using Insights', async () => {
    insights.outcome = 'failed';
    const logs = batched();
    assert.deepEqual(
      await Promise.all([
        logs.countMatches('/ecs/a', 'ERROR', T, T + 5_000),
        logs.countMatches('/ecs/b', 'ERROR', T, T + 5_000),
      ]),
      [1005, 1005],
    );
    insights.outcome = 'complete';
    assert.deepEqual(await both(logs), [0, 0]);
    assert.equal(insights.started.length, 2);
  });

  it('stops a query that runs too long and counts with FilterLogEvents', async () => {
    insights.outcome = 'never';
    const logs = new BatchedLogs(
      direct,
      () => insights,
      { take: async () => undefined },
      { now: () => (now += 100) },
      pino({ level: 'silent' }),
      { windowMs: 1, pollMs: 1, queryTimeoutMs: 1_000 },
    );
    assert.deepEqual(await both(logs), [1005, 1005]);
    assert.deepEqual(insights.stopped, ['q1']);
  });

  it('after a refusal retrying cannot fix (no permission), counts with FilterLogEvents for a while', async () => {
    insights.startError = Object.assign(new Error('not authorized to perform logs:StartQuery'), {
      name: 'AccessDeniedException',
    });
    const logs = batched({ disableForMs: 60_000 });
    assert.deepEqual(await both(logs), [1005, 1005]);
    insights.startError = undefined;
    assert.deepEqual(await both(logs), [1005, 1005], 'still direct');
    assert.equal(insights.started.length, 0);
    now += 60_000;
    assert.deepEqual(await both(logs), [0, 0], 'Insights again');
    assert.equal(insights.started.length, 1);
  });

  it('does not give up on Insights for a throttled query or a missing log group', async () => {
    for (const name of ['ThrottlingException', 'ResourceNotFoundException']) {
      insights.startError = Object.assign(new Error(name), { name });
      const logs = batched();
      assert.deepEqual(await both(logs), [1005, 1005]);
      insights.startError = undefined;
      assert.deepEqual(await both(logs), [0, 0], `after ${name}`);
    }
  });
});
