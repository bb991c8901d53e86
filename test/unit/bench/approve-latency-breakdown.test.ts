import assert from 'node:assert/strict';
import { breakdown, criticalPath, depths, first, numbered } from '../../../bench/approve-latency-breakdown';
import type { Span } from '../../../bench/approve-latency-trace';

const span = (context: string, label: string, start: number, end = start): Span => ({
  context,
  label,
  start,
  end,
});

/** One click: the listener reads twice, then the step updates ECS. */
function click(offset: number): Span[] {
  return [
    span('aws', 'UpdateService', 30 + offset),
    span('web', 'store.get', 2 + offset, 3 + offset),
    span('web', 'service.approve', 1 + offset, 20 + offset),
    span('web', 'store.get', 5 + offset, 7 + offset),
    span('step', 'runner.run', 21 + offset, 40 + offset),
  ];
}

describe('approve latency breakdown', () => {
  it('numbers a label repeated in one flow by occurrence, not across flows', () => {
    const labels = numbered([
      span('web', 'store.get', 5),
      span('step', 'store.get', 1),
      span('web', 'store.get', 2),
    ]).map((s) => `${s.context} ${s.label}`);
    assert.deepEqual(labels, ['step store.get', 'web store.get', 'web store.get #2']);
  });

  it('puts an enclosing span first and counts how many spans of its flow enclose each', () => {
    const ordered = numbered(click(0));
    assert.deepEqual(
      ordered.map((s) => s.label),
      ['service.approve', 'store.get', 'store.get #2', 'runner.run', 'UpdateService'],
    );
    assert.deepEqual(depths(ordered), [0, 1, 1, 0, 0]);
  });

  it('finds the same span in every click and reports its median start and duration', () => {
    const rows = breakdown([click(0), click(10), click(2)]);
    const second = rows.find((r) => r.context === 'web' && r.label === 'store.get #2');
    assert.deepEqual(second, {
      context: 'web',
      label: 'store.get #2',
      depth: 1,
      n: 3,
      start: 7,
      duration: 2,
      durationP99: 2,
    });
    assert.deepEqual(
      rows.map((r) => r.label),
      ['service.approve', 'store.get', 'store.get #2', 'runner.run', 'UpdateService'],
    );
  });

  it('cuts the path at milestones and leaves out clicks that lack one', () => {
    const clicks = [click(0), click(4), click(0).filter((s) => s.context !== 'step')];
    const path = criticalPath(clicks, [
      { name: 'approval begins', at: first('web', 'service.approve') },
      { name: 'step begins', at: first('step', 'runner.run') },
      { name: 'UpdateService', at: first('aws', 'UpdateService') },
    ]);
    assert.deepEqual(
      path.map((r) => [r.from, r.to, r.n, r.p50]),
      [
        ['click sent', 'approval begins', 3, 1],
        ['approval begins', 'step begins', 2, 20],
        ['step begins', 'UpdateService', 2, 9],
      ],
    );
  });

  it('takes a milestone at the end of a span when asked', () => {
    assert.equal(first('web', 'store.get', 'end')(click(0)), 3);
    assert.equal(first('web', 'nothing')(click(0)), undefined);
  });
});
