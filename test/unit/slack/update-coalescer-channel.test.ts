import assert from 'node:assert/strict';
import sinon from 'sinon';
import { UpdateCoalescer, type UpdateGate } from '../../../src/slack/update-coalescer';

describe('UpdateCoalescer and a channel budget', () => {
  let clock: sinon.SinonFakeTimers;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_764_000_000_000 });
  });

  afterEach(() => {
    clock.restore();
  });

  it('asks the gate with the channel of the request, or of a later one that names it', async () => {
    const asked: (string | undefined)[] = [];
    let open = false;
    const gate: UpdateGate = async (_id, _interval, channel) => {
      asked.push(channel);
      return open ? 0 : 100;
    };
    const coalescer = new UpdateCoalescer(async () => undefined, gate, 50);
    coalescer.request('r1');
    await clock.tickAsync(0);
    coalescer.request('r1', 'C1');
    open = true;
    await clock.tickAsync(100);
    coalescer.close();
    assert.deepEqual(asked, [undefined, 'C1']);
  });

  it('holds a release while the channel is spent and then sends its latest state once', async () => {
    const stored = new Map<string, number>();
    const sent: [string, number][] = [];
    let budget = 0;
    const gate: UpdateGate = async () => (budget > 0 ? (budget--, 0) : 1000);
    const coalescer = new UpdateCoalescer(async (id) => void sent.push([id, stored.get(id) ?? -1]), gate, 50);
    for (let version = 1; version <= 5; version += 1) {
      stored.set('r1', version);
      coalescer.request('r1', 'C1');
      await clock.tickAsync(300);
    }
    assert.deepEqual(sent, [], 'nothing goes while the channel is spent');
    budget = 1;
    await clock.tickAsync(1000);
    coalescer.close();
    assert.deepEqual(sent, [['r1', 5]]);
  });

  it('passes the channel of a flush to the gate', async () => {
    const asked: (string | undefined)[] = [];
    const coalescer = new UpdateCoalescer(
      async () => undefined,
      async (_id, _interval, channel) => {
        asked.push(channel);
        return 0;
      },
      50,
    );
    const flushed = coalescer.flush('r1', 1000, 'C1');
    await clock.tickAsync(0);
    await flushed;
    coalescer.close();
    assert.deepEqual(asked, ['C1']);
  });
});
