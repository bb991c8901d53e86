import assert from 'node:assert/strict';
import { BatchedMetricData } from '../../../src/engine/batched-metric-data';
import type { MetricData, MetricPoint, MetricQuery } from '../../../src/ports/metric-data';

const T0 = 1_764_000_000_000;
const MINUTE = 60_000;

function cpu(service: string, periodSeconds = 60): MetricQuery {
  return {
    namespace: 'AWS/ECS',
    metricName: 'CPUUtilization',
    dimensions: [
      { name: 'ClusterName', value: 'c' },
      { name: 'ServiceName', value: service },
    ],
    stat: 'Average',
    periodSeconds,
  };
}

/** Answers one datapoint a period over the range, valued by the query's service and the minute. */
class RecordingMetricData implements MetricData {
  readonly calls: { queries: readonly MetricQuery[]; from: number; to: number }[] = [];
  failWith: Error | undefined;

  read(queries: readonly MetricQuery[], from: number, to: number): Promise<MetricPoint[][]> {
    this.calls.push({ queries, from, to });
    if (this.failWith) return Promise.reject(this.failWith);
    return Promise.resolve(
      queries.map((q) => {
        const points: MetricPoint[] = [];
        for (let at = from; at < to; at += q.periodSeconds * 1000) {
          points.push({
            at,
            value: Number(q.dimensions[1]?.value.replace(/\D/g, '') || 0) * 1000 + (at - T0) / MINUTE,
          });
        }
        return points;
      }),
    );
  }
}

describe('BatchedMetricData', () => {
  let inner: RecordingMetricData;
  let batched: BatchedMetricData;

  beforeEach(() => {
    inner = new RecordingMetricData();
    batched = new BatchedMetricData(inner, { windowMs: 5 });
  });

  it('answers reads asked together for one range with one inner read', async () => {
    const [a, b] = await Promise.all([
      batched.read([cpu('s1')], T0, T0 + MINUTE),
      batched.read([cpu('s2'), cpu('s3')], T0, T0 + MINUTE),
    ]);

    assert.equal(inner.calls.length, 1);
    assert.equal(inner.calls[0]?.queries.length, 3);
    assert.deepEqual(a, [[{ at: T0, value: 1000 }]]);
    assert.deepEqual(b, [[{ at: T0, value: 2000 }], [{ at: T0, value: 3000 }]]);
  });

  it('sends a query asked by two reads once, dimension order notwithstanding', async () => {
    const swapped: MetricQuery = { ...cpu('s1'), dimensions: [...cpu('s1').dimensions].reverse() };
    const [a, b] = await Promise.all([
      batched.read([cpu('s1')], T0, T0 + MINUTE),
      batched.read([swapped], T0, T0 + MINUTE),
    ]);

    assert.equal(inner.calls.length, 1);
    assert.equal(inner.calls[0]?.queries.length, 1);
    assert.deepEqual(a, b);
  });

  it('shares one request across ranges whose periods line up, each read keeping its own range', async () => {
    const [baseline, slot] = await Promise.all([
      batched.read([cpu('s1')], T0, T0 + 5 * MINUTE),
      batched.read([cpu('s2')], T0 + 3 * MINUTE, T0 + 6 * MINUTE),
    ]);

    assert.deepEqual(
      inner.calls.map((c) => [c.from, c.to]),
      [[T0, T0 + 6 * MINUTE]],
    );
    assert.deepEqual(
      baseline[0]?.map((p) => p.at),
      [0, 1, 2, 3, 4].map((m) => T0 + m * MINUTE),
    );
    assert.deepEqual(
      slot[0]?.map((p) => p.at),
      [3, 4, 5].map((m) => T0 + m * MINUTE),
    );
  });

  it('keeps ranges apart when a period would not line up with the shared start', async () => {
    // A two-minute period starting a minute later would be bucketed differently.
    await Promise.all([
      batched.read([cpu('s1')], T0, T0 + 4 * MINUTE),
      batched.read([cpu('s2', 120)], T0 + MINUTE, T0 + 3 * MINUTE),
    ]);

    assert.deepEqual(
      inner.calls.map((c) => [c.from, c.to]),
      [
        [T0, T0 + 4 * MINUTE],
        [T0 + MINUTE, T0 + 3 * MINUTE],
      ],
    );
  });

  it('starts a new batch after a flush', async () => {
    await batched.read([cpu('s1')], T0, T0 + MINUTE);
    await batched.read([cpu('s1')], T0, T0 + MINUTE);

    assert.equal(inner.calls.length, 2);
  });

  it('rejects every read of a failed request', async () => {
    inner.failWith = new Error('Throttling');
    const results = await Promise.allSettled([
      batched.read([cpu('s1')], T0, T0 + MINUTE),
      batched.read([cpu('s2')], T0, T0 + MINUTE),
    ]);

    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    assert.equal(inner.calls.length, 1);
  });

  it('answers an empty read at once without asking', async () => {
    assert.deepEqual(await batched.read([], T0, T0 + MINUTE), []);
    assert.deepEqual(await batched.read([cpu('s1')], T0, T0), [[]]);
    assert.equal(inner.calls.length, 0);
  });
});
