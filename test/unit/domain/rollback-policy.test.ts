import assert from 'node:assert/strict';
import { probeStats, type Baseline, type ProbeStats, type Sample } from '../../../src/domain/monitoring';
import { RULES, decide, type PolicyThresholds, type RuleName } from '../../../src/domain/rollback-policy';

/**
 * The configuration defaults (src/config/schema.ts rollbackSchema), plus CPU and
 * memory limits, which have no default (without them saturation is not judged).
 */
const T: PolicyThresholds = {
  errorRate: 0.05,
  latencyFactor: 2,
  errorLogFactor: 3,
  errorLogFloorPerMinute: 5,
  consecutive: 2,
  cpu: 80,
  memory: 90,
};

/** Error-log limit with this baseline: max(5/min × 3, floor 5) = 15/min. */
const BASELINE: Baseline = {
  requests: 20,
  failures: 0,
  errorRate: 0,
  p50: 80,
  p95: 150,
  p99: 200,
  errorLogsPerMinute: 5,
  at: 0,
};

const HEALTHY_PROBES: ProbeStats = { requests: 20, failures: 0, errorRate: 0, p50: 90, p95: 160, p99: 210 };

type Patch = Partial<Omit<Sample, 'slot' | 'probes'>> & { probes?: Partial<ProbeStats> | null };

/** A healthy sample for `slot`, with `patch` applied; `probes: null` drops the probes (unmeasured). */
function sample(slot: number, patch: Patch = {}): Sample {
  const { probes, ...rest } = patch;
  const s: Sample = {
    slot,
    from: slot * 60_000,
    to: (slot + 1) * 60_000,
    errorLogs: 0,
    errorLogsPerMinute: 0,
    tasks: { running: 3, desired: 3 },
    cpu: { percent: 30, service: 'backend-service' },
    memory: { percent: 45, service: 'backend-service' },
    ...rest,
  };
  if (probes !== null) s.probes = { ...HEALTHY_PROBES, ...probes };
  return s;
}

/** Samples numbered by slot in the given order. */
const slots = (...patches: Patch[]): Sample[] => patches.map((p, i) => sample(i, p));

const withoutProbes: Patch = { probes: null };
const withoutTasks: Patch = { tasks: undefined };
const withoutUtilization: Patch = { cpu: undefined, memory: undefined };
const good: Patch = {};

/** One bad sample per rule, bad for that rule alone where the data allows it. */
const BAD: Record<RuleName, Patch> = {
  health: {
    probes: { requests: 5, failures: 5, errorRate: 1, p50: undefined, p95: undefined, p99: undefined },
  },
  'error-rate': { probes: { requests: 50, failures: 4, errorRate: 0.08 } },
  latency: { probes: { p99: 450 } },
  tasks: { tasks: { running: 2, desired: 3 } },
  'error-logs': { errorLogs: 300, errorLogsPerMinute: 30 },
  saturation: { cpu: { percent: 95, service: 'worker-service' } },
};

const t = (patch: Partial<PolicyThresholds>): PolicyThresholds => ({ ...T, ...patch });

