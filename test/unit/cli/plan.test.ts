import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderPlan } from '../../../src/cli/plan';
import { parseConfig } from '../../../src/config/load';
import { resolveTarget } from '../../../src/config/target';
import { RELEASE_TYPES } from '../../../src/domain/release';

const EXAMPLE = parseConfig(readFileSync(join(__dirname, '../../../deploybot.example.yaml'), 'utf8'));

/** An app whose staging has no database and no migration, and whose production uses Aurora. */
const LEAN = parseConfig(`
apps:
  shop:
    environments:
      staging:
        cluster: shop-staging
        services: [{ name: web, containers: [web] }]
        logs: { group: /ecs/shop-staging }
        health: { url: "https://staging.shop.example.com", endpoints: [/health] }
      production:
        cluster: shop
        services: [{ name: web, containers: [web] }, { name: jobs, containers: [jobs] }]
        database: { cluster: shop-aurora }
        logs: { group: /ecs/shop }
        health: { url: "https://shop.example.com", endpoints: [/health, /ready] }
`);

/** The lines of one step's section (its name line and the calls under it). */
function section(plan: string, step: string): string[] {
  const lines = plan.split('\n');
  const start = lines.findIndex((l) => l === `  ${step}` || l.startsWith(`  – ${step}:`));
  assert.ok(start >= 0, `no ${step} in:\n${plan}`);
  const end = lines.findIndex((l, i) => i > start && /^ {2}\S/.test(l));
  return lines.slice(start, end < 0 ? undefined : end);
}

