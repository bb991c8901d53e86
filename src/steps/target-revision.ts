import { familyOf } from '../domain/image';
import { withTag } from '../aws/image-uri';
import type { StepContext } from './step-handler';

/**
 * The task-definition revision this release runs for a service: the service's
 * current revision with only the released containers' image tags changed.
 * Registered at most once per release and service, even across crashes: the
 * revision is recorded, and a revision registered just before a crash is
 * recognised by its `deploybot-release` tag.
 * Also records the revision the service ran before, which rollback goes back to.
 */
export async function ensureTargetRevision(
  ctx: StepContext,
  serviceName: string,
  currentTaskDefinition: string,
): Promise<string> {
  const facts = ctx.release.facts;
  const known = facts.targetTaskDefinitions[serviceName];
  if (known) return known;

  if (!facts.previousTaskDefinitions[serviceName]) {
    await ctx.record({
      facts: {
        previousTaskDefinitions: { ...facts.previousTaskDefinitions, [serviceName]: currentTaskDefinition },
      },
    });
  }
  const previous = ctx.release.facts.previousTaskDefinitions[serviceName] as string;
  const latest = await ctx.ports.platform.describeTaskDefinition(familyOf(previous));
  let target = latest.releaseTag === ctx.release.id ? latest.arn : undefined;
  if (!target) {
    const service = ctx.env.services.find((s) => s.name === serviceName);
    const source = await ctx.ports.platform.describeTaskDefinition(previous);
    const images: Record<string, string> = {};
    for (const container of source.containers) {
      if (service?.containers.includes(container.name)) {
        images[container.name] = withTag(container.image, ctx.release.version);
      }
    }
    const registered = await ctx.ports.platform.registerImageRevision({
      from: previous,
      images,
      releaseId: ctx.release.id,
    });
    target = registered.arn;
  }
  await ctx.record({
    facts: { targetTaskDefinitions: { ...ctx.release.facts.targetTaskDefinitions, [serviceName]: target } },
  });
  return target;
}
