import type { EnvironmentConfig } from '../config/schema';
import type { Json, Release, ReleaseFacts, ReleaseType, StepRecord } from '../domain/release';
import type { Clock } from '../ports/clock';
import type { ContainerPlatform } from '../ports/container-platform';
import type { Database } from '../ports/database';
import type { ImageRegistry } from '../ports/image-registry';
import type { Logs } from '../ports/logs';
import type { ServiceMetrics } from '../ports/metrics';
import type { AccessLogs } from '../ports/access-logs';
import type { Alarms } from '../ports/alarms';
import type { LoadBalancers } from '../ports/load-balancers';
import type { MetricData } from '../ports/metric-data';
import type { Probe } from '../ports/probe';
import type { ReleaseStore } from '../ports/release-store';

/** The adapters a step may use; the engine hands them in. */
export interface StepPorts {
  platform: ContainerPlatform;
  registry: ImageRegistry;
  database: Database;
  logs: Logs;
  /**
   * Service CPU and memory for monitoring (`monitoring.metrics`). Optional so
   * that callers which never monitor need not provide it; without it no sample
   * measures utilization.
   */
  metrics?: ServiceMetrics;
  /**
   * The signals of users' traffic for monitoring; each optional for callers that
   * never monitor. Without one, the signal is not measured (and the thread says so).
   */
  accessLogs?: AccessLogs;
  metricData?: MetricData;
  alarms?: Alarms;
  loadBalancers?: LoadBalancers;
  probe: Probe;
  releases: ReleaseStore;
}

export interface StepContext {
  /** The release as stored when this run began (plus what `record` wrote since). */
  readonly release: Release;
  readonly step: StepRecord;
  readonly env: EnvironmentConfig;
  /** The environment named by `requireSuccessIn`, whose health preflight checks too. */
  readonly requiredEnv?: EnvironmentConfig;
  readonly ports: StepPorts;
  readonly clock: Clock;
  readonly pollIntervalMs: number;
  /**
   * Persists progress before the step's next side effect, so that a worker that
   * dies after it resumes from here instead of repeating what came before.
   */
  record(patch: { progress?: Record<string, Json>; facts?: Partial<ReleaseFacts> }): Promise<void>;
  /** A status post in the release's thread while the step goes on (best effort). */
  post(lines: string[]): Promise<void>;
  /**
   * Monitoring saw a rule fire: propose (or, with `rollback.auto`, carry out) a
   * rollback of this release. Returns the rollback's release id.
   */
  proposeRollback(reason: string): Promise<string>;
  /** Closes this release's undecided automatic proposal: the window ended healthy (a no-op once decided). */
  withdrawRollback(proposalId: string, reason: string): Promise<void>;
}

/**
 * `done` ends the step; `wait` asks to be run again after a delay (a snapshot,
 * rollout or task is still going) without holding a worker. Failures that retrying
 * cannot fix are thrown as StepFailure; anything transient is thrown as is.
 */
export type StepOutcome =
  { kind: 'done'; summary: string; details?: string[] } | { kind: 'wait'; note: string; delayMs?: number };

export interface StepHandler {
  /** The AWS and HTTP calls the step makes, in words, for dry runs and docs. */
  describe(env: EnvironmentConfig, type?: ReleaseType): string[];
  /** How long the step may take in total before it fails as timed out. */
  timeoutMs(env: EnvironmentConfig): number;
  run(ctx: StepContext): Promise<StepOutcome>;
}
