import { parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';

/**
 * The runbook's system with durations short enough for tests: polls every
 * 20 ms, and a staging environment that production requires.
 */
export const TEST_CONFIG_YAML = `
engine:
  lockTtl: 10s
  startTimeout: 30s
  reconcileInterval: 1s
  pollInterval: 20ms
  concurrency: 4
  logsRequestsPerSecond: 25
apps:
  backend:
    environments:
      staging:
        cluster: social-analytics-staging
        services:
          - name: backend-service
            containers: [backend]
        logs: { group: /ecs/social-analytics-backend }
        health: { url: "http://staging.test", endpoints: [/health], interval: 20ms }
        monitoring: { window: 50ms, interval: 25ms, probes: 1, baselineProbes: 1 }
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
          timeout: 1m
        logs:
          group: /ecs/social-analytics-backend
        health:
          url: http://api.test
          endpoints: [/health, /health/ready, /metrics]
          attempts: 3
          interval: 20ms
        monitoring:
          window: 100ms
          interval: 25ms
          extendedWindow: 200ms
          extendedInterval: 50ms
          rollbackWindow: 50ms
          probes: 2
          baselineProbes: 3
          postEvery: 2
          followUps: [150ms, 300ms]
          reviewAfter: 200ms
        rollback:
          remindAfter: 100ms
          postmortemAfter: 150ms
        requireSuccessIn: staging
        deployers: [S0DEPLOYERS]
        approvers: [U0APPROVER]
`;

export function testConfig(): Config {
  return parseConfig(TEST_CONFIG_YAML, 'test config');
}
