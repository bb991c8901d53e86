import assert from 'node:assert/strict';
import sinon from 'sinon';
import { UpdateCoalescer, memoryGate, type UpdateGate } from '../../../src/slack/update-coalescer';

const INTERVAL = 2000;

/** Consecutive differences of a sorted list of times. */
function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - (times[i] as number));
}

describe('UpdateCoalescer', () => {
  let clock: sinon.SinonFakeTimers;
  /** releaseId -> fake times at which send() was called */
  let sends: Map<string, number[]>;
  let errors: unknown[];

  function sentAt(releaseId: string): number[] {
    return sends.get(releaseId) ?? [];
  }

  function recordingSend(durationMs = 0): (releaseId: string) => Promise<void> {
    return async (releaseId) => {
      sends.set(releaseId, [...sentAt(releaseId), Date.now()]);
      if (durationMs > 0) await new Promise((resolve) => setTimeout(resolve, durationMs));
    };
  }

  function coalescer(
    gate: UpdateGate = memoryGate(() => Date.now()),
    send = recordingSend(),
  ): UpdateCoalescer {
    return new UpdateCoalescer(send, gate, INTERVAL, (error) => errors.push(error));
  }

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_764_000_000_000 });
    sends = new Map();
    errors = [];
  });

  afterEach(() => {
    clock.restore();
  });

  it('sends at once when nothing was sent for the release recently', async () => {
    const c = coalescer();
    const start = Date.now();
    c.request('r1');
    await clock.tickAsync(0);
    assert.deepEqual(sentAt('r1'), [start]);
    c.close();
  });

  it('turns 100 requests over 10 s into sends spaced by the interval, plus one after the last request', async () => {
    const c = coalescer();
    const start = Date.now();
    const requests: number[] = [];
    for (let i = 0; i < 100; i++) {
      c.request('r1');
      requests.push(Date.now());
      await clock.tickAsync(100);
    }
    await clock.tickAsync(10_000);

    const times = sentAt('r1');
    for (const gap of gaps(times)) assert.ok(gap >= INTERVAL, `sends ${gap} ms apart: ${times.join(', ')}`);
    // Never two sends within any 2 s window.
    for (const t of times) {
      assert.equal(times.filter((u) => u >= t && u < t + INTERVAL).length, 1, `two sends within 2 s of ${t}`);
    }
    const lastRequest = requests[requests.length - 1] as number;
    const lastSend = times[times.length - 1] as number;
    assert.ok(
      lastSend >= lastRequest,
      `last send ${lastSend - start} before last request ${lastRequest - start}`,
    );
    // Exactly the schedule the gate allows: at 0, 2 s, 4 s, 6 s, 8 s and 10 s.
    assert.deepEqual(
      times.map((t) => t - start),
      [0, 2000, 4000, 6000, 8000, 10_000],
    );
    assert.deepEqual(errors, []);
    c.close();
  });

  it('sends once more (not once per request) for requests that arrive while a send is in flight', async () => {
    const c = coalescer(
      memoryGate(() => Date.now()),
      recordingSend(500),
    );
    const start = Date.now();
    c.request('r1');
    await clock.tickAsync(100);
    // The first send is still running (it takes 500 ms).
    c.request('r1');
    c.request('r1');
    await clock.tickAsync(100);
    c.request('r1');
    await clock.tickAsync(20_000);
    assert.deepEqual(
      sentAt('r1').map((t) => t - start),
      [0, INTERVAL],
    );
    c.close();
  });

  it('sends nothing more when no request arrives after a send', async () => {
    const c = coalescer();
    c.request('r1');
    await clock.tickAsync(30_000);
    assert.equal(sentAt('r1').length, 1);
    assert.equal(clock.countTimers(), 0);
    c.close();
  });

  it('paces each release on its own: a waiting release does not hold back another', async () => {
    const c = coalescer();
    const start = Date.now();
    c.request('r1');
    c.request('r2');
    await clock.tickAsync(500);
    c.request('r1'); // waits until 2000
    await clock.tickAsync(500);
    c.request('r3'); // a fresh release goes out at once, at 1000
    await clock.tickAsync(10_000);
    assert.deepEqual(
      sentAt('r1').map((t) => t - start),
      [0, 2000],
    );
    assert.deepEqual(
      sentAt('r2').map((t) => t - start),
      [0],
    );
    assert.deepEqual(
      sentAt('r3').map((t) => t - start),
      [1000],
    );
    c.close();
  });

  it('retries after the interval, reporting the error, when the gate throws', async () => {
    const failure = new Error('redis down');
    const memory = memoryGate(() => Date.now());
    let calls = 0;
    const gate: UpdateGate = async (id, interval) => {
      calls += 1;
      if (calls === 1) throw failure;
      return memory(id, interval);
    };
    const c = coalescer(gate);
    const start = Date.now();
    c.request('r1');
    await clock.tickAsync(INTERVAL - 1);
    assert.deepEqual(sentAt('r1'), [], 'sent before the retry interval');
    assert.deepEqual(errors, [failure]);
    await clock.tickAsync(1);
    assert.deepEqual(
      sentAt('r1').map((t) => t - start),
      [INTERVAL],
    );
    assert.equal(calls, 2);
    c.close();
  });

  it('keeps retrying every interval while the gate keeps throwing, then sends once it answers', async () => {
    const memory = memoryGate(() => Date.now());
    let failing = true;
    const gate: UpdateGate = async (id, interval) => {
      if (failing) throw new Error('redis down');
      return memory(id, interval);
    };
    const c = coalescer(gate);
    const start = Date.now();
    c.request('r1');
    await clock.tickAsync(3 * INTERVAL + 100);
    assert.equal(errors.length, 4, 'one error per attempt: at 0, 2 s, 4 s and 6 s');
    failing = false;
    await clock.tickAsync(INTERVAL);
    assert.deepEqual(
      sentAt('r1').map((t) => t - start),
      [4 * INTERVAL],
    );
    c.close();
  });

  it('reports a failing send and still sends for later requests', async () => {
    const failure = new Error('chat.update failed');
    let attempts = 0;
    const c = coalescer(
      memoryGate(() => Date.now()),
      async (id) => {
        attempts += 1;
        sends.set(id, [...sentAt(id), Date.now()]);
        if (attempts === 1) throw failure;
      },
    );
    const start = Date.now();
    c.request('r1');
    await clock.tickAsync(100);
    assert.deepEqual(errors, [failure]);
    c.request('r1');
    await clock.tickAsync(10_000);
    assert.deepEqual(
      sentAt('r1').map((t) => t - start),
      [0, INTERVAL],
    );
    c.close();
  });

  it('close() clears waiting timers, so nothing is sent afterwards', async () => {
    const c = coalescer();
    c.request('r1');
    c.request('r2');
    await clock.tickAsync(100);
    c.request('r1');
    c.request('r2');
    await clock.tickAsync(0); // let the gate answer "wait"
    assert.equal(clock.countTimers(), 2);
    c.close();
    assert.equal(clock.countTimers(), 0);
    await clock.tickAsync(30_000);
    assert.equal(sentAt('r1').length, 1);
    assert.equal(sentAt('r2').length, 1);
  });

  it('ignores requests after close()', async () => {
    const c = coalescer();
    c.close();
    c.request('r1');
    await clock.tickAsync(30_000);
    assert.deepEqual(sentAt('r1'), []);
    assert.equal(clock.countTimers(), 0);
  });

  /** A gate that answers `answer` after 50 ms, like a Redis round trip. */
  function slowGate(answer: number): UpdateGate {
    return async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return answer;
    };
  }

  it('does not send when a "send now" gate answer arrives after close()', async () => {
    const c = coalescer(slowGate(0));
    c.request('r1');
    await clock.tickAsync(10);
    c.close();
    await clock.tickAsync(30_000);
    assert.deepEqual(sentAt('r1'), [], 'sent after close()');
  });

  it('leaves no timer behind when a "wait" gate answer arrives after close()', async () => {
    const c = coalescer(slowGate(1000));
    c.request('r1');
    await clock.tickAsync(10);
    c.close();
    await clock.tickAsync(60);
    assert.equal(clock.countTimers(), 0, 'a retry timer was scheduled after close()');
  });
});

describe('memoryGate', () => {
  it('opens once per interval for each release', async () => {
    let now = 1000;
    const gate = memoryGate(() => now);
    assert.equal(await gate('r1', 2000), 0);
    assert.equal(await gate('r1', 2000), 2000);
    now += 500;
    assert.equal(await gate('r1', 2000), 1500);
    assert.equal(await gate('r2', 2000), 0, 'another release is not held back');
    now += 1500;
    assert.equal(await gate('r1', 2000), 0, 'open again once the interval has passed');
    assert.equal(await gate('r1', 2000), 2000);
  });
});
