import type { EnvironmentConfig } from '../config/schema';
import { DeploybotError } from '../domain/errors';
import {
  findStep,
  type Json,
  type Release,
  type ReleaseFacts,
  type StepName,
  type StepRecord,
} from '../domain/release';
import type { Clock } from '../ports/clock';
import type { ContainerPlatform } from '../ports/container-platform';
import type { Database } from '../ports/database';
import type { StepContext, StepPorts } from '../steps/step-handler';

type Update = (id: string, change: (current: Release) => Release | undefined) => Promise<Release>;

/** What a running step may ask of the engine beyond the store. */
export interface RunHooks {
  post(release: Release, step: StepName, lines: string[]): Promise<void>;
  proposeRollback(release: Release, reason: string): Promise<string>;
  withdrawRollback(proposalId: string, reason: string): Promise<void>;
  /**
   * Throws LeaseLostError when another run holds the release's run lease, and
   * LockLostError when the app's lock went to someone else; returns when this
   * run may still act.
   */
  beforeSideEffect(release: Release): Promise<void>;
}

/** This run's lease on its release went to another run: it must not act. */
export class LeaseLostError extends DeploybotError {
  constructor(releaseId: string, step: StepName) {
    super('lease_lost', `another run took over ${step} of release ${releaseId}`);
  }
}

/** The app's lock lapsed and someone else took it: the release cannot go on. */
export class LockLostError extends DeploybotError {
  constructor(release: Release) {
    super(
      'lock_lost',
      `the lock on ${release.app}/${release.environment} lapsed and was taken by someone else`,
    );
  }
}

/**
 * The calls that change something in AWS. Each goes through the guard first,
 * so that of two runs of one step (a stalled worker that woke up and the
 * worker that took its job over) only the lease holder acts. Reads need no
 * guard. `record` is not guarded either: a write of what already happened
 * (the snapshot id after CreateDBSnapshot) is worth keeping, and the store's
 * compare-and-set keeps it consistent.
 */
const GUARDED_PLATFORM = ['registerImageRevision', 'updateService', 'runTask'] as const;
const GUARDED_DATABASE = ['createSnapshot', 'restore'] as const;

function guarded<T extends object>(port: T, methods: readonly (keyof T)[], guard: () => Promise<void>): T {
  const wrapped = new Set<PropertyKey>(methods);
  return new Proxy(port, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (!wrapped.has(property) || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await guard();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/**
 * The StepContext of one run. `record` writes through to the store at once and
 * keeps `release` current, so a step reads back what it recorded.
 */
export class RunContext implements StepContext {
  readonly ports: StepPorts;
  readonly clock: Clock;
  readonly pollIntervalMs: number;
  private current: Release;

  constructor(
    release: Release,
    private readonly stepName: StepName,
    readonly env: EnvironmentConfig,
    deps: { ports: StepPorts; clock: Clock; config: { engine: { pollInterval: number } } },
    private readonly update: Update,
    private readonly hooks: RunHooks,
    readonly requiredEnv?: EnvironmentConfig,
  ) {
    this.current = release;
    const guard = () => this.hooks.beforeSideEffect(this.current);
    this.ports = {
      ...deps.ports,
      platform: guarded<ContainerPlatform>(deps.ports.platform, GUARDED_PLATFORM, guard),
      database: guarded<Database>(deps.ports.database, GUARDED_DATABASE, guard),
    };
    this.clock = deps.clock;
    this.pollIntervalMs = deps.config.engine.pollInterval;
  }

  get release(): Release {
    return this.current;
  }

  get step(): StepRecord {
    return findStep(this.current, this.stepName);
  }

  post(lines: string[]): Promise<void> {
    return this.hooks.post(this.current, this.stepName, lines);
  }

  async proposeRollback(reason: string): Promise<string> {
    await this.hooks.beforeSideEffect(this.current);
    return this.hooks.proposeRollback(this.current, reason);
  }

  async withdrawRollback(proposalId: string, reason: string): Promise<void> {
    await this.hooks.beforeSideEffect(this.current);
    return this.hooks.withdrawRollback(proposalId, reason);
  }

  async record(patch: { progress?: Record<string, Json>; facts?: Partial<ReleaseFacts> }): Promise<void> {
    this.current = await this.update(this.current.id, (r) => {
      const step = findStep(r, this.stepName);
      Object.assign(step.progress, patch.progress ?? {});
      // Facts are written once: a resumed step never moves what rollback relies on.
      for (const [key, value] of Object.entries(patch.facts ?? {})) {
        const k = key as keyof ReleaseFacts;
        if (value && typeof value === 'object') {
          (r.facts as unknown as Record<string, Record<string, string>>)[k] = {
            ...(value as Record<string, string>),
            ...(r.facts[k] as Record<string, string> | undefined),
          };
        } else if (r.facts[k] === undefined) {
          (r.facts as unknown as Record<string, unknown>)[k] = value;
        }
      }
      r.updatedAt = this.clock.now();
      return r;
    });
  }
}
