import type { EnvironmentConfig } from '../config/schema';
import {
  findStep,
  type Json,
  type Release,
  type ReleaseFacts,
  type StepName,
  type StepRecord,
} from '../domain/release';
import type { Clock } from '../ports/clock';
import type { StepContext, StepPorts } from '../steps/step-handler';

type Update = (id: string, change: (current: Release) => Release | undefined) => Promise<Release>;

/** What a running step may ask of the engine beyond the store. */
export interface RunHooks {
  post(release: Release, step: StepName, lines: string[]): Promise<void>;
  proposeRollback(release: Release, reason: string): Promise<string>;
  withdrawRollback(proposalId: string, reason: string): Promise<void>;
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
    this.ports = deps.ports;
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

  proposeRollback(reason: string): Promise<string> {
    return this.hooks.proposeRollback(this.current, reason);
  }

  withdrawRollback(proposalId: string, reason: string): Promise<void> {
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
