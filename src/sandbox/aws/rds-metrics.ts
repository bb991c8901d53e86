import type { EcsState } from './ecs-state';
import { aggregate, publishedMinutes, type MetricSource, type MetricSpec } from './metric-sources';
import type { RdsState } from './rds-state';

/** Connections each running service task holds open (a typical pool's floor). */
export const CONNECTIONS_PER_TASK = 5;

/**
 * AWS/RDS DatabaseConnections by DBInstanceIdentifier, or by
 * DBClusterIdentifier for an Aurora cluster: `CONNECTIONS_PER_TASK` for every
 * task the account's ECS services run now (the emulator does not know which
 * service uses which database, and keeps no history: every minute answers with
 * what runs now), unless a test set the figure. Unknown databases have no
 * datapoints. A minute appears `delayMs()` after it ends.
 */
export class DatabaseConnectionMetrics implements MetricSource {
  private readonly overrides = new Map<string, number>();

  constructor(
    private readonly ecs: EcsState,
    private readonly rds: RdsState,
    private readonly delayMs: () => number,
  ) {}

  /** Pins a database's connections (undefined: derived from the running tasks again). */
  set(dbId: string, connections: number | undefined): void {
    // RDS identifiers are case-insensitive (stored lower case).
    if (connections === undefined) this.overrides.delete(dbId.toLowerCase());
    else this.overrides.set(dbId.toLowerCase(), connections);
  }

  connections(dbId: string, kind: 'instance' | 'cluster'): number | undefined {
    const id = dbId.toLowerCase();
    const known = kind === 'cluster' ? this.rds.clusters.has(id) : this.rds.instances.has(id);
    if (!known) return undefined;
    const pinned = this.overrides.get(id);
    if (pinned !== undefined) return pinned;
    let tasks = 0;
    for (const cluster of this.ecs.clusters.values()) {
      for (const service of cluster.services.values()) {
        for (const image of this.ecs.runningImages(service)) tasks += image.running;
      }
    }
    return tasks * CONNECTIONS_PER_TASK;
  }

  value(spec: MetricSpec, from: number, to: number, now: number): number | undefined {
    if (spec.namespace !== 'AWS/RDS' || spec.metricName !== 'DatabaseConnections') return undefined;
    if (spec.dimensions.size !== 1 || (spec.unit !== undefined && spec.unit !== 'Count')) return undefined;
    const instance = spec.dimensions.get('DBInstanceIdentifier');
    const cluster = spec.dimensions.get('DBClusterIdentifier');
    const figure =
      instance !== undefined
        ? this.connections(instance, 'instance')
        : cluster !== undefined
          ? this.connections(cluster, 'cluster')
          : undefined;
    if (figure === undefined) return undefined;
    // One sample a minute, as RDS publishes it.
    const minutes = publishedMinutes(from, to, now, this.delayMs());
    return aggregate(
      spec.stat,
      minutes.map(() => figure),
    );
  }
}
