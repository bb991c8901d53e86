import assert from 'node:assert/strict';
import type { Sample } from '../../../src/domain/monitoring';
import { addToTotals, compactSamples } from '../../../src/domain/sample-history';
import { trafficOf, trafficPercentile } from '../../../src/domain/traffic';

const sample = (slot: number, latencyMs: number): Sample => ({
  slot,
  from: slot * 60_000,
  to: (slot + 1) * 60_000,
  errorLogs: 0,
  errorLogsPerMinute: 0,
  traffic: trafficOf([
    { status: 200, latencyMs },
    { status: 500, latencyMs },
  ]),
});

describe('sample history: what a long window keeps', () => {
  it('samples beyond the judge’s reach keep their counts but not their histograms', () => {
    const samples = Array.from({ length: 10 }, (_, i) => sample(i, 30));
    const kept = compactSamples(samples, 60_000);
    // The newest ends at 10 min; the judge reaches back five: slots 5..9 keep everything.
    assert.deepEqual(
      kept.map((s) => Object.keys(s.traffic?.latency ?? {}).length > 0),
      [false, false, false, false, false, true, true, true, true, true],
    );
    assert.ok(kept.every((s) => s.traffic?.requests === 2 && s.traffic.errors === 1));
  });

  it('the window’s totals keep every request for the summary', () => {
    const totals = [sample(0, 30), sample(1, 300)].reduce(addToTotals, {});
    assert.equal(totals.traffic?.requests, 4);
    assert.equal(totals.traffic?.errors, 2);
    assert.ok((trafficPercentile(totals.traffic!, 99) ?? 0) >= 300);
    assert.equal(totals.probeTraffic, undefined);
  });
});
