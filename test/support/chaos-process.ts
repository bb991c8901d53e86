import type { ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { startTs } from './spawn';
import { waitUntil } from './chaos-wait';

export type BotRole = 'web' | 'worker';

export interface BotProcessOptions {
  /** How the harness and its reports name this process: `web`, `worker-1`, … */
  name: string;
  role: BotRole;
  port: number;
  /** Everything the process needs besides DEPLOYBOT_ROLE and PORT. */
  env: NodeJS.ProcessEnv;
  /** Its stdout and stderr are also written to `<logDir>/<name>.log`. */
  logDir: string;
}

const MAX_LINES_KEPT = 50_000;
const STARTUP_TIMEOUT_MS = 60_000;

/**
 * One deploybot process (`node src/main.ts` with DEPLOYBOT_ROLE=web|worker), as
 * an operator runs it. Its output is kept line by line, so a test can tell which
 * process logged what, and the harness can end it gently (SIGTERM) or as a
 * crash does (SIGKILL).
 */
export class BotProcess {
  readonly name: string;
  readonly role: BotRole;
  readonly port: number;
  readonly lines: string[] = [];
  /** The exit code, or the signal that ended it; set once it is gone. */
  exit: number | NodeJS.Signals | undefined;
  private readonly child: ChildProcess;
  private readonly file: WriteStream;
  private readonly exited: Promise<void>;

  private constructor(options: BotProcessOptions) {
    this.name = options.name;
    this.role = options.role;
    this.port = options.port;
    this.file = createWriteStream(join(options.logDir, `${options.name}.log`));
    this.child = startTs('src/main.ts', [], {
      ...options.env,
      DEPLOYBOT_ROLE: options.role,
      PORT: String(options.port),
    });
    let partial = { stdout: '', stderr: '' };
    const take = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      this.file.write(chunk);
      const text = partial[stream] + chunk.toString();
      const parts = text.split('\n');
      partial = { ...partial, [stream]: parts.pop() ?? '' };
      for (const line of parts) if (line.trim() !== '') this.lines.push(line);
      if (this.lines.length > MAX_LINES_KEPT) this.lines.splice(0, this.lines.length - MAX_LINES_KEPT);
    };
    this.child.stdout?.on('data', take('stdout'));
    this.child.stderr?.on('data', take('stderr'));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exit = code ?? signal ?? undefined;
        resolve();
      }),
    );
  }

  /** Starts the process and resolves once it logged `deploybot started`; fails with its output if it exits first. */
  static async start(options: BotProcessOptions): Promise<BotProcess> {
    const bot = new BotProcess(options);
    try {
      await waitUntil(
        `${bot.name} to log "deploybot started"`,
        () => {
          if (bot.exit !== undefined) throw new Error(`${bot.name} exited (${bot.exit}):\n${bot.tail(40)}`);
          return bot.lines.some((l) => l.includes('deploybot started'));
        },
        { timeoutMs: STARTUP_TIMEOUT_MS, everyMs: 50, context: () => bot.tail(40) },
      );
    } catch (error) {
      await bot.kill();
      throw error;
    }
    return bot;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Ends it as a crash or the OOM killer does: no handler runs, nothing is flushed or released. */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
    this.file.end();
  }

  /** Ends it as an orchestrator does: SIGTERM, and SIGKILL if it has not gone within `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.alive) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    this.file.end();
  }

  /** The last `n` lines it wrote, prefixed with its name. */
  tail(n: number): string {
    return this.lines
      .slice(-n)
      .map((l) => `[${this.name}] ${l}`)
      .join('\n');
  }

  /** Its lines that match `pattern`. */
  grep(pattern: RegExp): string[] {
    return this.lines.filter((l) => pattern.test(l));
  }
}
