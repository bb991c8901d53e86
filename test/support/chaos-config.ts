/**
 * The deploybot.yaml the chaos processes read: the emulator's seeded system
 * (production: social-analytics-cluster with backend-service and
 * worker-service, RDS social-analytics-db, a migration; staging: its own
 * cluster and database, so it has a lock of its own) with timings short enough
 * that a whole release, monitoring included, takes well under a minute.
 */
export interface ChaosWindows {
  /** Production's monitoring window and sampling interval (ms). */
  windowMs: number;
  intervalMs: number;
  /** How long a rollback is watched (ms). */
  rollbackWindowMs: number;
}

export const CHAOS_WINDOWS: ChaosWindows = { windowMs: 30_000, intervalMs: 5_000, rollbackWindowMs: 15_000 };

/** The users the fake Slack knows: who asks for releases, and who may approve rollbacks. */
export const REQUESTER = 'U0REQUESTER';
export const APPROVERS = ['U0APPROVER', 'U0DEPLOYER'] as const;

/** Engine settings a test may change; unset, the engine's own defaults apply. */
export interface ChaosEngineOptions {
  /** engine.reconcileInterval (ms): how often the reconciler and the deploy queues' sweep run (default a minute). */
  reconcileIntervalMs?: number;
}

export function chaosConfigYaml(
  healthUrl: string,
  windows: ChaosWindows = CHAOS_WINDOWS,
  engine: ChaosEngineOptions = {},
): string {
  const ms = (n: number) => `${Math.round(n)}ms`;
  const reconcile =
    engine.reconcileIntervalMs !== undefined
      ? `\n  reconcileInterval: ${ms(engine.reconcileIntervalMs)}`
      : '';
  return `
slack:
  channel: engineering
engine:
  lockTtl: 5m
  startTimeout: 30m
  pollInterval: 1s
  concurrency: 20
  logsRequestsPerSecond: 20${reconcile}
apps:
  backend:
    environments:
      production:
        cluster: social-analytics-cluster
        services:
          - name: backend-service
            containers: [backend]
          - name: worker-service
            containers: [worker]
        database:
          instance: social-analytics-db
        migration:
          service: backend-service
          container: backend
          command: alembic upgrade head
          rollbackCommand: alembic downgrade -1
          timeout: 2m
        logs:
          group: /ecs/social-analytics-backend
          errorPattern: ERROR
        health:
          url: ${JSON.stringify(healthUrl)}
          endpoints: [/health, /health/ready]
          timeout: 2s
          attempts: 3
          interval: 1s
        monitoring:
          window: ${ms(windows.windowMs)}
          interval: ${ms(windows.intervalMs)}
          extendedWindow: ${ms(windows.windowMs * 2)}
          extendedInterval: ${ms(windows.intervalMs * 2)}
          rollbackWindow: ${ms(windows.rollbackWindowMs)}
          probes: 2
          baselineProbes: 4
          postEvery: 3
          followUps: [1h]
          reviewAfter: 1h
          accessLogs:
            json: { status: status, latency: latency_ms }
          loadBalancers: "off"
        rollback:
          twoPersonRule: true
          remindAfter: 30m
          postmortemAfter: 1h
        timeouts:
          backup: 5m
          deploy: 5m
        deployers: [U0REQUESTER, U0DEPLOYER, U0APPROVER]
        approvers: [${APPROVERS.join(', ')}]
      staging:
        cluster: social-analytics-staging
        services:
          - name: backend-service
            containers: [backend]
        database:
          instance: social-analytics-db-staging
        logs:
          group: /ecs/social-analytics-backend-staging
        health:
          url: ${JSON.stringify(healthUrl)}
          endpoints: [/health]
          interval: 1s
        deployers: [U0REQUESTER, U0DEPLOYER, U0APPROVER]
        approvers: [${APPROVERS.join(', ')}]
`;
}
