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
  /** Written to the log group on each failed request, cycling. */
  errorLines: z.array(z.string()).default([]),
  /** Written on the background tick while the tag serves, as a failing worker would. */
  backgroundErrorLines: z.array(z.string()).default([]),
});

const ProfileFileSchema = z.object({
  baseLatencyMs: z.number().min(0),
  jitterMs: z.number().min(0),
  profiles: z.array(TagProfileSchema),
});

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

export function profileFor(profiles: ResolvedProfile[], tag: string): ResolvedProfile {
  return profiles.find((p) => new RegExp(p.match).test(tag)) ?? HEALTHY;
}
