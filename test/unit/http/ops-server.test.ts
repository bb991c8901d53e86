import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Metrics } from '../../../src/http/metrics';
import { createOpsServer } from '../../../src/http/ops-server';

interface Answer {
  status: number;
  type: string | null;
  allow: string | null;
  body: string;
}

describe('ops server', () => {
  let server: Server;
  let base: string;
  let ready: () => Promise<boolean>;
  const metrics = new Metrics();

  before(async () => {
    server = createOpsServer({ metrics, ready: () => ready() });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    ready = async () => true;
  });

  async function request(path: string, method = 'GET'): Promise<Answer> {
    const response = await fetch(`${base}${path}`, { method, redirect: 'manual' });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      allow: response.headers.get('allow'),
      body: await response.text(),
    };
  }

  it('answers /healthz with 200 ok', async () => {
    const answer = await request('/healthz');
    assert.deepEqual([answer.status, answer.body, answer.type], [200, 'ok\n', 'text/plain']);
  });

  it('answers /healthz even when not ready (the process is up)', async () => {
    ready = async () => false;
    assert.equal((await request('/healthz')).status, 200);
  });

  it('ignores the query string', async () => {
    assert.equal((await request('/healthz?probe=kubelet')).status, 200);
  });

  const READINESS: [string, () => Promise<boolean>, number, string][] = [
    ['200 when ready', async () => true, 200, 'ready\n'],
    ['503 when not ready', async () => false, 503, 'redis unreachable\n'],
    [
      '503 when the readiness check throws',
      async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      },
      503,
      'redis unreachable\n',
    ],
    [
      '503 when the readiness check rejects',
      () => Promise.reject(new Error('timeout')),
      503,
      'redis unreachable\n',
    ],
  ];
  for (const [what, check, status, body] of READINESS) {
    it(`answers /readyz with ${what}`, async () => {
      ready = check;
      const answer = await request('/readyz');
      assert.deepEqual([answer.status, answer.body], [status, body]);
    });
  }

  it('asks readiness afresh on every request', async () => {
    let calls = 0;
    ready = async () => (calls += 1) > 1;
    assert.equal((await request('/readyz')).status, 503);
    assert.equal((await request('/readyz')).status, 200);
    assert.equal(calls, 2);
  });

  it('serves /metrics as Prometheus text with deploybot_ metric names', async () => {
    metrics.releasesFinished.inc({ app: 'backend', environment: 'production', state: 'succeeded' });
    metrics.stepRuns.inc({ step: 'deploy', result: 'wait' });
    metrics.stepRunSeconds.observe({ step: 'deploy' }, 0.3);
    const answer = await request('/metrics');
    assert.equal(answer.status, 200);
    assert.match(answer.type ?? '', /^text\/plain; version=0\.0\.4/);
    for (const line of [
      '# TYPE deploybot_releases_finished_total counter',
      'deploybot_releases_finished_total{app="backend",environment="production",state="succeeded"} 1',
      'deploybot_step_runs_total{step="deploy",result="wait"} 1',
      '# TYPE deploybot_step_run_seconds histogram',
      'deploybot_step_run_seconds_bucket{le="0.5",step="deploy"} 1',
      'deploybot_step_run_seconds_count{step="deploy"} 1',
    ]) {
      assert.ok(answer.body.includes(`${line}\n`), `missing: ${line}`);
    }
    assert.match(answer.body, /^deploybot_process_cpu_seconds_total \d/m, 'default metrics carry the prefix');
    const names = [...answer.body.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1] ?? '');
    assert.ok(names.length > 5);
    assert.deepEqual(
      names.filter((n) => !n.startsWith('deploybot_')),
      [],
    );
  });

  const NOT_FOUND = ['/', '/health', '/healthz/', '/metrics/x', '/slack/events', '/../etc/passwd'];
  for (const path of NOT_FOUND) {
    it(`answers 404 for GET ${path}`, async () => {
      const answer = await request(path);
      assert.deepEqual([answer.status, answer.body], [404, 'not found\n']);
    });
  }

  const METHODS: [string, string][] = [
    ['POST', '/healthz'],
    ['POST', '/metrics'],
    ['PUT', '/readyz'],
    ['DELETE', '/healthz'],
    ['POST', '/nowhere'],
  ];
  for (const [method, path] of METHODS) {
    it(`answers 405 for ${method} ${path}, allowing GET and HEAD`, async () => {
      const answer = await request(path, method);
      assert.deepEqual([answer.status, answer.allow], [405, 'GET, HEAD']);
    });
  }

  it('answers HEAD like GET, without a body', async () => {
    const answer = await request('/healthz', 'HEAD');
    assert.deepEqual([answer.status, answer.body], [200, '']);
  });
});

describe('Metrics', () => {
  it('keeps each instance in its own registry', async () => {
    const a = new Metrics({ defaultMetrics: false });
    const b = new Metrics({ defaultMetrics: false });
    a.stepRuns.inc({ step: 'verify', result: 'completed' });
    assert.match(
      await a.registry.metrics(),
      /deploybot_step_runs_total\{step="verify",result="completed"\} 1/,
    );
    assert.doesNotMatch(await b.registry.metrics(), /step="verify"/);
  });

  it('leaves out process metrics when asked to', async () => {
    const text = await new Metrics({ defaultMetrics: false }).registry.metrics();
    assert.doesNotMatch(text, /process_cpu/);
    assert.match(text, /# TYPE deploybot_releases_finished_total counter/);
  });
});
