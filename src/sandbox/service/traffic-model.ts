import type { ResolvedProfile, TrafficPath, TrafficProfile } from './profiles';

/**
 * The users' traffic as numbers, with no timers and no I/O: how many requests
 * a span of time holds, which tag serves each, what it answers and how long it
 * takes. Every draw comes from the `random` passed in, so a seeded generator
 * replays the same stream.
 */
export type Random = () => number;

export interface ServingTag {
  tag: string;
  share: number;
}

/** Why a request answered 5xx: its build fails some requests, or the background noise every build has. */
export type FailureCause = 'build' | 'background';

export interface SimulatedRequest {
  at: number;
  tag: string;
  method: string;
  path: string;
  status: number;
  latencyMs: number;
  failure?: FailureCause;
}

/** A Poisson-distributed count of mean `mean` (Knuth's product method, in slices so e^-mean never underflows). */
export function poisson(mean: number, random: Random): number {
  if (!(mean > 0)) return 0;
  const SLICE = 100;
  let count = 0;
  for (let left = mean; left > 0; left -= SLICE) {
    const limit = Math.exp(-Math.min(left, SLICE));
    let product = random();
    while (product > limit) {
      count += 1;
      product *= random();
    }
  }
  return count;
}

/** A standard normal draw (Box–Muller); 1 - u keeps the logarithm finite. */
export function standardNormal(random: Random): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A log-normal draw whose median is `median`. */
export function logNormal(median: number, sigma: number, random: Random): number {
  return median * Math.exp(sigma * standardNormal(random));
}

/** Phases of the drift, drawn once a generator so two sandboxes do not move in step. */
export interface DriftPhases {
  slow: number;
  fast: number;
}

export function drawDriftPhases(random: Random): DriftPhases {
  return { slow: 2 * Math.PI * random(), fast: 2 * Math.PI * random() };
}

/**
 * Multiplies the mean rate at `atMs`: two sine waves (the period and 0.37 of
 * it), so traffic rises and falls over minutes without repeating exactly.
 * Invariant: the result stays within 1 ± drift, and averages 1 over long spans.
 */
export function driftFactor(atMs: number, traffic: TrafficProfile, phases: DriftPhases): number {
  const turn = (2 * Math.PI * atMs) / traffic.driftPeriodMs;
  const wave = 0.6 * Math.sin(turn + phases.slow) + 0.4 * Math.sin(turn / 0.37 + phases.fast);
  return 1 + traffic.drift * wave;
}

/** The tag serving one request, drawn by share of running tasks, as a load balancer spreads them. */
export function pickServingTag(serving: readonly ServingTag[], draw: number): string | undefined {
  let left = draw;
  for (const s of serving) {
    if (left < s.share) return s.tag;
    left -= s.share;
  }
  return serving[serving.length - 1]?.tag;
}

export function pickPath(paths: readonly TrafficPath[], draw: number): TrafficPath {
  const total = paths.reduce((n, p) => n + p.weight, 0);
  let left = draw * total;
  for (const p of paths) {
    if (left < p.weight) return p;
    left -= p.weight;
  }
  return paths[paths.length - 1] as TrafficPath;
}

/** Share of a tag's requests answered 5xx: its own failures, or else the background every build has. */
export function serverErrorRate(profile: ResolvedProfile, traffic: TrafficProfile): number {
  return 1 - (1 - profile.errorRate) * (1 - traffic.backgroundErrorRate);
}

export interface SpanInput {
  /** The span (fromMs, toMs]: requests are stamped inside it, so consecutive spans never overlap. */
  fromMs: number;
  toMs: number;
  serving: readonly ServingTag[];
  traffic: TrafficProfile;
  profileFor: (tag: string) => ResolvedProfile;
  phases: DriftPhases;
  /** At most this many requests, whatever the draw (a long-stalled timer must not write a burst). */
  maxRequests: number;
  random: Random;
}

type StampInput = Pick<SpanInput, 'fromMs' | 'toMs' | 'traffic' | 'phases' | 'maxRequests' | 'random'>;

/** When the users' requests of one span arrive, oldest first: a drifting Poisson count, bounded. */
export function arrivalsInSpan(input: StampInput): number[] {
  const { fromMs, toMs, traffic, random } = input;
  const spanMs = toMs - fromMs;
  if (spanMs <= 0) return [];
  const mean = (traffic.rps * driftFactor(fromMs + spanMs / 2, traffic, input.phases) * spanMs) / 1000;
  const count = Math.min(poisson(mean, random), input.maxRequests);
  const stamps = Array.from({ length: count }, () => fromMs + 1 + Math.floor(random() * spanMs));
  return stamps.sort((a, b) => a - b);
}

/**
 * The requests users sent in one span that reached the app, oldest first.
 * No running task: none reaches it (see arrivalsInSpan for what the load balancer saw).
 */
export function requestsInSpan(input: SpanInput): SimulatedRequest[] {
  if (input.serving.length === 0) return [];
  return arrivalsInSpan(input).map((at) => oneRequest(at, input));
}

function oneRequest(at: number, input: SpanInput): SimulatedRequest {
  const { traffic, random } = input;
  const tag = pickServingTag(input.serving, random()) as string;
  const profile = input.profileFor(tag);
  const { method, path } = pickPath(traffic.paths, random());
  const latencyMs = logNormal(traffic.latencyMedianMs * profile.latencyFactor, traffic.latencySigma, random);
  const outcome = random();
  const request: SimulatedRequest = { at, tag, method, path, status: 200, latencyMs };
  if (outcome < profile.errorRate) return { ...request, status: 500, failure: 'build' };
  // Rescale the rest of the draw to [0, 1) so the two causes stay independent.
  const rest = (outcome - profile.errorRate) / (1 - profile.errorRate);
  if (rest < traffic.backgroundErrorRate) return { ...request, status: 500, failure: 'background' };
  const clientRest = (rest - traffic.backgroundErrorRate) / (1 - traffic.backgroundErrorRate);
  if (clientRest < traffic.clientErrorRate) return { ...request, status: 404 };
  return request;
}
