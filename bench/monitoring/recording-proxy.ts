/**
 * A loopback HTTP proxy in front of the AWS emulator that notes every request's
 * operation (X-Amz-Target, or RDS's form Action) and, for CloudWatch Logs, the
 * log group it names — the emulator's own call log has no request parameters,
 * and the benchmark counts Logs requests per app. Requests pass through
 * unchanged; answers are piped back as they come. `target` may be switched
 * between scenarios, so the SDK endpoint variables are set once.
 */
import {
  Agent,
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedCall {
  /** `Logs_20140328.FilterLogEvents`, `AmazonEC2ContainerServiceV20141113.DescribeServices`, `rds.DescribeDBInstances`. */
  operation: string;
  /** The `logGroupName` of a Logs request. */
  logGroup?: string;
  /** Wall clock (ms) when the request arrived. */
  at: number;
}

export const FILTER_LOG_EVENTS = 'Logs_20140328.FilterLogEvents';
export const DESCRIBE_SERVICES = 'AmazonEC2ContainerServiceV20141113.DescribeServices';

export class RecordingProxy {
  readonly calls: ProxiedCall[] = [];
  /** Base URL requests are forwarded to (the current emulator). */
  target: URL | undefined;
  private server: Server | undefined;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.agent.destroy();
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Calls of `operation` that arrived in [from, to). */
  between(operation: string, from: number, to: number): ProxiedCall[] {
    return this.calls.filter((c) => c.operation === operation && c.at >= from && c.at < to);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    this.calls.push({ ...describe(req, body), at });
    const target = this.target;
    if (!target) {
      res.writeHead(503).end();
      return;
    }
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: this.agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  }
}

function describe(req: IncomingMessage, body: Buffer): Omit<ProxiedCall, 'at'> {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    let logGroup: string | undefined;
    if (target.startsWith('Logs_')) {
      try {
        const parsed = JSON.parse(body.toString('utf8')) as { logGroupName?: unknown };
        if (typeof parsed.logGroupName === 'string') logGroup = parsed.logGroupName;
      } catch {
        // Not JSON: counted, but for no group.
      }
    }
    return { operation: target, ...(logGroup !== undefined && { logGroup }) };
  }
  const action = new URLSearchParams(body.toString('utf8')).get('Action');
  return { operation: `rds.${action ?? 'unknown'}` };
}