describe('renderPlan', () => {
  const production = renderPlan(resolveTarget(EXAMPLE, 'backend', 'production'), 'v1.2.0', 'minor');

  it('starts by saying what it plans and that nothing is changed', () => {
    assert.equal(
      production.split('\n')[0],
      'plan for v1.2.0 of backend to production (minor); nothing is changed',
    );
  });

  it('lists the seven steps in runbook order', () => {
    const steps = production
      .split('\n')
      .filter((l) => /^ {2}\S/.test(l))
      .map((l) => l.trim());
    assert.deepEqual(steps, ['preflight', 'backup', 'baseline', 'migrate', 'deploy', 'verify', 'monitor']);
  });

  it('lists the read-only checks of preflight', () => {
    const lines = section(production, 'preflight');
    for (const call of [
      '      ECS DescribeServices social-analytics-cluster: backend-service, worker-service',
      '      ECS DescribeTaskDefinition for each service',
      '      ECR DescribeImages for the new tag of each released container',
      '      RDS DescribeDBInstances social-analytics-db',
      '      release history: same version succeeded in staging',
    ]) {
      assert.ok(lines.includes(call), `missing ${call.trim()}`);
    }
  });

  it('lists the snapshot calls of backup', () => {
    assert.deepEqual(section(production, 'backup'), [
      '  backup',
      '      RDS CreateDBSnapshot of social-analytics-db',
      '      RDS DescribeDBSnapshots until available',
    ]);
  });

  it('lists the baseline of every signal monitoring judges against', () => {
    assert.deepEqual(section(production, 'baseline'), [
      '  baseline',
      '      HTTP GET each health endpoint 20 times: p50/p95/p99 and 5xx rate',
      '      CloudWatch Logs FilterLogEvents /ecs/social-analytics-backend "ERROR" over the last 15m 00s',
      "      CloudWatch Logs Insights: requests, 5xx and latency of /ecs/social-analytics-backend's access logs over the last 15m 00s",
      "      CloudWatch GetMetricData: the load balancer's and database's complete minutes over the last 15m 00s (target groups found with ELB DescribeTargetGroups)",
      '      CloudWatch DescribeAlarms: which alarms are OK now',
    ]);
  });

  it('lists the migration task with its command', () => {
    assert.deepEqual(section(production, 'migrate'), [
      '  migrate',
      "      ECS RegisterTaskDefinition: backend-service's task definition with the new image",
      '      ECS RunTask on social-analytics-cluster like backend-service, container backend: alembic upgrade head',
      '      ECS DescribeTasks until STOPPED; exit code must be 0',
      '      CloudWatch Logs GetLogEvents: the task log tail',
    ]);
  });

  it('lists the rollout of every service', () => {
    assert.deepEqual(section(production, 'deploy'), [
      '  deploy',
      '      ECS DescribeServices social-analytics-cluster: backend-service, worker-service',
      '      ECS DescribeTaskDefinition + RegisterTaskDefinition (image tag swapped) per service',
      '      ECS UpdateService per service: backend-service, worker-service',
      '      ECS DescribeServices until each primary deployment is COMPLETED on the new revision',
    ]);
  });

  it('lists one health request per endpoint', () => {
    assert.deepEqual(section(production, 'verify'), [
      '  verify',
      '      HTTP GET https://api.example.com/health expecting 2xx',
      '      HTTP GET https://api.example.com/health/ready expecting 2xx',
      '      HTTP GET https://api.example.com/metrics expecting 2xx',
    ]);
  });

  it('lists every signal of the monitoring window, what it costs in AWS requests and the IAM actions', () => {
    assert.deepEqual(section(production, 'monitor'), [
      '  monitor',
      '      every 1m 00s for 15m 00s, judged over a sliding 1m 00s (at least 300 requests, else inconclusive):',
      "      users' requests, 5xx and latency from /ecs/social-analytics-backend's access logs: one Logs Insights query (StartQuery + GetQueryResults polls) per sample moment shared by every app sampling then; FilterLogEvents if Insights fails — logs:StartQuery, logs:GetQueryResults, logs:FilterLogEvents",
      '      error logs /ecs/social-analytics-backend "ERROR" per slot, in the same shared Insights query (FilterLogEvents when alone) — logs:StartQuery, logs:FilterLogEvents',
      '      HTTP GET each health endpoint 5 times; ECS DescribeServices for running vs desired tasks — ecs:DescribeServices',
      '      crashed tasks of the new revision: ECS ListTasks (STOPPED) + DescribeTasks per service, at most every 30s — ecs:ListTasks, ecs:DescribeTasks',
      '      one CloudWatch GetMetricData per sample moment for every app: AWS/ECS CPU and memory of backend-service, worker-service, AWS/ApplicationELB RequestCount, HTTPCode_Target_5XX_Count, HTTPCode_ELB_5XX_Count, TargetResponseTime p50/p99, AWS/RDS DatabaseConnections — complete minutes only (published about 2 min late) — cloudwatch:GetMetricData, elasticloadbalancing:DescribeTargetGroups',
      '      CloudWatch DescribeAlarms of the configured alarms, at most every 30s — cloudwatch:DescribeAlarms',
      '      a status post in the thread every few samples; a rollback proposal when a rule fires on enough evidence',
    ]);
  });

  it('says a window without access logs is judged on the health probes', () => {
    const staging = renderPlan(resolveTarget(EXAMPLE, 'backend', 'staging'), 'v1.2.0', 'minor');
    assert.match(
      staging,
      /no access logs configured: users' traffic is judged on the bot's 5 health probes per endpoint and sample \(set monitoring\.accessLogs\)/,
    );
  });

  it('leaves CloudWatch metrics out of the monitoring plan where they are not enabled', () => {
    const staging = renderPlan(resolveTarget(EXAMPLE, 'backend', 'staging'), 'v1.2.0', 'minor');
    assert.doesNotMatch(staging, /GetMetricData/);
  });

  it('plans backup and migrate for the example staging, which has both', () => {
    const staging = renderPlan(resolveTarget(EXAMPLE, 'backend', 'staging'), 'v1.2.0', 'minor');
    assert.deepEqual(
      section(staging, 'backup')[1],
      '      RDS CreateDBSnapshot of social-analytics-db-staging',
    );
    assert.ok(!staging.includes('skipped'));
    assert.ok(!staging.includes('release history'), 'staging requires no other environment');
  });

  it('says why backup and migrate are skipped where no database or migration is configured', () => {
    const staging = renderPlan(resolveTarget(LEAN, 'shop', 'staging'), '1.4.0', 'minor');
    assert.deepEqual(section(staging, 'backup'), ['  – backup: skipped (no database configured)']);
    assert.deepEqual(section(staging, 'migrate'), ['  – migrate: skipped (no migration configured)']);
    assert.ok(!staging.includes('RDS'), 'no RDS call without a database');
    assert.ok(!staging.includes('RunTask'), 'no migration task without a migration');
  });

  it('uses the cluster snapshot calls for an Aurora database', () => {
    const plan = renderPlan(resolveTarget(LEAN, 'shop', 'production'), '1.4.0', 'major');
    assert.deepEqual(section(plan, 'backup'), [
      '  backup',
      '      RDS CreateDBClusterSnapshot of shop-aurora',
      '      RDS DescribeDBClusterSnapshots until available',
    ]);
    assert.ok(section(plan, 'preflight').includes('      RDS DescribeDBClusters shop-aurora'));
    assert.deepEqual(section(plan, 'migrate'), ['  – migrate: skipped (no migration configured)']);
  });

  it('lists one health request per endpoint of the environment', () => {
    const plan = renderPlan(resolveTarget(LEAN, 'shop', 'production'), '1.4.0', 'minor');
    assert.deepEqual(section(plan, 'verify').slice(1), [
      '      HTTP GET https://shop.example.com/health expecting 2xx',
      '      HTTP GET https://shop.example.com/ready expecting 2xx',
    ]);
  });

  for (const type of RELEASE_TYPES) {
    it(`names the ${type} release type and runs the same steps for it`, () => {
      const plan = renderPlan(resolveTarget(EXAMPLE, 'backend', 'production'), 'v2.0.0', type);
      assert.equal(
        plan.split('\n')[0],
        `plan for v2.0.0 of backend to production (${type}); nothing is changed`,
      );
      assert.deepEqual(
        plan
          .split('\n')
          .slice(1)
          .filter((l) => /^ {2}\S/.test(l))
          .map((l) => l.trim()),
        ['preflight', 'backup', 'baseline', 'migrate', 'deploy', 'verify', 'monitor'],
      );
    });
  }
});

describe('renderPlan for a major release', () => {
  it('shows the extended monitoring window a major release runs with', () => {
    const config = parseConfig(readFileSync(join(__dirname, '../../../deploybot.example.yaml'), 'utf8'));
    const text = renderPlan(resolveTarget(config, 'backend', 'production'), 'v2.0.0', 'major');
    assert.match(text, /every 10m 00s for 24h 00m, judged over a sliding 1m 00s/);
  });
});
