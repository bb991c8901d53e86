import { parseConfig } from '../config/load';
import type { Config } from '../config/schema';

/**
 * The sandbox's deploybot.yaml: the runbook's system as the emulator seeds it,
 * with durations short enough that a whole story — release, monitoring, a bad
 * release, the rollback — fits in a few minutes.
 */
export interface SandboxWindows {
  window: string;
  interval: string;
  rollbackWindow: string;
}

/** About two minutes of monitoring, sampled every 5 s: long enough to watch, short enough to wait for. */
export const SANDBOX_WINDOWS: SandboxWindows = { window: '2m', interval: '5s', rollbackWindow: '1m' };

/**
 * Who may do what in the sandbox's backend/production, also shown on the page's
 * persona switch: Riley (requester), Dana (deployer) and Alex (approver) deploy,
 * start and tick; only Alex approves rollbacks (never of a release Alex
 * requested: two-person rule) and lifts the lock a rollback leaves; Sam
 * (outsider) may only watch.
 */
export const SANDBOX_PEOPLE = {
  deployers: ['U0REQUESTER', 'U0DEPLOYER', 'U0APPROVER'],
  approvers: ['U0APPROVER'],
  // Required items are ticked by the people who answer for the release, not by
  // anyone who happens to be in the channel.
  checklist: { tickers: ['U0REQUESTER', 'U0DEPLOYER', 'U0APPROVER'] },
  rollback: { twoPersonRule: true },
} as const;

export function sandboxConfig(serviceUrl: string, windows: SandboxWindows = SANDBOX_WINDOWS): Config {
  return parseConfig(
    `
slack:
  channel: engineering
  onCall: U0DEPLOYER
engine:
  lockTtl: 5m
  startTimeout: 30m
  pollInterval: 1s
  concurrency: 50
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
          url: ${JSON.stringify(serviceUrl)}
          endpoints: [/health, /health/ready, /metrics]
          timeout: 2s
          attempts: 3
          interval: 2s
        monitoring:
          window: ${windows.window}
          interval: ${windows.interval}
          extendedWindow: 5m
          extendedInterval: 10s
          rollbackWindow: ${windows.rollbackWindow}
          probes: 5
          baselineProbes: 10
          postEvery: 6
          followUps: [5m, 15m]
          reviewAfter: 10m
          metrics: true
          # The simulated users' access-log lines (TrafficGenerator): {"status":200,"latency_ms":31.2,...}
          accessLogs:
            json: { status: status, latency: latency_ms }
          loadBalancers: auto
          alarms:
            prefix: social-analytics-
        rollback:
          errorRate: 0.05
          latencyFactor: 2
          consecutive: 2
          twoPersonRule: ${SANDBOX_PEOPLE.rollback.twoPersonRule}
          remindAfter: 1m
          postmortemAfter: 5m
        timeouts:
          backup: 5m
          deploy: 5m
        deployers: ${JSON.stringify(SANDBOX_PEOPLE.deployers)}
        approvers: ${JSON.stringify(SANDBOX_PEOPLE.approvers)}
        checklist:
          tickers: ${JSON.stringify(SANDBOX_PEOPLE.checklist.tickers)}
`,
    'sandbox configuration',
  );
}
