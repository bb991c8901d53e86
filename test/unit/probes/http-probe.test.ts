import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpProbe } from '../../../src/probes/http-probe';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** Routes of the test server; a path missing here is never answered. */
const ROUTES: Record<string, Handler> = {
  '/ok': (_q, r) => void r.writeHead(200, { 'content-type': 'text/plain' }).end('ok'),
  '/no-content': (_q, r) => void r.writeHead(204).end(),
  '/unavailable': (_q, r) => void r.writeHead(503).end('down'),
  '/error': (_q, r) => void r.writeHead(500).end('boom'),
  '/redirect': (_q, r) => void r.writeHead(302, { location: '/ok' }).end(),
  '/moved': (_q, r) => void r.writeHead(301, { location: 'http://127.0.0.1:1/elsewhere' }).end(),
  '/big': (_q, r) => void r.writeHead(200).end('x'.repeat(1_000_000)),
  '/user-agent': (q, r) => void r.writeHead(q.headers['user-agent'] === 'deploybot-probe' ? 200 : 400).end(),
  '/headers-then-silence': (_q, r) => void r.writeHead(200).write('partial'),
};

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('HttpProbe', () => {
  let server: Server;
  let base: string;
  const hits: string[] = [];

  before(async () => {
    server = createServer((request, response) => {
      hits.push(request.url ?? '');
      ROUTES[request.url ?? '']?.(request, response);
    });
    base = `http://127.0.0.1:${await listen(server)}`;
  });

  after(() => close(server));

  beforeEach(() => {
    hits.length = 0;
  });

  const STATUSES: [string, string, number][] = [
    ['a healthy endpoint', '/ok', 200],
    ['an endpoint without content', '/no-content', 204],
    ['an unavailable endpoint', '/unavailable', 503],
    ['a failing endpoint', '/error', 500],
    ['an endpoint with a large body', '/big', 200],
    ['the deploybot-probe user agent', '/user-agent', 200],
  ];
  for (const [what, path, status] of STATUSES) {
    it(`answers ${status} for ${what}`, async () => {
      const result = await new HttpProbe().get(`${base}${path}`, 2_000);
      assert.deepEqual({ ...result, latencyMs: 0 }, { url: `${base}${path}`, status, latencyMs: 0 });
      assert.ok(result.latencyMs >= 0);
    });
  }

  for (const [path, status] of [
    ['/redirect', 302],
    ['/moved', 301],
  ] as const) {
    it(`answers ${status} for a redirect and does not follow it`, async () => {
      const result = await new HttpProbe().get(`${base}${path}`, 2_000);
      assert.equal(result.status, status);
      assert.equal(result.error, undefined);
      assert.deepEqual(hits, [path]);
    });
  }

  it('answers status 0 and names the timeout when the server never answers', async () => {
    const started = Date.now();
    const result = await new HttpProbe().get(`${base}/silence`, 150);
    assert.equal(result.status, 0);
    assert.equal(result.error, 'no answer within 150ms');
    assert.ok(Date.now() - started < 2_000, 'gave up near the timeout');
  });

  it('answers status 0 when the body never finishes within the timeout', async () => {
    const result = await new HttpProbe().get(`${base}/headers-then-silence`, 150);
    assert.equal(result.status, 0);
    assert.equal(result.error, 'no answer within 150ms');
  });

  it('answers status 0 with the reason when the connection is refused', async () => {
    const closed = createServer();
    const port = await listen(closed);
    await close(closed);
    const result = await new HttpProbe().get(`http://127.0.0.1:${port}/health`, 2_000);
    assert.equal(result.status, 0);
    assert.equal(result.error, 'ECONNREFUSED');
    assert.equal(result.url, `http://127.0.0.1:${port}/health`);
  });

  it('answers status 0 with the reason for a URL fetch cannot use', async () => {
    const result = await new HttpProbe().get('not a url', 1_000);
    assert.equal(result.status, 0);
    assert.ok(result.error && result.error.length > 0);
  });

  it('measures latency with the given clock', async () => {
    const times = [1_000, 1_042];
    const probe = new HttpProbe(() => times.shift() ?? 0);
    const result = await probe.get(`${base}/ok`, 2_000);
    assert.equal(result.latencyMs, 42);
  });

  it('measures latency with the given clock on failure too', async () => {
    const times = [5_000, 5_150];
    const probe = new HttpProbe(() => times.shift() ?? 0);
    const result = await probe.get(`${base}/silence`, 100);
    assert.equal(result.latencyMs, 150);
  });
});
