import {
  Agent,
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** One AWS request a deploybot process made, as the gate saw it. */
export interface GateCall {
  /** The process that sent it (each process has its own endpoint). */
  process: string;
  /** The operation: `UpdateService`, `RunTask`, `CreateDBSnapshot`, `StartQuery`, … */
  action: string;
  /** The fields that tie a side effect to its target: ECS `service`/`startedBy`, RDS `DBSnapshotIdentifier`. */
  params: Record<string, string>;
  /** Wall clock (ms) when the request arrived. */
  at: number;
  /** The emulator's HTTP status, once it answered. */
  status?: number;
  /** Set while the answer is withheld from the process. */
  held?: boolean;
}

interface Hold {
  match: (call: GateCall) => boolean;
  resolve: (call: GateCall) => void;
}

const TRACKED_PARAMS = ['service', 'startedBy', 'cluster', 'DBSnapshotIdentifier', 'DBInstanceIdentifier'];

/**
 * The AWS emulator as each deploybot process sees it: one loopback proxy per
 * process in front of the one emulator, so every call is known by the process
 * that made it (the emulator's own log cannot tell them apart), and a call can
 * be held — forwarded to the emulator, so its side effect happens, but its
 * answer withheld — to freeze a worker in the middle of a step, exactly where a
 * crash hurts most: AWS acted, the worker never learned it.
 */
export class AwsGate {
  readonly calls: GateCall[] = [];
  private readonly servers = new Map<string, Server>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private holds: Hold[] = [];
  private readonly withheld: ServerResponse[] = [];

  constructor(private readonly emulator: URL) {}

  /** A new endpoint for the process `name`; its calls are recorded under that name. */
  async open(name: string): Promise<string> {
    const server = createServer((req, res) => void this.handle(name, req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.servers.set(name, server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /**
   * Withholds the answer of the next call that matches (one call), and resolves
   * with it once it is held. The call still reaches the emulator.
   */
  holdNext(match: (call: GateCall) => boolean): Promise<GateCall> {
    return new Promise((resolve) => this.holds.push({ match, resolve }));
  }

  /** Drops every withheld answer: its process is gone (or should give up on it). */
  dropWithheld(): void {
    for (const res of this.withheld.splice(0)) res.destroy();
  }

  /** Forgets the holds not yet used. */
  disarm(): void {
    this.holds = [];
  }

  /** Calls of `action` that the emulator accepted (2xx). */
  succeeded(action: string, since = 0): GateCall[] {
    return this.calls.filter(
      (c) => c.action === action && c.at >= since && c.status !== undefined && c.status < 300,
    );
  }

  async close(): Promise<void> {
    this.disarm();
    this.dropWithheld();
    this.agent.destroy();
    await Promise.all(
      [...this.servers.values()].map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
    this.servers.clear();
  }

  private async handle(process: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const call: GateCall = { process, ...describe(req, body), at: Date.now() };
    this.calls.push(call);
    const hold = this.holds.find((h) => h.match(call));
    if (hold) this.holds = this.holds.filter((h) => h !== hold);
    const upstream = request(
      {
        host: this.emulator.hostname,
        port: this.emulator.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: this.agent,
      },
      (answer) => {
        call.status = answer.statusCode ?? 502;
        if (hold) {
          // Read and discard: the emulator has acted; the process never hears of it.
          answer.resume();
          call.held = true;
          this.withheld.push(res);
          hold.resolve(call);
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      call.status ??= 502;
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  }
}

function describe(req: IncomingMessage, body: Buffer): Pick<GateCall, 'action' | 'params'> {
  const target = req.headers['x-amz-target'];
  let fields: Record<string, unknown> = {};
  let action = 'unknown';
  if (typeof target === 'string') {
    action = target.slice(target.lastIndexOf('.') + 1);
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      if (typeof parsed === 'object' && parsed !== null) fields = parsed as Record<string, unknown>;
    } catch {
      // not JSON: recorded without parameters
    }
  } else {
    // Query protocol (RDS, ELBv2): a form body with `Action`.
    const form = new URLSearchParams(body.toString('utf8'));
    action = form.get('Action') ?? 'unknown';
    fields = Object.fromEntries(form.entries());
  }
  const params: Record<string, string> = {};
  for (const key of TRACKED_PARAMS) {
    const value = fields[key];
    if (typeof value === 'string') params[key] = value;
  }
  return { action, params };
}