describe('rollback policy', () => {
  describe('RULES', () => {
    it('are judged in the order health, error-rate, latency, tasks, error-logs, saturation', () => {
      assert.deepEqual(
        RULES.map((r) => r.name),
        ['health', 'error-rate', 'latency', 'tasks', 'error-logs', 'saturation'],
      );
    });
  });

  describe('decide: each trigger alone', () => {
    it('does not fire on healthy samples', () => {
      assert.deepEqual(decide(slots(good, good, good), BASELINE, T), { breach: false });
    });

    it('does not fire without samples', () => {
      assert.deepEqual(decide([], BASELINE, T), { breach: false });
    });

    const cases: [RuleName, string][] = [
      ['health', '5/5 health probes failed in 2 consecutive samples'],
      ['error-rate', '5xx rate 8.0% > 5.0% in 2 consecutive samples'],
      ['latency', 'p99 450ms > 2x baseline 200ms in 2 consecutive samples'],
      ['tasks', '2/3 tasks running in 2 consecutive samples'],
      ['error-logs', '30.0 error logs/min > 15.0/min in 2 consecutive samples'],
      ['saturation', 'cpu 95.0% (worker-service) > 80% in 2 consecutive samples'],
    ];
    for (const [rule, summary] of cases) {
      it(`${rule} fires with "${summary}"`, () => {
        assert.deepEqual(decide(slots(good, BAD[rule], BAD[rule]), BASELINE, T), {
          breach: true,
          rule,
          summary,
        });
      });
    }

    it('quotes the numbers of the latest sample of the streak', () => {
      const v = decide(
        slots({ probes: { errorRate: 0.06 } }, { probes: { errorRate: 0.08 } }),
        BASELINE,
        t({ consecutive: 2 }),
      );
      assert.deepEqual(v, {
        breach: true,
        rule: 'error-rate',
        summary: '5xx rate 8.0% > 5.0% in 2 consecutive samples',
      });
      const w = decide(slots({ probes: { errorRate: 0.08 } }, { probes: { errorRate: 0.06 } }), BASELINE, T);
      assert.deepEqual(w, {
        breach: true,
        rule: 'error-rate',
        summary: '5xx rate 6.0% > 5.0% in 2 consecutive samples',
      });
    });

    it('quotes the configured factor and consecutive count', () => {
      const v = decide(
        slots({ probes: { p99: 301 } }, { probes: { p99: 301 } }, { probes: { p99: 301 } }),
        BASELINE,
        {
          ...T,
          latencyFactor: 1.5,
          consecutive: 3,
        },
      );
      assert.deepEqual(v, {
        breach: true,
        rule: 'latency',
        summary: 'p99 301ms > 1.5x baseline 200ms in 3 consecutive samples',
      });
    });

    it('rounds latencies to whole milliseconds in the summary', () => {
      const v = decide(
        slots({ probes: { p99: 450.6 } }, { probes: { p99: 450.6 } }),
        { ...BASELINE, p99: 199.6 },
        T,
      );
      assert.deepEqual(v, {
        breach: true,
        rule: 'latency',
        summary: 'p99 451ms > 2x baseline 200ms in 2 consecutive samples',
      });
    });
  });

  describe('decide: consecutive samples', () => {
    const B = 'bad';
    const G = 'good';
    type Step = typeof B | typeof G;
    const patterns: [number, Step[], boolean][] = [
      [2, [B], false],
      [2, [B, G], false],
      [2, [G, B], false],
      [2, [G, B, B], true],
      [2, [B, B], true],
      [2, [B, G, B], false],
      [2, [B, B, G], false],
      [2, [B, B, B, G, B], false],
      [1, [B], true],
      [1, [G, B], true],
      [1, [B, G], false],
      [3, [B, B], false],
      [3, [G, B, B, B], true],
      [3, [B, B, G, B, B], false],
      [3, [B, B, B, G], false],
    ];
    for (const rule of RULES.map((r) => r.name)) {
      for (const [consecutive, steps, fires] of patterns) {
        it(`${rule} with consecutive=${consecutive}: ${steps.join(', ')} → ${fires ? 'fires' : 'no breach'}`, () => {
          const v = decide(
            slots(...steps.map((s) => (s === B ? BAD[rule] : good))),
            BASELINE,
            t({ consecutive }),
          );
          if (fires) {
            assert.equal(v.breach, true);
            assert.equal(v.breach && v.rule, rule);
            assert.match(v.breach ? v.summary : '', new RegExp(` in ${consecutive} consecutive samples$`));
          } else {
            assert.deepEqual(v, { breach: false });
          }
        });
      }
    }
  });

  describe('decide: thresholds at the edges', () => {
    const cases: [string, Patch, Baseline | undefined, RuleName | undefined][] = [
      ['error rate exactly 5%', { probes: { errorRate: 0.05 } }, BASELINE, undefined],
      ['error rate 5.01%', { probes: { errorRate: 0.0501 } }, BASELINE, 'error-rate'],
      ['error rate 4.99%', { probes: { errorRate: 0.0499 } }, BASELINE, undefined],
      ['p99 exactly 2x baseline', { probes: { p99: 400 } }, BASELINE, undefined],
      ['p99 just above 2x baseline', { probes: { p99: 400.01 } }, BASELINE, 'latency'],
      ['p99 1ms above 2x baseline', { probes: { p99: 401 } }, BASELINE, 'latency'],
      ['running == desired', { tasks: { running: 3, desired: 3 } }, BASELINE, undefined],
      ['one task fewer than desired', { tasks: { running: 2, desired: 3 } }, BASELINE, 'tasks'],
      ['no task running', { tasks: { running: 0, desired: 3 } }, BASELINE, 'tasks'],
      ['more running than desired (rollover)', { tasks: { running: 4, desired: 3 } }, BASELINE, undefined],
      ['nothing desired, nothing running', { tasks: { running: 0, desired: 0 } }, BASELINE, undefined],
      ['error logs exactly 3x baseline', { errorLogsPerMinute: 15 }, BASELINE, undefined],
      ['error logs just above 3x baseline', { errorLogsPerMinute: 15.01 }, BASELINE, 'error-logs'],
      // Baseline 1/min × 3 = 3/min is under the floor of 5/min: the floor is the limit.
      ['error logs above 3x baseline but at the floor', { errorLogsPerMinute: 5 }, low(1), undefined],
      ['error logs just above the floor', { errorLogsPerMinute: 5.01 }, low(1), 'error-logs'],
      ['error logs at the floor without a baseline', { errorLogsPerMinute: 5 }, undefined, undefined],
      [
        'error logs above the floor without a baseline',
        { errorLogsPerMinute: 5.01 },
        undefined,
        'error-logs',
      ],
      ['error logs at the floor with a silent baseline', { errorLogsPerMinute: 5 }, low(0), undefined],
    ];
    for (const [label, patch, baseline, rule] of cases) {
      it(`${label} → ${rule ?? 'no breach'}`, () => {
        const v = decide(slots(patch, patch), baseline, T);
        assert.deepEqual(v.breach ? v.rule : undefined, rule);
      });
    }

    it('an error rate of exactly 5% measured by probeStats (1 of 20 answered 500) does not fire', () => {
      const measured = probeStats([
        { status: 500, latencyMs: 50 },
        ...Array(19).fill({ status: 200, latencyMs: 50 }),
      ]);
      assert.equal(measured.errorRate, 0.05);
      const s = (slot: number): Sample => ({ ...sample(slot), probes: measured });
      assert.deepEqual(decide([s(0), s(1)], BASELINE, T), { breach: false });
    });

    it('quotes the floor when the floor is the limit', () => {
      const v = decide(slots({ errorLogsPerMinute: 7.5 }, { errorLogsPerMinute: 7.5 }), low(1), T);
      assert.deepEqual(v, {
        breach: true,
        rule: 'error-logs',
        summary: '7.5 error logs/min > 5.0/min in 2 consecutive samples',
      });
    });

    function low(errorLogsPerMinute: number): Baseline {
      return { ...BASELINE, errorLogsPerMinute };
    }
  });

  describe('decide: missing data', () => {
    const errorRateBad = BAD['error-rate'];
    const cases: [string, Patch[], RuleName | undefined][] = [
      [
        'bad, no probes, bad keeps the error-rate streak',
        [errorRateBad, withoutProbes, errorRateBad],
        'error-rate',
      ],
      [
        'bad, no probes, no probes, bad keeps the streak',
        [errorRateBad, withoutProbes, withoutProbes, errorRateBad],
        'error-rate',
      ],
      [
        'bad, good, no probes, bad: the good sample broke it',
        [errorRateBad, good, withoutProbes, errorRateBad],
        undefined,
      ],
      [
        'good, bad, then no probes: the streak has one bad sample',
        [good, errorRateBad, withoutProbes, withoutProbes],
        undefined,
      ],
      [
        'probes only in one slot: never two measured samples',
        [withoutProbes, errorRateBad, withoutProbes],
        undefined,
      ],
      ['bad, no probes, bad keeps the latency streak', [BAD.latency, withoutProbes, BAD.latency], 'latency'],
      ['bad, no probes, bad keeps the health streak', [BAD.health, withoutProbes, BAD.health], 'health'],
      ['bad, no tasks, bad keeps the tasks streak', [BAD.tasks, withoutTasks, BAD.tasks], 'tasks'],
      [
        'bad, good, no tasks, bad: the good sample broke it',
        [BAD.tasks, good, withoutTasks, BAD.tasks],
        undefined,
      ],
      [
        'zero probes sent is unmeasured for health and error rate',
        [errorRateBad, { probes: { requests: 0, failures: 0, errorRate: 0 } }, errorRateBad],
        'error-rate',
      ],
      [
        'a sample without p99 is unmeasured for latency',
        [BAD.latency, { probes: { p99: undefined } }, BAD.latency],
        'latency',
      ],
      [
        'error logs are measured in every sample, with or without probes',
        [BAD['error-logs'], { ...withoutProbes, ...withoutTasks, ...BAD['error-logs'] }],
        'error-logs',
      ],
      [
        'a log-only sample that is quiet breaks the error-logs streak',
        [BAD['error-logs'], { ...withoutProbes, ...withoutTasks }, BAD['error-logs']],
        undefined,
      ],
    ];
    for (const [label, patches, rule] of cases) {
      it(`${label} → ${rule ?? 'no breach'}`, () => {
        const v = decide(slots(...patches), BASELINE, T);
        assert.deepEqual(v.breach ? v.rule : undefined, rule);
      });
    }

    it('without a baseline the latency rule never fires', () => {
      const huge: Patch = { probes: { p99: 60_000 } };
      assert.deepEqual(decide(slots(huge, huge, huge), undefined, T), { breach: false });
    });

    it('without a baseline p99 the latency rule never fires', () => {
      const huge: Patch = { probes: { p99: 60_000 } };
      const { p99: _p99, ...noP99 } = BASELINE;
      assert.deepEqual(decide(slots(huge, huge, huge), noP99, T), { breach: false });
    });

    it('without a baseline the error-rate rule still fires', () => {
      assert.deepEqual(decide(slots(BAD['error-rate'], BAD['error-rate']), undefined, T), {
        breach: true,
        rule: 'error-rate',
        summary: '5xx rate 8.0% > 5.0% in 2 consecutive samples',
      });
    });

    it('without a baseline, slow and erroring probes report the error rate', () => {
      const both: Patch = { probes: { requests: 50, failures: 4, errorRate: 0.08, p99: 60_000 } };
      const v = decide(slots(both, both), undefined, T);
      assert.deepEqual(v.breach && v.rule, 'error-rate');
    });

    const healthCases: [number, number, RuleName | undefined][] = [
      [5, 5, 'health'],
      [5, 4, 'error-rate'],
      [5, 1, 'error-rate'],
      [5, 0, undefined],
      [1, 1, 'health'],
      [20, 19, 'error-rate'],
    ];
    for (const [requests, failures, rule] of healthCases) {
      it(`health fires only when all probes failed: ${failures}/${requests} → ${rule ?? 'no breach'}`, () => {
        const p: Patch = { probes: { requests, failures, errorRate: failures / requests } };
        const v = decide(slots(p, p), BASELINE, T);
        assert.deepEqual(v.breach ? v.rule : undefined, rule);
      });
    }
  });

  describe('decide: several rules at once', () => {
    const cases: [string, Patch, RuleName][] = [
      [
        'everything down: all probes failed, tasks crashing, error logs',
        { ...BAD.health, ...BAD.tasks, ...BAD['error-logs'] },
        'health',
      ],
      [
        'errors, slow, tasks crashing, error logs',
        {
          probes: { requests: 50, failures: 4, errorRate: 0.08, p99: 450 },
          ...BAD.tasks,
          ...BAD['error-logs'],
        },
        'error-rate',
      ],
      ['slow and tasks crashing', { ...BAD.latency, ...BAD.tasks }, 'latency'],
      ['tasks crashing and error logs', { ...BAD.tasks, ...BAD['error-logs'] }, 'tasks'],
    ];
    for (const [label, patch, rule] of cases) {
      it(`${label} → the first in RULES order: ${rule}`, () => {
        const v = decide(slots(patch, patch), BASELINE, T);
        assert.deepEqual(v.breach && v.rule, rule);
      });
    }

    it('an earlier rule without a full streak does not mask a later one', () => {
      const v = decide(slots(BAD.tasks, { ...BAD.tasks, ...BAD['error-rate'] }), BASELINE, T);
      assert.deepEqual(v, {
        breach: true,
        rule: 'tasks',
        summary: '2/3 tasks running in 2 consecutive samples',
      });
    });

    it('saturation comes last: crashing tasks on a saturated service report the tasks', () => {
      const v = decide(
        slots({ ...BAD.tasks, ...BAD.saturation }, { ...BAD.tasks, ...BAD.saturation }),
        BASELINE,
        T,
      );
      assert.deepEqual(v.breach && v.rule, 'tasks');
    });
  });

  describe('decide: saturation (CPU/memory of the busiest service)', () => {
    const cpu = (percent: number, service = 'backend-service'): Patch => ({ cpu: { percent, service } });
    const memory = (percent: number, service = 'backend-service'): Patch => ({
      memory: { percent, service },
    });
    const noLimits = t({ cpu: undefined, memory: undefined });
    const cases: [string, Patch[], PolicyThresholds, string | undefined][] = [
      ['cpu exactly at the limit', [cpu(80), cpu(80)], T, undefined],
      ['cpu just above the limit', [cpu(80.01), cpu(80.01)], T, 'cpu 80.0% (backend-service) > 80%'],
      ['memory exactly at the limit', [memory(90), memory(90)], T, undefined],
      ['memory above the limit', [memory(96.25), memory(96.25)], T, 'memory 96.3% (backend-service) > 90%'],
      [
        'both above: both quoted, each with its service',
        [
          { ...cpu(95, 'worker-service'), ...memory(97) },
          { ...cpu(95, 'worker-service'), ...memory(97) },
        ],
        T,
        'cpu 95.0% (worker-service) > 80%, memory 97.0% (backend-service) > 90%',
      ],
      [
        'cpu high, memory normal: only cpu is quoted',
        [cpu(85), cpu(85)],
        T,
        'cpu 85.0% (backend-service) > 80%',
      ],
      [
        'cpu over, then memory over: either figure keeps the streak',
        [cpu(85), memory(95)],
        T,
        'memory 95.0% (backend-service) > 90%',
      ],
      ['no limits configured: never judged', [cpu(100), cpu(100)], noLimits, undefined],
      [
        'only a memory limit: a hot cpu is not judged',
        [cpu(100), cpu(100)],
        t({ cpu: undefined }),
        undefined,
      ],
      [
        'only a cpu limit: it alone is judged',
        [cpu(99), cpu(99)],
        t({ memory: undefined }),
        'cpu 99.0% (backend-service) > 80%',
      ],
      [
        'bad, unmeasured, bad keeps the streak',
        [cpu(90), withoutUtilization, cpu(90)],
        T,
        'cpu 90.0% (backend-service) > 80%',
      ],
      ['bad, normal, bad: the normal sample broke it', [cpu(90), good, cpu(90)], T, undefined],
      [
        'only memory measured while only cpu has a limit: unmeasured, the streak holds',
        [cpu(90), { cpu: undefined }, cpu(90)],
        t({ memory: undefined }),
        'cpu 90.0% (backend-service) > 80%',
      ],
      [
        'never measured: never fires',
        [withoutUtilization, withoutUtilization, withoutUtilization],
        T,
        undefined,
      ],
    ];
    for (const [label, patches, thresholds, why] of cases) {
      it(`${label} → ${why ?? 'no breach'}`, () => {
        const v = decide(slots(...patches), BASELINE, thresholds);
        assert.deepEqual(
          v,
          why === undefined
            ? { breach: false }
            : {
                breach: true,
                rule: 'saturation',
                summary: `${why} in ${thresholds.consecutive} consecutive samples`,
              },
        );
      });
    }
  });

  describe('decide: sample order', () => {
    const bad = BAD['error-rate'];
    it('sorts by slot: given bad(1), bad(2), good(0) it fires', () => {
      const samples = [sample(1, bad), sample(2, bad), sample(0)];
      const v = decide(samples, BASELINE, T);
      assert.deepEqual(v.breach && v.rule, 'error-rate');
    });

    it('sorts by slot: given good(2), bad(0), bad(1) it does not fire', () => {
      assert.deepEqual(decide([sample(2), sample(0, bad), sample(1, bad)], BASELINE, T), { breach: false });
    });

    it('quotes the sample of the highest slot, not the last given', () => {
      const samples = [
        sample(1, { probes: { errorRate: 0.08 } }),
        sample(0, { probes: { errorRate: 0.06 } }),
      ];
      assert.deepEqual(decide(samples, BASELINE, T), {
        breach: true,
        rule: 'error-rate',
        summary: '5xx rate 8.0% > 5.0% in 2 consecutive samples',
      });
    });

    it('leaves the given array in its order', () => {
      const samples = [sample(2), sample(0, bad), sample(1, bad)];
      decide(samples, BASELINE, T);
      assert.deepEqual(
        samples.map((s) => s.slot),
        [2, 0, 1],
      );
    });
  });
});
