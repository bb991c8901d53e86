import { shortTaskDefinition } from '../domain/image';
import { StepFailure } from '../domain/errors';
import type { ServiceState } from '../ports/container-platform';
import type { StepContext, StepHandler, StepOutcome } from './step-handler';
import { ensureTargetRevision } from './target-revision';

/**
 * ECS rolling update of every service of the app (runbook "Deploy Application").
 * Done only when each service's PRIMARY deployment is COMPLETED *and* runs this
 * release's revision: when the circuit breaker rolls back, ECS also reports a
 * completed deployment, but of the old revision, and that is a failed release.
 */
export const deploy: StepHandler = {
  describe(env) {
    const names = env.services.map((s) => s.name).join(', ');
    return [
      `ECS DescribeServices ${env.cluster}: ${names}`,
      'ECS DescribeTaskDefinition + RegisterTaskDefinition (image tag swapped) per service',
      `ECS UpdateService per service: ${names}`,
      'ECS DescribeServices until each primary deployment is COMPLETED on the new revision',
    ];
  },
  timeoutMs: (env) => env.timeouts.deploy,
  async run(ctx) {
    // A rollback touches only the services the release it reverts had changed.
    const names = ctx.release.rollbackOf
      ? Object.keys(ctx.release.facts.targetTaskDefinitions)
      : ctx.env.services.map((s) => s.name);
    const services = await ctx.ports.platform.describeServices(ctx.env.cluster, names);
    const updatedAny = await startRollouts(ctx, services);
    if (updatedAny) {
      // The answer above predates UpdateService; judge the rollout on the next poll.
      return { kind: 'wait', note: `rolling out to ${names.join(', ')}` };
    }
    return judgeRollouts(ctx, services);
  },
};

/** UpdateService for each service not yet pointed at its target; true when any was updated now. */
async function startRollouts(ctx: StepContext, services: ServiceState[]): Promise<boolean> {
  const updated = { ...(ctx.step.progress.updated as Record<string, boolean> | undefined) };
  let changed = false;
  for (const service of services) {
    if (updated[service.name]) continue;
    const target = await ensureTargetRevision(ctx, service.name, service.taskDefinition);
    // A worker that died right after UpdateService left the target as the PRIMARY
    // deployment already. (An ACTIVE one running the target is an old rollout
    // being drained — during a rollback, the very revision we go back to.)
    const primary = service.deployments.find((d) => d.status === 'PRIMARY');
    if (primary?.taskDefinition !== target) {
      await ctx.ports.platform.updateService(ctx.env.cluster, service.name, target);
      changed = true;
    }
    updated[service.name] = true;
    await ctx.record({ progress: { updated } });
  }
  return changed;
}

function judgeRollouts(ctx: StepContext, services: ServiceState[]): StepOutcome {
  const waiting: string[] = [];
  const done: string[] = [];
  for (const service of services) {
    const target = ctx.release.facts.targetTaskDefinitions[service.name] as string;
    const primary = service.deployments.find((d) => d.status === 'PRIMARY');
    if (!primary) {
      waiting.push(`${service.name}: no primary deployment yet`);
      continue;
    }
    if (primary.rolloutState === 'FAILED') {
      throw new StepFailure(
        'rollout_failed',
        `${service.name}: rollout of ${shortTaskDefinition(target)} FAILED: ${primary.rolloutStateReason ?? 'no reason given'}${lastEvent(service)}`,
      );
    }
    if (primary.taskDefinition !== target) {
      throw new StepFailure(
        'rolled_back_by_ecs',
        `${service.name}: ECS rolled back to ${shortTaskDefinition(primary.taskDefinition)} instead of running ${shortTaskDefinition(target)}` +
          `${primary.rolloutStateReason ? ` (${primary.rolloutStateReason})` : ''}${lastEvent(service)}`,
      );
    }
    const complete =
      primary.rolloutState === 'COMPLETED' ||
      // Services on an external or older controller report no rollout state.
      (primary.rolloutState === undefined &&
        service.deployments.length === 1 &&
        primary.runningCount === primary.desiredCount);
    const line = `${service.name} → ${shortTaskDefinition(target)} (${primary.runningCount}/${primary.desiredCount} running)`;
    if (complete) done.push(line);
    else waiting.push(line);
  }
  if (waiting.length > 0) return { kind: 'wait', note: waiting.join('; ') };
  return { kind: 'done', summary: done.join('; ') };
}

function lastEvent(service: ServiceState): string {
  const event = service.events[0];
  return event ? `; last ECS event: ${event.message}` : '';
}
