import { closeServer, listen } from '../loopback-http';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AppLog, appLogOf, BACKEND_APP } from './app-log';
import { loadProfiles, profileFor, resolveProfiles, type ResolvedProfile, type TagProfile } from './profiles';
import type { ServiceBackend } from './service-backend';
import { ServiceMetrics, type ServiceStats } from './service-metrics';
import { pickServingTag } from './traffic-model';

export type { ServiceBackend } from './service-backend';

export interface SimulatedServiceOptions {
  cluster?: string;
  service?: string;
  logGroup?: string;
  /** Stream prefix of the error lines; a per-tag pseudo task id follows it. */
  logStreamPrefix?: string;
  /** Default: profiles.json beside this file. */
  profiles?: TagProfile[];
  baseLatencyMs?: number;
  jitterMs?: number;
  /** Multiplies every latency; tests use small values to stay fast. */
  latencyScale?: number;
  /** Background error-line tick for failing tags; 0 turns it off (tick() still works). */
  tickMs?: number;
  random?: () => number;
  /** Timestamps of the log lines; default the emulator's clock. */
  now?: () => number;
}

const HEALTH_PATHS = new Set(['/health', '/health/ready', '/metrics']);

/**
 * The application behind the health URL: /health, /health/ready and /metrics,
 * whose latency and error rate follow the image tags the emulator says are
 * running. During a rollout each request is served by one tag, chosen by its
 * share of running tasks, so a bad build shows up gradually as it rolls out.
 * Failed requests, and a background tick while a failing tag serves, write
 * ERROR lines into the log group, where FilterLogEvents finds them. These are
 * the bot's probes only; the users' own requests are TrafficGenerator's.
 */
export class SimulatedService {
  private readonly metrics = new ServiceMetrics();
  private readonly profiles: ResolvedProfile[];
  private readonly baseLatencyMs: number;
  private readonly jitterMs: number;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly cluster: string;
  private readonly service: string;
  private readonly log: AppLog;
  private server: Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  private port: number | undefined;

  constructor(
    private readonly backend: ServiceBackend,
    private readonly options: SimulatedServiceOptions = {},
  ) {
    const file = loadProfiles();
    this.profiles = options.profiles ? resolveProfiles(options.profiles) : file.profiles;
    this.baseLatencyMs = options.baseLatencyMs ?? file.baseLatencyMs;
    this.jitterMs = options.jitterMs ?? file.jitterMs;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => backend.now());
    this.cluster = options.cluster ?? BACKEND_APP.cluster;
    this.service = options.service ?? BACKEND_APP.service;
    this.log = appLogOf((g, s, m, at) => backend.appendLog(g, s, m, at), options);
  }

  async start(port = 0): Promise<void> {
    if (this.server) throw new Error('SimulatedService is already started');
    const server = createServer((req, res) => void this.handle(req, res));
    await listen(server, port, '127.0.0.1');
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    const tickMs = this.options.tickMs ?? 5_000;
    if (tickMs > 0) {
      this.timer = setInterval(() => this.tick(), tickMs);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await closeServer(server);
  }

  get url(): string {
    if (this.port === undefined) throw new Error('SimulatedService is not started');
    return `http://127.0.0.1:${this.port}`;
  }

  stats(): ServiceStats {
    return this.metrics.stats();
  }

  /** One background tick: each failing tag writes an error line with the chance of its share. */
  tick(): void {
    for (const { tag, share } of this.serving()) {
      const profile = profileFor(this.profiles, tag);
      if (profile.backgroundErrorLines.length === 0 || this.random() >= share) continue;
      this.log.writeError(tag, profile.backgroundErrorLines, this.now());
    }
  }

  private serving(): { tag: string; share: number }[] {
    return this.backend.servingTags(this.cluster, this.service);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://service').pathname;
    if (req.method !== 'GET' || !HEALTH_PATHS.has(path)) {
      send(res, 404, { error: 'not found' });
      return;
    }
    const serving = this.serving();
    const tag = pickServingTag(serving, this.random());
    if (tag === undefined) {
      // No task runs: the load balancer has no target to send the request to.
      this.metrics.observe(path, 503, 'none', 0);
      send(res, 503, { status: 'unavailable', reason: 'no running tasks' });
      return;
    }
    const profile = profileFor(this.profiles, tag);
    const jitter = this.jitterMs * (2 * this.random() - 1);
    const latencyMs = Math.max(
      0,
      (this.baseLatencyMs + jitter) * profile.latencyFactor * (this.options.latencyScale ?? 1),
    );
    // Every draw for a request is made before it waits, so a seeded `random` gives
    // the same outcomes however concurrent requests interleave.
    const fails = this.random() < (profile.probeErrorRate ?? profile.errorRate);
    const started = performance.now();
    await sleep(latencyMs);
    if (fails) {
      this.log.writeError(tag, profile.errorLines, this.now());
      this.metrics.observe(path, 500, tag, performance.now() - started);
      send(res, 500, { error: 'internal server error', version: tag });
      return;
    }
    this.metrics.observe(path, 200, tag, performance.now() - started);
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(this.metrics.render(serving));
    } else if (path === '/health/ready') {
      send(res, 200, { ready: true, version: tag, checks: { database: 'ok', redis: 'ok' } });
    } else {
      send(res, 200, { status: 'ok', version: tag });
    }
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
