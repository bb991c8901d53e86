import { deploymentId, requestId } from './ids';
import type { EmulatorTimings } from './types';

/**
 * ECS service deployments as a function of time. A new deployment is PRIMARY and
 * IN_PROGRESS; its tasks start linearly over `rolloutMs` while the superseded
 * (ACTIVE) deployments drain, then it is COMPLETED and the others disappear.
 * A deployment whose image is broken starts no task: with the circuit breaker on
 * it FAILS when `rolloutMs` is up, and with rollback on ECS starts a new PRIMARY
 * deployment of the last completed task definition. Without the circuit breaker
 * it stays IN_PROGRESS for ever, counting failed tasks, as ECS would.
 *
 * State is advanced lazily by settle(): every transition is stamped with the
 * time it was due, not the time someone looked.
 */
export interface DeploymentRecord {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  taskDefinition: string;
  createdAt: number;
  updatedAt: number;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  failedTasks: number;
  /** Running tasks when a newer deployment took over; they drain as it starts its own. */
  runningAtSupersede: number;
}

export interface ServiceEvent {
  id: string;
  createdAt: number;
  message: string;
}

export interface ServiceRecord {
  name: string;
  arn: string;
  clusterName: string;
  clusterArn: string;
  desiredCount: number;
  taskDefinition: string;
  networkConfiguration: Record<string, unknown>;
  circuitBreaker: { enable: boolean; rollback: boolean };
  /** ECS `loadBalancers`: the target groups its tasks register in. */
  loadBalancers: { targetGroupArn: string; containerName: string; containerPort: number }[];
  createdAt: number;
  /** PRIMARY first, then ACTIVE ones newest first, as ECS lists them. */
  deployments: DeploymentRecord[];
  /** Newest first, at most 100. */
  events: ServiceEvent[];
  lastCompleted?: { deploymentId: string; taskDefinition: string };
}

export interface DeploymentCounts {
  running: number;
  pending: number;
  failed: number;
}

const MAX_EVENTS = 100;

/** ECS's circuit-breaker threshold: half the desired count, at least 3, at most 200. */
export function failureThreshold(desired: number): number {
  return Math.max(3, Math.min(200, Math.ceil(desired / 2)));
}

/** Tasks of a deployment that crashed and whose replacement is not running yet. */
export type Replacing = (service: ServiceRecord, deploymentId: string) => number;

export class Rollouts {
  /** Set by the service-task history (ecs-service-tasks.ts); none replacing without it. */
  replacing: Replacing = () => 0;

  constructor(
    private readonly now: () => number,
    private readonly timings: () => EmulatorTimings,
    /** Does this task definition's main image fail to start? */
    private readonly isBroken: (taskDefinition: string) => boolean,
  ) {}

  /** A service that has been steady on `taskDefinition` since `at`. */
  seed(service: ServiceRecord, at: number): void {
    const d = this.deployment(service.taskDefinition, at, '');
    this.complete(service, d, at);
  }

  /**
   * UpdateService: a new task definition (or forceNewDeployment) starts a
   * deployment; the same task definition without force changes nothing.
   */
  update(service: ServiceRecord, taskDefinition: string, force: boolean): void {
    if (taskDefinition === service.taskDefinition && !force) return;
    this.supersede(service);
    const d = this.deployment(taskDefinition, this.now(), '');
    service.deployments.unshift(d);
    service.taskDefinition = taskDefinition;
  }

  settle(service: ServiceRecord): void {
    const { rolloutMs } = this.timings();
    for (;;) {
      const primary = service.deployments[0];
      if (!primary || primary.rolloutState !== 'IN_PROGRESS') return;
      const due = primary.createdAt + rolloutMs;
      if (this.now() < due) return;
      if (!this.isBroken(primary.taskDefinition)) {
        this.complete(service, primary, due);
        return;
      }
      if (!service.circuitBreaker.enable) return;
      this.fail(service, primary, due);
      const target = service.lastCompleted;
      if (!service.circuitBreaker.rollback || !target || target.taskDefinition === primary.taskDefinition)
        return;
      this.supersede(service);
      const rollback = this.deployment(
        target.taskDefinition,
        due,
        `ECS deployment circuit breaker: rolling back to deploymentId ${target.deploymentId}.`,
      );
      service.deployments.unshift(rollback);
      service.taskDefinition = target.taskDefinition;
      this.event(
        service,
        due,
        `(service ${service.name}) rolling back to deployment ${target.deploymentId}.`,
      );
    }
  }

