import assert from 'node:assert/strict';
import type { Baseline, Sample } from '../../../src/domain/monitoring';
import { latencyBucket } from '../../../src/domain/traffic';
import type { Judgement } from '../../../src/domain/verdict';
import { conclude, progressWords, statusLines } from '../../../src/steps/monitor-report';

const T0 = 1_764_000_000_000;

const healthy: Judgement = { verdict: 'healthy', results: [], source: 'probes' };
const breach: Judgement = {
  verdict: 'breach',
  breach: { rule: 'error-rate', status: 'breach', why: '5xx 33.3% of 12 health probes' },
  results: [{ rule: 'error-rate', status: 'breach', why: '5xx 33.3% of 12 health probes' }],
  source: 'probes',
};
const inconclusive: Judgement = { verdict: 'inconclusive', results: [], source: 'none' };

function sample(overrides: Partial<Sample> = {}): Sample {
  return {
    slot: 0,
    from: T0,
    to: T0 + 5_000,
    errorLogs: 2,
    errorLogsPerMinute: 24,
    probes: { requests: 6, failures: 0, errorRate: 0, p50: 10, p99: 12 },
    probeTraffic: { requests: 6, errors: 0, latency: { [latencyBucket(12)]: 6 } },
    tasks: { running: 2, desired: 2 },
    ...overrides,
  };
}

const baseline: Baseline = {
  requests: 9,
  failures: 0,
  errorRate: 0,
  p99: 11,
  errorLogsPerMinute: 1.5,
  at: T0 - 60_000,
};

function lines(s: Sample, b: Baseline | undefined, judgement: Judgement = healthy): string[] {
  return statusLines({
    taken: 3,
    total: 6,
    sample: s,
    samples: [s],
    minutes: [],
    baseline: b,
    judgement,
    proposed: false,
    metrics: false,
    probesPerSample: 6,
    unread: [],
  });
}

describe('monitoring in words', () => {
  describe('the progress the message and the thread share', () => {
    it('says the sample count and the verdict so far', () => {
      assert.equal(progressWords(12, 24, healthy, false), 'sample 12/24 — healthy so far');
      assert.equal(
        progressWords(1, 24, inconclusive, false),
        'sample 1/24 — inconclusive so far (too little traffic to judge)',
      );
    });

    it('says which rule fired, and that a rollback was proposed only once it was', () => {
      assert.equal(progressWords(3, 6, breach, false), 'sample 3/6 — error-rate fired');
      assert.equal(progressWords(4, 6, breach, true), 'sample 4/6 — error-rate fired — rollback proposed');
    });

    it('heads the status post with the same words', () => {
      const post = statusLines({
        taken: 4,
        total: 6,
        sample: sample(),
        samples: [sample()],
        minutes: [],
        baseline,
        judgement: breach,
        proposed: true,
        metrics: false,
        probesPerSample: 6,
        unread: [],
      });
      assert.equal(post[0], `Monitoring: ${progressWords(4, 6, breach, true)}`);
    });
  });

  describe('a status post without a baseline (a rollback measures none)', () => {
    it('says "no baseline" in words, never "n/a" as if it were a figure', () => {
      const post = lines(
        sample({ traffic: { requests: 200, errors: 2, latency: { [latencyBucket(30)]: 200 } } }),
        undefined,
      ).join('\n');
      assert.match(post, /^error logs 2 in the last 5s \(no baseline\)$/m);
      assert.match(post, /^health probes: 0\/6 failed, p99 12ms \(no baseline\)$/m);
      assert.match(post, /requests in the last 5s: 200 requests, 5xx 1\.00%, p99 \d+ms \(no baseline\)$/m);
      assert.doesNotMatch(post, /n\/a/);
      assert.doesNotMatch(post, /baseline no baseline/);
    });

    it('names the baseline figures when there is one', () => {
      const post = lines(sample(), baseline).join('\n');
      assert.match(post, /^error logs 2 in the last 5s \(baseline 1\.5\/min\)$/m);
      assert.match(post, /^health probes: 0\/6 failed, p99 12ms \(baseline p99 11ms\)$/m);
    });

    it('says a figure nothing measured is not measured, and a slot without requests has none', () => {
      const post = lines(
        sample({
          probes: { requests: 6, failures: 6, errorRate: 1 },
          traffic: { requests: 0, errors: 0, latency: {} },
        }),
        { ...baseline, p99: undefined } as unknown as Baseline,
      ).join('\n');
      assert.match(post, /^health probes: 6\/6 failed, p99 not measured \(baseline p99 not measured\)$/m);
      assert.match(post, /requests in the last 5s: no requests$/m);
      assert.doesNotMatch(post, /n\/a/);
    });
  });

  describe('the summary when the window ends', () => {
    it('without a baseline says so instead of "n/a vs baseline"', () => {
      const s = sample();
      const done = conclude([s], { probeTraffic: s.probeTraffic }, undefined, 30_000, healthy);
      assert.equal(done.kind, 'done');
      if (done.kind !== 'done') return;
      assert.match(
        done.summary,
        /^30s watched, 1 samples: 5xx 0\.00% of 6 health probes, p99 \d+ms \(no baseline\)$/,
      );
      assert.equal(
        done.details?.[0],
        'before: no baseline (measured before a release deploys; a rollback takes none)',
      );
      assert.doesNotMatch([done.summary, ...(done.details ?? [])].join('\n'), /n\/a/);
    });

    it('with nothing measured says so instead of "5xx n/a of 0"', () => {
      const done = conclude(
        [sample({ probes: undefined, probeTraffic: undefined })],
        {},
        baseline,
        30_000,
        inconclusive,
      );
      assert.equal(done.kind, 'done');
      if (done.kind !== 'done') return;
      assert.match(
        done.summary,
        /^30s watched, 1 samples: no health probes measured — inconclusive: too little traffic to judge$/,
      );
    });

    it('against a baseline keeps the comparison', () => {
      const s = sample();
      const done = conclude([s], { probeTraffic: s.probeTraffic }, baseline, 30_000, healthy);
      assert.equal(done.kind, 'done');
      if (done.kind !== 'done') return;
      assert.match(done.summary, /p99 \d+ms \([+±]\d+% vs baseline, (within|NOT within) 10%\)$/);
      assert.match(done.details?.[0] ?? '', /^before: p99 11ms, 5xx 0\.00%, 1\.5 error logs\/min$/);
    });
  });
});
