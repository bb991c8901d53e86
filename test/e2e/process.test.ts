import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { cleanup, connectTestRedis, freshPrefix } from '../support/redis';
import { runTs, startTs } from '../support/spawn';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function get(url: string): Promise<number> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response.status;
}

describe('npm start (the bot process)', function () {
  this.timeout(60_000);

  it('serves /healthz, /readyz and /metrics and exits 0 on SIGTERM', async () => {
    const prefix = freshPrefix();
    const port = await freePort();
    const child = startTs('src/main.ts', [], {
      DEPLOYBOT_CONFIG: 'deploybot.example.yaml',
      DEPLOYBOT_REDIS_PREFIX: prefix,
      PORT: String(port),
      LOG_LEVEL: 'info',
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const deadline = Date.now() + 30_000;
      while (!output.includes('deploybot started')) {
        if (Date.now() > deadline) throw new Error(`did not start: ${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(await get(`http://127.0.0.1:${port}/healthz`), 200);
      assert.equal(await get(`http://127.0.0.1:${port}/readyz`), 200);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(metrics, /deploybot_step_runs_total/);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.match(output, /shutting down/);
    } finally {
      child.kill('SIGKILL');
      const redis = connectTestRedis();
      await cleanup(redis, prefix);
      await redis.quit();
    }
  });

  it('refuses to start on a bad DEPLOYBOT_ROLE with one line', async () => {
    const result = await runTs('src/main.ts', [], {
      DEPLOYBOT_CONFIG: 'deploybot.example.yaml',
      DEPLOYBOT_ROLE: 'both',
    });
    assert.equal(result.code, 2);
    assert.equal(result.stderr.trim(), 'deploybot: DEPLOYBOT_ROLE must be web, worker or all, not "both"');
  });

  it('refuses to start without a configuration file and says where it looked', async () => {
    const result = await runTs('src/main.ts', [], { DEPLOYBOT_CONFIG: '/nonexistent/deploybot.yaml' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /cannot read configuration \/nonexistent\/deploybot\.yaml: no such file/);
  });
});
