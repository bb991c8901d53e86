import { type AppLog, appLogOf, BACKEND_APP } from './app-log';
import {
  loadProfiles,
  profileFor,
  resolveProfiles,
  resolveTraffic,
  type ResolvedProfile,
  type TagProfile,
  type TrafficProfile,
  type TrafficProfileInput,
} from './profiles';
import type { LoadBalancedRequest, ServiceBackend } from './service-backend';
import {
  arrivalsInSpan,
  drawDriftPhases,
  requestsInSpan,
  type DriftPhases,
  type Random,
  type SimulatedRequest,
} from './traffic-model';

export interface TrafficGeneratorOptions {
  cluster?: string;
  service?: string;
  logGroup?: string;
  /** Stream prefix; a per-tag pseudo task id follows it (the service's error lines use the same). */
  logStreamPrefix?: string;
  /** Default: profiles.json's tag profiles. */
  profiles?: TagProfile[];
  /** Applied over profiles.json's `traffic` section. */
  traffic?: Partial<TrafficProfileInput>;
  /** The target group the service's tasks are registered in; unset: no load-balancer metrics. */
  loadBalancer?: { targetGroup: string; loadBalancer: string };
  /** How often the timer generates the traffic of the time since the last tick; 0: no timer (tick() still works). */
  tickMs?: number;
  /** A tick generates at most this much time (a stalled timer or a jumped clock must not write a burst). */
  maxSpanMs?: number;
  maxRequestsPerTick?: number;
  random?: Random;
  /** Timestamps of requests and lines; default the emulator's clock. */
  now?: () => number;
  /** A tick that threw (the timer keeps going). */
  onError?: (error: unknown) => void;
}

export interface TrafficStats {
  requests: number;
  /** 5xx answers. */
  serverErrors: number;
  byStatus: Record<string, number>;
  byTag: Record<string, number>;
  /** Requests that found no running task; the load balancer answered them (not in `requests`). */
  unanswered: number;
}

/**
 * The users of the app: while running, every tick turns the time since the
 * last one into a Poisson number of requests (traffic-model.ts), served by the
 * tags ECS runs, and writes each as one JSON access-log line — plus an ERROR
 * line for a 5xx, as the app's handler logs its failures — and reports it to
 * the load balancer's metrics. No HTTP: the users are simulated, their effects
 * are what monitoring reads.
 */
export class TrafficGenerator {
  private readonly profiles: ResolvedProfile[];
  private readonly traffic: TrafficProfile;
  private readonly random: Random;
  private readonly now: () => number;
  private readonly phases: DriftPhases;
  private readonly log: AppLog;
  private readonly cluster: string;
  private readonly service: string;
  private readonly errorLines: string[];
  /** Profiles by tag: matching compiles a pattern, and a tag's profile never changes. */
  private readonly profileByTag = new Map<string, ResolvedProfile>();
  private readonly counts: TrafficStats = {
    requests: 0,
    serverErrors: 0,
    byStatus: {},
    byTag: {},
    unanswered: 0,
  };
  private lastTickAt: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly backend: ServiceBackend,
    private readonly options: TrafficGeneratorOptions = {},
  ) {
    const file = loadProfiles();
    this.profiles = options.profiles ? resolveProfiles(options.profiles) : file.profiles;
    this.traffic = resolveTraffic(file.traffic, options.traffic);
    this.errorLines = this.traffic.backgroundErrorLines;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => backend.now());
    this.phases = drawDriftPhases(this.random);
    this.cluster = options.cluster ?? BACKEND_APP.cluster;
    this.service = options.service ?? BACKEND_APP.service;
    this.log = appLogOf((g, s, m, at) => backend.appendLog(g, s, m, at), options);
    this.lastTickAt = this.now();
  }

  /** Starts the timer; the first tick covers the time since start, not since construction. */
  start(): void {
    if (this.timer) throw new Error('TrafficGenerator is already started');
    this.lastTickAt = this.now();
    const tickMs = this.options.tickMs ?? 250;
    if (tickMs <= 0) return;
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (error) {
        this.options.onError?.(error);
      }
    }, tickMs);
    // The sandbox's users must never keep a process alive on their own.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** The mean request rate the profile gives, before drift. */
  get meanRps(): number {
    return this.traffic.rps;
  }

  /** Generates, logs and reports the requests of the time since the last tick; returns them. */
  tick(): SimulatedRequest[] {
    const toMs = this.now();
    const maxSpanMs = this.options.maxSpanMs ?? 5_000;
    const fromMs = Math.max(this.lastTickAt, toMs - maxSpanMs);
    this.lastTickAt = Math.max(this.lastTickAt, toMs);
    const span = {
      fromMs,
      toMs,
      traffic: this.traffic,
      phases: this.phases,
      maxRequests: this.options.maxRequestsPerTick ?? 5_000,
      random: this.random,
    };
    const serving = this.backend.servingTags(this.cluster, this.service);
    if (serving.length === 0) {
      this.unanswered(arrivalsInSpan(span));
      return [];
    }
    const requests = requestsInSpan({ ...span, serving, profileFor: (tag) => this.profileOf(tag) });
    for (const request of requests) this.emit(request);
    return requests;
  }

  /**
   * No task runs: the users still come, the load balancer has no target and
   * answers them itself (HTTPCode_ELB_5XX_Count), and the app logs nothing.
   */
  private unanswered(arrivals: readonly number[]): void {
    const lb = this.options.loadBalancer;
    if (!lb || !this.backend.recordRequest) return;
    for (const at of arrivals) this.backend.recordRequest({ ...lb, at, status: 0, latencyMs: 0 });
    this.counts.unanswered += arrivals.length;
  }

  stats(): TrafficStats {
    return {
      ...this.counts,
      byStatus: { ...this.counts.byStatus },
      byTag: { ...this.counts.byTag },
    };
  }

  private emit(request: SimulatedRequest): void {
    const { at, tag, status } = request;
    this.log.write(tag, accessLine(request), at);
    // The access line is INFO whatever the status: the handler's own ERROR
    // line is the one an `ERROR` pattern counts, once per failure.
    if (request.failure === 'build') this.log.writeError(tag, this.profileOf(tag).errorLines, at);
    else if (request.failure === 'background') this.log.writeError(tag, this.errorLines, at);
    const lb = this.options.loadBalancer;
    if (lb)
      this.backend.recordRequest?.({
        ...lb,
        at,
        status,
        latencyMs: request.latencyMs,
      } satisfies LoadBalancedRequest);
    this.count(request);
  }

  private profileOf(tag: string): ResolvedProfile {
    let profile = this.profileByTag.get(tag);
    if (!profile) {
      profile = profileFor(this.profiles, tag);
      this.profileByTag.set(tag, profile);
    }
    return profile;
  }

  private count({ tag, status }: SimulatedRequest): void {
    this.counts.requests += 1;
    if (status >= 500) this.counts.serverErrors += 1;
    this.counts.byStatus[String(status)] = (this.counts.byStatus[String(status)] ?? 0) + 1;
    this.counts.byTag[tag] = (this.counts.byTag[tag] ?? 0) + 1;
  }
}

/** One access-log line, the shape `monitoring.accessLogs.json: {status: status, latency: latency_ms}` reads. */
export function accessLine(request: SimulatedRequest): string {
  return JSON.stringify({
    level: 'INFO',
    msg: 'request',
    method: request.method,
    path: request.path,
    status: request.status,
    latency_ms: Math.round(request.latencyMs * 10) / 10,
    version: request.tag,
  });
}
