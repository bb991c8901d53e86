/**
 * A loopback HTTP proxy in front of the AWS emulator that notes every request's
 * operation (X-Amz-Target, or RDS's form Action), its HTTP status and, for
 * CloudWatch Logs, what ties it to apps — the emulator's own call log has no
 * request parameters, and the benchmark counts Logs requests per app (and
 * times its degradation by app-1's DescribeServices, named in `services`):
 *   - the log group(s) a request names (`logGroupName`; StartQuery's
 *     `logGroupNames` or `logGroupIdentifiers`);
 *   - the Logs Insights query: StartQuery's `queryId` read from its answer,
 *     GetQueryResults' and StopQuery's from their request, and the `status`
 *     GetQueryResults answered (Scheduled, Running, Complete, …).
 * Requests pass through unchanged; answers are piped back as they come (and
 * read on the side for Insights). `target` may be switched between scenarios,
 * so the SDK endpoint variables are set once.
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
import { gunzipSync } from 'node:zlib';

export interface ProxiedCall {
  /** `Logs_20140328.FilterLogEvents`, `AmazonEC2ContainerServiceV20141113.DescribeServices`, `rds.DescribeDBInstances`. */
  operation: string;
  /** The services an ECS request names (`services`: DescribeServices). */
  services?: string[];
  /** The log groups a Logs request names: its `logGroupName`, or a StartQuery's `logGroupNames`. */
  logGroups?: string[];
  /** A StartQuery's `startTime` and `endTime` (epoch seconds, both included). */
  queryRange?: { from: number; to: number };
  /** A Logs Insights query's id: from StartQuery's answer (set when it arrives), or GetQueryResults'/StopQuery's request. */
  queryId?: string;
  /** What GetQueryResults answered: `Scheduled`, `Running`, `Complete`, `Cancelled`, … (set when it arrives). */
  queryStatus?: string;
  /** The answer's HTTP status (set when it arrives; 502/503 when the proxy could not forward). */
  status?: number;
  /** Wall clock (ms) when the request arrived. */
  at: number;
}

/** Every CloudWatch Logs operation's X-Amz-Target begins with this. */
export const LOGS_PREFIX = 'Logs_20140328.';
export const FILTER_LOG_EVENTS = `${LOGS_PREFIX}FilterLogEvents`;
export const START_QUERY = `${LOGS_PREFIX}StartQuery`;
export const GET_QUERY_RESULTS = `${LOGS_PREFIX}GetQueryResults`;
export const STOP_QUERY = `${LOGS_PREFIX}StopQuery`;
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
    const call: ProxiedCall = { ...describe(req, body), at };
    this.calls.push(call);
    const target = this.target;
    if (!target) {
      call.status = 503;
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
        call.status = answer.statusCode ?? 502;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (call.operation === START_QUERY || call.operation === GET_QUERY_RESULTS) {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => noteAnswer(call, Buffer.concat(parts), answer.headers['content-encoding']));
        }
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

function describe(req: IncomingMessage, body: Buffer): Omit<ProxiedCall, 'at'> {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    if (!target.startsWith(LOGS_PREFIX)) {
      const services = target.startsWith('AmazonEC2ContainerService') ? strings(json(body)?.services) : [];
      return { operation: target, ...(services.length > 0 && { services }) };
    }
    const parsed = json(body);
    const groups = [
      ...strings(parsed?.logGroupName === undefined ? undefined : [parsed.logGroupName]),
      ...strings(parsed?.logGroupNames),
      // An identifier is a name or an ARN (`arn:aws:logs:<region>:<account>:log-group:<name>[:*]`).
      ...strings(parsed?.logGroupIdentifiers).map((id) =>
        id.replace(/^arn:.*?:log-group:/, '').replace(/:\*$/, ''),
      ),
    ];
    const queryId = typeof parsed?.queryId === 'string' ? parsed.queryId : undefined;
    const range =
      typeof parsed?.startTime === 'number' && typeof parsed.endTime === 'number'
        ? { from: parsed.startTime, to: parsed.endTime }
        : undefined;
    return {
      operation: target,
      ...(range !== undefined && { queryRange: range }),
      // Not JSON, or no group: counted, but for no group.
      ...(groups.length > 0 && { logGroups: groups }),
      ...(queryId !== undefined && { queryId }),
    };
  }
  const action = new URLSearchParams(body.toString('utf8')).get('Action');
  return { operation: `rds.${action ?? 'unknown'}` };
}

/** StartQuery's `queryId`, GetQueryResults' `status`, from the answer's body. */
function noteAnswer(call: ProxiedCall, body: Buffer, encoding: string | undefined): void {
  let text: Buffer = body;
  try {
    if (encoding === 'gzip') text = gunzipSync(body);
  } catch {
    return;
  }
  const parsed = json(text);
  if (call.operation === START_QUERY && typeof parsed?.queryId === 'string') call.queryId = parsed.queryId;
  if (call.operation === GET_QUERY_RESULTS && typeof parsed?.status === 'string')
    call.queryStatus = parsed.status;
}

function json(body: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
