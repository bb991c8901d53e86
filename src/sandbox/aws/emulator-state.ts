import type { EcsState } from './ecs-state';
import type { Tasks } from './ecs-tasks';
import type { EcrRegistry } from './ecr';
import type { LogStore } from './logs-store';
import type { RdsState } from './rds-state';
import type { EmulatorTimings, ThrottleMode } from './types';

/** A JSON snapshot of everything the emulator holds, for a sandbox UI and for debugging tests. */
export interface EmulatorState {
  now: number;
  timings: EmulatorTimings;
  throttling: Partial<Record<string, ThrottleMode>>;
  clusters: {
    name: string;
    services: {
      name: string;
      taskDefinition: string;
      desiredCount: number;
      runningCount: number;
      pendingCount: number;
      servingTags: { tag: string; share: number }[];
      deployments: {
        id: string;
        status: string;
        taskDefinition: string;
        rolloutState: string;
        rolloutStateReason: string;
        running: number;
        pending: number;
        failed: number;
      }[];
      /** Newest first. */
      events: { at: number; message: string }[];
    }[];
  }[];
  tasks: {
    arn: string;
    cluster: string;
    taskDefinition: string;
    command: string[];
    startedBy?: string;
    lastStatus: string;
    exitCode?: number;
  }[];
  repositories: { name: string; tags: string[] }[];
  databases: { kind: 'instance' | 'cluster'; id: string; status: string }[];
  snapshots: {
    kind: 'instance' | 'cluster';
    id: string;
    source: string;
    status: string;
    percentProgress: number;
  }[];
  logGroups: { group: string; streams: number; events: number }[];
}

export interface StateSources {
  now: number;
  timings: EmulatorTimings;
  throttling: Partial<Record<string, ThrottleMode>>;
  ecs: EcsState;
  tasks: Tasks;
  ecr: EcrRegistry;
  rds: RdsState;
  logs: LogStore;
  servingTags(cluster: string, service: string): { tag: string; share: number }[];
}

const EVENTS_SHOWN = 10;

export function buildState(s: StateSources): EmulatorState {
  return {
    now: s.now,
    timings: { ...s.timings },
    throttling: s.throttling,
    clusters: [...s.ecs.clusters.values()].map((cluster) => ({
      name: cluster.name,
      services: [...cluster.services.values()].map((service) => {
        const counts = s.ecs.counts(service);
        const sum = (key: 'running' | 'pending') => [...counts.values()].reduce((n, c) => n + c[key], 0);
        return {
          name: service.name,
          taskDefinition: service.taskDefinition,
          desiredCount: service.desiredCount,
          runningCount: sum('running'),
          pendingCount: sum('pending'),
          servingTags: s.servingTags(cluster.name, service.name),
          deployments: service.deployments.map((d) => ({
            id: d.id,
            status: d.status,
            taskDefinition: d.taskDefinition,
            rolloutState: d.rolloutState,
            rolloutStateReason: d.rolloutStateReason,
            ...(counts.get(d.id) ?? { running: 0, pending: 0, failed: 0 }),
          })),
          events: service.events.slice(0, EVENTS_SHOWN).map((e) => ({ at: e.createdAt, message: e.message })),
        };
      }),
    })),
    tasks: s.tasks.records.map((t) => {
      const phase = s.tasks.phase(t);
      return {
        arn: t.arn,
        cluster: t.clusterName,
        taskDefinition: t.definition.arn,
        command: t.command,
        ...(t.startedBy !== undefined && { startedBy: t.startedBy }),
        lastStatus: phase.lastStatus,
        ...(phase.lastStatus === 'STOPPED' && !t.broken && { exitCode: t.script.exitCode }),
      };
    }),
    repositories: [...s.ecr.repositories.entries()].map(([name, repo]) => ({
      name,
      tags: [...repo.images.keys()],
    })),
    databases: [
      ...[...s.rds.instances.values()].map((i) => ({
        kind: 'instance' as const,
        id: i.id,
        status: s.rds.instanceStatus(i),
      })),
      ...[...s.rds.clusters.values()].map((c) => ({
        kind: 'cluster' as const,
        id: c.id,
        status: s.rds.clusterStatus(c),
      })),
    ],
    snapshots: [...s.rds.snapshots.values()].map((snap) => {
      const { status, percent } = s.rds.progress(snap);
      return { kind: snap.kind, id: snap.id, source: snap.sourceId, status, percentProgress: percent };
    }),
    logGroups: s.logs.summary(),
  };
}
