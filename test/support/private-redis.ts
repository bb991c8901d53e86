import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';

/**
 * A redis-server of the test's own on a free port, for outage tests: it can be
 * stopped and started again on the same port while the shared Redis on 6379,
 * which every other test uses, stays untouched. Keeps nothing on disk, so a
 * killed server comes back empty; `stop('pause')` keeps its data.
 */
export class PrivateRedis {
  private child?: ChildProcess;
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        '/tmp',
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    await waitUntil(() => answers(this.port), 10_000, `redis-server on port ${this.port} did not answer`);
  }

  /**
   * Stops the server abruptly (SIGKILL: the process is gone and the port
   * refuses connections), as a crashed or partitioned Redis would look. With
   * `pause` it freezes instead (SIGSTOP): connections stay open and commands
   * hang — the other face of an outage. `resume` undoes either.
   */
  async stop(mode: 'kill' | 'pause' = 'kill'): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (mode === 'pause') {
      child.kill('SIGSTOP');
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  async resume(): Promise<void> {
    if (this.child) {
      this.child.kill('SIGCONT');
      return;
    }
    await this.start();
  }

  /** Ends the server for good; safe to call twice. */
  async close(): Promise<void> {
    this.child?.kill('SIGCONT');
    await this.stop('kill');
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** True when something answers PING with +PONG on the port. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