  /**
   * Running, pending and failed tasks per deployment. A task that crashed is
   * pending again (its replacement starting) until the replacement runs, so the
   * service runs one short for that moment, as ECS does.
   */
  counts(service: ServiceRecord): Map<string, DeploymentCounts> {
    const out = this.steadyCounts(service);
    for (const [id, c] of out) {
      const replacing = Math.min(c.running, this.replacing(service, id));
      if (replacing > 0)
        out.set(id, { ...c, running: c.running - replacing, pending: c.pending + replacing });
    }
    return out;
  }

  private steadyCounts(service: ServiceRecord): Map<string, DeploymentCounts> {
    const out = new Map<string, DeploymentCounts>();
    const [primary, ...active] = service.deployments;
    if (!primary) return out;
    const p = this.primaryCounts(service, primary);
    out.set(primary.id, p);
    // Old tasks stay until new ones run (minimumHealthyPercent 100); newest drain last.
    let remaining = Math.max(0, service.desiredCount - p.running);
    for (const d of active) {
      const running = Math.min(d.runningAtSupersede, remaining);
      remaining -= running;
      out.set(d.id, { running, pending: 0, failed: d.failedTasks });
    }
    return out;
  }

  private primaryCounts(service: ServiceRecord, d: DeploymentRecord): DeploymentCounts {
    const desired = service.desiredCount;
    if (d.rolloutState === 'COMPLETED') return { running: desired, pending: 0, failed: d.failedTasks };
    if (d.rolloutState === 'FAILED') return { running: 0, pending: 0, failed: d.failedTasks };
    const { rolloutMs } = this.timings();
    const elapsed = Math.max(0, this.now() - d.createdAt);
    const progress = rolloutMs > 0 ? Math.min(1, elapsed / rolloutMs) : 1;
    if (this.isBroken(d.taskDefinition)) {
      const threshold = failureThreshold(desired);
      const failed = Math.floor((rolloutMs > 0 ? elapsed / rolloutMs : 1) * threshold);
      return {
        running: 0,
        pending: desired,
        failed: service.circuitBreaker.enable ? Math.min(failed, threshold) : failed,
      };
    }
    const running = Math.floor(progress * desired);
    return { running, pending: desired - running, failed: 0 };
  }

  private deployment(taskDefinition: string, at: number, reason: string): DeploymentRecord {
    const id = deploymentId();
    return {
      id,
      status: 'PRIMARY',
      taskDefinition,
      createdAt: at,
      updatedAt: at,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: reason || `ECS deployment ${id} in progress.`,
      failedTasks: 0,
      runningAtSupersede: 0,
    };
  }

  /** Every current deployment becomes ACTIVE, remembering how many tasks it runs now. */
  private supersede(service: ServiceRecord): void {
    const counts = this.steadyCounts(service);
    for (const d of service.deployments) {
      d.runningAtSupersede = counts.get(d.id)?.running ?? 0;
      d.status = 'ACTIVE';
    }
  }

  private complete(service: ServiceRecord, d: DeploymentRecord, at: number): void {
    d.status = 'PRIMARY';
    d.rolloutState = 'COMPLETED';
    // A rollback keeps saying it was one: that is what whoever reads it needs to know.
    if (!d.rolloutStateReason.includes('rolling back'))
      d.rolloutStateReason = `ECS deployment ${d.id} completed.`;
    d.updatedAt = at;
    service.deployments = [d];
    service.lastCompleted = { deploymentId: d.id, taskDefinition: d.taskDefinition };
    this.event(service, at, `(service ${service.name}) (deployment ${d.id}) deployment completed.`);
    this.event(service, at, `(service ${service.name}) has reached a steady state.`);
  }

  private fail(service: ServiceRecord, d: DeploymentRecord, at: number): void {
    d.rolloutState = 'FAILED';
    d.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
    d.failedTasks = failureThreshold(service.desiredCount);
    d.updatedAt = at;
    this.event(
      service,
      at,
      `(service ${service.name}) (deployment ${d.id}) deployment failed: tasks failed to start.`,
    );
  }

  event(service: ServiceRecord, at: number, message: string): void {
    service.events.unshift({ id: requestId(), createdAt: at, message });
    service.events.length = Math.min(service.events.length, MAX_EVENTS);
  }
}
