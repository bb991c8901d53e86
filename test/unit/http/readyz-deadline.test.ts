import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Metrics } from '../../../src/http/metrics';
import { createOpsServer, READY_TIMEOUT_MS } from '../../../src/http/ops-server';

describe('/readyz deadline', () => {
  let server: Server;
  let base: string;
  let ready: () => Promise<boolean>;
  const pending: (() => void)[] = [];

  before(async () => {
    server = createOpsServer({
      metrics: new Metrics({ defaultMetrics: false }),
      ready: () => ready(),
      readyTimeoutMs: 100,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const release of pending) release();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** A readiness check that answers only when the test lets it, as a ping to a stopped Redis. */
  function hanging(answer: boolean): () => Promise<boolean> {
    return () => new Promise<boolean>((resolve) => pending.push(() => resolve(answer)));
  }

  async function readyz(): Promise<{ status: number; body: string }> {
    // Without the deadline the server would never answer; the abort turns that into a clear failure.
    const response = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5000) });
    return { status: response.status, body: await response.text() };
  }

  it('answers 503 when the check does not answer in time (Redis stopped, socket open)', async () => {
    ready = hanging(true);
    assert.deepEqual(await readyz(), { status: 503, body: 'redis unreachable\n' });
  });

  it('answers 200 again as soon as the check answers in time', async () => {
    ready = hanging(true);
    assert.equal((await readyz()).status, 503);
    ready = async () => true;
    assert.equal((await readyz()).status, 200);
  });

  it('answers 503 when the check throws before it returns a promise', async () => {
    ready = () => {
      throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
    };
    assert.equal((await readyz()).status, 503);
  });

  it('gives a probe its answer well within its own one-second timeout by default', () => {
    assert.ok(READY_TIMEOUT_MS <= 500, `READY_TIMEOUT_MS is ${READY_TIMEOUT_MS}`);
  });
});
