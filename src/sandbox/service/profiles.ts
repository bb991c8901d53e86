import { readFileSync } from 'node:fs';
import { z } from 'zod';
import bundled from './profiles.json';

/**
 * How a build behaves, keyed by its image tag: a small JSON file so a sandbox
 * user can add a profile without touching code. The first profile whose `match`
 * (a regular expression) matches the tag applies; no match is a healthy build.
 */
const TagProfileSchema = z.object({
  match: z.string().min(1),
  /** Multiplies the base latency (`-slow`: 3). */
  latencyFactor: z.number().positive().default(1),
  /** Multiplies the CPU / memory the emulator's CloudWatch reports for tasks of the tag (`-slow`: CPU 2). */
  cpuFactor: z.number().positive().default(1),
  memoryFactor: z.number().positive().default(1),
  /** Share of requests answered 5xx (`-bad`: 0.08). */
  errorRate: z.number().min(0).max(1).default(0),
  /**
   * Share of the bot's health probes answered 5xx; absent, `errorRate`. A build
   * whose bug lives on its API paths mostly still answers /health, as a real one
   * does (`-bad`: 0.01), so it passes verify and it is monitoring, judging the
   * users' requests, that has to catch it.
   */
  probeErrorRate: z.number().min(0).max(1).optional(),
  /** Written to the log group on each failed request, cycling. */
  errorLines: z.array(z.string()).default([]),
  /** Written on the background tick while the tag serves, as a failing worker would. */
  backgroundErrorLines: z.array(z.string()).default([]),
  /**
   * Tasks of the tag crash: every this many ms one of the service's tasks exits 1
   * (ECS stopCode EssentialContainerExited) and ECS starts a replacement, so the
   * service runs one short for a moment each time (`-crashy`: 90 s). Absent never.
   */
  crashEveryMs: z.number().positive().optional(),
});

/** One kind of user request the traffic generator sends, picked by weight. */
const TrafficPathSchema = z.object({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  path: z.string().startsWith('/'),
  weight: z.number().positive().default(1),
});

/**
 * The users' traffic (traffic-generator.ts), as opposed to the bot's health
 * probes, which keep `baseLatencyMs` / `jitterMs` and the tag's `probeErrorRate` only:
 * - `rps`: mean requests a second; `drift` (0.3 = ±30 %) moves it smoothly over
 *   `driftPeriodMs`, as daily traffic does over minutes.
 * - latency is log-normal: `latencyMedianMs` × the tag's `latencyFactor` ×
 *   e^(`latencySigma`·Z); sigma 0.3 puts 80 % of requests within 20–44 ms of a 30 ms median.
 * - `backgroundErrorRate`: 5xx of every build, healthy ones included (a timeout
 *   here, a reset connection there), each also logged as one of `backgroundErrorLines`.
 * - `clientErrorRate`: 4xx answers, which are not failures of the service.
 */
const TrafficSchema = z.object({
  rps: z.number().min(0).default(50),
  drift: z.number().min(0).max(0.9).default(0.3),
  driftPeriodMs: z.number().positive().default(600_000),
  latencyMedianMs: z.number().positive().default(30),
  latencySigma: z.number().min(0).max(3).default(0.3),
  backgroundErrorRate: z.number().min(0).max(1).default(0.002),
  backgroundErrorLines: z.array(z.string().min(1)).default([]),
  clientErrorRate: z.number().min(0).max(1).default(0),
  paths: z
    .array(TrafficPathSchema)
    .min(1)
    .default([{ method: 'GET', path: '/api/v1/reports', weight: 1 }]),
});

const ProfileFileSchema = z.object({
  baseLatencyMs: z.number().min(0),
  jitterMs: z.number().min(0),
  profiles: z.array(TagProfileSchema),
  traffic: TrafficSchema.prefault({}),
});

export type TrafficProfile = z.output<typeof TrafficSchema>;
export type TrafficProfileInput = z.input<typeof TrafficSchema>;
export type TrafficPath = z.output<typeof TrafficPathSchema>;

export type TagProfile = z.input<typeof TagProfileSchema>;
export type ResolvedProfile = z.output<typeof TagProfileSchema>;
export type ProfileFile = z.output<typeof ProfileFileSchema>;

export const HEALTHY: ResolvedProfile = {
  match: '.*',
  latencyFactor: 1,
  cpuFactor: 1,
  memoryFactor: 1,
  errorRate: 0,
  errorLines: [],
  backgroundErrorLines: [],
};

/** Line used when a failing profile names none. */
export const DEFAULT_ERROR_LINE = 'ERROR app.api: unhandled exception while serving request';

export function parseProfiles(data: unknown): ProfileFile {
  const file = ProfileFileSchema.parse(data);
  // Fail at load, not on the first request, when a pattern does not compile.
  for (const p of file.profiles) new RegExp(p.match);
  return file;
}

export function loadProfiles(path?: string): ProfileFile {
  return parseProfiles(path === undefined ? bundled : (JSON.parse(readFileSync(path, 'utf8')) as unknown));
}

export function resolveProfiles(profiles: TagProfile[]): ResolvedProfile[] {
  return profiles.map((p) => TagProfileSchema.parse(p));
}

/** The file's traffic with `overrides` applied and checked as the file is. */
export function resolveTraffic(
  base: TrafficProfile,
  overrides: Partial<TrafficProfileInput> = {},
): TrafficProfile {
  return TrafficSchema.parse({ ...base, ...overrides });
}

export function profileFor(profiles: ResolvedProfile[], tag: string): ResolvedProfile {
  return profiles.find((p) => new RegExp(p.match).test(tag)) ?? HEALTHY;
}
