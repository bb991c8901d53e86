import { endpointUrl } from '../domain/health';
import { PLAN_RULES } from '../domain/plan';
import { StepFailure } from '../domain/errors';
import { parseEcrImage, withTag } from '../aws/image-uri';
import type { ReleaseFacts } from '../domain/release';
import type { StepContext, StepHandler, StepOutcome } from './step-handler';

/**
 * Read-only checks before anything changes (runbook "Environment Preparation").
 * Every check runs, so one failure report lists all that is wrong.
 * Check ids are stable: the Slack checklist ticks its items from them.
 */
export interface CheckResult {
  id: string;
  ok: boolean;
  text: string;
}

export const preflight: StepHandler = {
  describe(env) {
    return [
      `ECS DescribeServices ${env.cluster}: ${env.services.map((s) => s.name).join(', ')}`,
      'ECS DescribeTaskDefinition for each service',
      'ECR DescribeImages for the new tag of each released container',
      ...(env.database
        ? [`RDS Describe${env.database.kind === 'cluster' ? 'DBClusters' : 'DBInstances'} ${env.database.id}`]
        : []),
      ...(env.requireSuccessIn
        ? [
            `release history: same version succeeded in ${env.requireSuccessIn}`,
            `HTTP GET ${env.requireSuccessIn}'s health endpoints`,
          ]
        : []),
    ];
  },
  timeoutMs: (env) => env.timeouts.preflight,
  async run(ctx) {
    const critical = PLAN_RULES[ctx.release.type].preflight === 'critical';
    const images = await checkServicesAndImages(ctx, critical);
    const checks = [
      ...images.checks,
      ...(await checkDatabase(ctx)),
      ...(critical ? [] : await checkRequiredEnvironment(ctx)),
    ];
    // Kept on the step so the checklist can tick what preflight proved, pass or fail.
    // The change time goes with them in one write; facts are written once, so a
    // better-known time (an image label, a commit) recorded earlier stays.
    await ctx.record({
      progress: { checks: checks.map((c) => ({ id: c.id, ok: c.ok, text: c.text })) },
      ...(images.changeAt !== undefined && { facts: { changeAt: images.changeAt } }),
    });
    return conclude(checks, critical);
  },
};

/**
 * DORA's lead time starts when the change came to exist; the earliest push of
 * the release's images is the closest ECR knows to that.
 */
async function checkServicesAndImages(
  ctx: StepContext,
  critical: boolean,
): Promise<{ checks: CheckResult[]; changeAt?: ReleaseFacts['changeAt'] }> {
  const { env, ports, release } = ctx;
  const services = await ports.platform.describeServices(
    env.cluster,
    env.services.map((s) => s.name),
  );
  const checks: CheckResult[] = [];
  let firstPush: number | undefined;
  for (const [index, service] of services.entries()) {
    const rollouts = service.deployments.length;
    checks.push({
      id: `service-idle:${service.name}`,
      ok: rollouts === 1,
      text:
        rollouts === 1
          ? `${service.name}: no rollout in progress`
          : `${service.name}: ${rollouts} deployments in flight; wait for the current rollout to finish`,
    });
    // A degraded service is exactly when a hotfix must still go out.
    if (!critical) {
      checks.push({
        id: `service-steady:${service.name}`,
        ok: service.runningCount === service.desiredCount,
        text: `${service.name}: ${service.runningCount}/${service.desiredCount} tasks running`,
      });
    }
    const taskDefinition = await ports.platform.describeTaskDefinition(service.taskDefinition);
    const containers = env.services[index]?.containers ?? [];
    for (const name of containers) {
      const container = taskDefinition.containers.find((c) => c.name === name);
      if (!container) {
        checks.push({
          id: `image:${name}`,
          ok: false,
          text: `${service.name}: task definition ${taskDefinition.family} has no container "${name}"`,
        });
        continue;
      }
      const image = withTag(container.image, release.version);
      const ecr = parseEcrImage(image);
      if (!ecr) {
        checks.push({ id: `image:${name}`, ok: true, text: `${image}: not in ECR, existence not checked` });
        continue;
      }
      const details = await ports.registry.describeImage(ecr);
      checks.push({
        id: `image:${name}`,
        ok: details !== undefined,
        text: details ? `${image} is pushed` : `${image} is not in ECR; push it first`,
      });
      const pushedAt = details?.pushedAt;
      if (pushedAt !== undefined && (firstPush === undefined || pushedAt < firstPush)) firstPush = pushedAt;
    }
  }
  return { checks, ...(firstPush !== undefined && { changeAt: { at: firstPush, source: 'ecr-push' } }) };
}

async function checkDatabase(ctx: StepContext): Promise<CheckResult[]> {
  const db = ctx.env.database;
  if (!db) return [];
  const status = await ctx.ports.database.status(db);
  return [
    {
      id: 'database-available',
      ok: status === 'available',
      text: `database ${db.id} is ${status}`,
    },
  ];
}

/** Production only takes versions that already went green in the environment before it. */
async function checkRequiredEnvironment(ctx: StepContext): Promise<CheckResult[]> {
  const required = ctx.env.requireSuccessIn;
  if (!required) return [];
  const { release } = ctx;
  const earlier = await ctx.ports.releases.history(release.app, { environment: required, limit: 100 });
  const green = earlier.find((r) => r.version === release.version && r.state === 'succeeded');
  const checks: CheckResult[] = [
    {
      id: 'required-environment',
      ok: green !== undefined,
      text: green
        ? `${release.version} succeeded in ${required} (release ${green.id})`
        : `${release.version} has not succeeded in ${required} yet; release it there first (or use --type hotfix)`,
    },
  ];
  const health = ctx.requiredEnv?.health;
  if (health) {
    const results = await Promise.all(
      health.endpoints.map((path) => ctx.ports.probe.get(endpointUrl(health.url, path), health.timeout)),
    );
    const bad = results.filter((r) => r.status < 200 || r.status >= 300);
    checks.push({
      id: 'required-environment-healthy',
      ok: bad.length === 0,
      text:
        bad.length === 0
          ? `${required} is healthy (${results.length} endpoints 2xx)`
          : `${required} is unhealthy: ${bad.map((r) => `${r.url} → ${r.status || r.error}`).join(', ')}`,
    });
  }
  return checks;
}

function conclude(checks: CheckResult[], critical: boolean): StepOutcome {
  const details = checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.text}`);
  const failed = checks.filter((c) => !c.ok);
  if (failed.length > 0) {
    throw new StepFailure(
      'preflight_failed',
      `preflight found ${failed.length} problem${failed.length === 1 ? '' : 's'}: ${failed.map((c) => c.text).join('; ')}`,
    );
  }
  const what = critical ? 'critical checks (hotfix)' : 'checks';
  return { kind: 'done', summary: `${checks.length} ${what} passed`, details };
}
