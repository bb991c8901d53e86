import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { ROOT } from '../support/spawn';

/**
 * Runs `body` in a process of its own with the guards installed: mocha keeps
 * its own uncaughtException handlers in this one, so the real thing is only
 * seen in a separate process.
 */
function runGuarded(
  body: string,
): Promise<{ code: number | null; lines: Record<string, unknown>[]; stderr: string }> {
  const script = `
    const { createLogger } = require('./src/logging/logger');
    const { installProcessGuards } = require('./src/process-guards');
    installProcessGuards(createLogger());
    ${body}
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, NODE_NO_WARNINGS: '1', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stderr,
        lines: stdout
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      }),
    );
  });
}

describe('installProcessGuards (in a process of its own)', function () {
  this.timeout(30_000);

  it('logs an uncaught exception and an unhandled rejection as one line each, and keeps running', async () => {
    const result = await runGuarded(`
      setTimeout(() => { throw new TypeError("Cannot read properties of null (reading 'ssl_check')"); }, 0);
      setTimeout(() => { Promise.reject(new Error('listener failed with ' + ['xoxb', '123', 'secret'].join('-'))); }, 10);
      setTimeout(() => { console.log(JSON.stringify({ msg: 'still serving after both' })); }, 100);
    `);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '', 'no raw stack trace on stderr');
    assert.deepEqual(
      result.lines.map((l) => l.msg),
      ['uncaught exception; still serving', 'unhandled rejection; still serving', 'still serving after both'],
    );
    const [exception, rejection] = result.lines;
    assert.equal(exception?.level, 'error');
    assert.match(String((exception?.err as { message?: string }).message), /ssl_check/);
    assert.equal((rejection?.err as { message?: string }).message, 'listener failed with [REDACTED]');
  });

  it('logs a rejection whose reason is not an Error', async () => {
    const result = await runGuarded(`Promise.reject('plain reason');`);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((result.lines[0]?.err as { message?: string }).message, 'plain reason');
  });

  it('logs a rejection whose reason cannot even be turned into text', async () => {
    const result = await runGuarded(`Promise.reject(Object.create(null));`);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.lines.length, 1);
    assert.equal((result.lines[0]?.err as { message?: string }).message, '[object Object]');
  });
});
