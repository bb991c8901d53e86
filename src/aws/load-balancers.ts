import {
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { LoadBalancers, TargetGroupMetricsRef } from '../ports/load-balancers';

// The API reference sets no limit on TargetGroupArns (only PageSize ≤ 400); twenty
// a call, ELBv2's documented limit for ARN lists elsewhere (DescribeTags), keeps a
// request well inside any unstated one. A release has a handful at most.
const DESCRIBE_BATCH = 20;

/**
 * The CloudWatch dimension value of an ELBv2 ARN: what follows the resource type's
 * `:` — `arn:…:targetgroup/web/6d0e…` → `targetgroup/web/6d0e…`,
 * `arn:…:loadbalancer/app/alb/50dc…` → `app/alb/50dc…`.
 */
export function dimensionOf(arn: string, resource: 'targetgroup' | 'loadbalancer'): string | undefined {
  const marker = `:${resource}/`;
  const at = arn.indexOf(marker);
  if (at < 0) return undefined;
  const rest = arn.slice(at + marker.length);
  return resource === 'targetgroup' ? `targetgroup/${rest}` : rest;
}

function toRef(group: TargetGroup): TargetGroupMetricsRef | undefined {
  const arn = group.TargetGroupArn;
  const targetGroup = arn === undefined ? undefined : dimensionOf(arn, 'targetgroup');
  if (arn === undefined || targetGroup === undefined) return undefined;
  const loadBalancers = (group.LoadBalancerArns ?? [])
    .map((lb) => dimensionOf(lb, 'loadbalancer'))
    .filter((d): d is string => d !== undefined);
  return { targetGroupArn: arn, targetGroup, loadBalancers };
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && err.name === 'TargetGroupNotFoundException';
}

/**
 * LoadBalancers over DescribeTargetGroups. ELBv2 refuses the whole call with
 * TargetGroupNotFound when one ARN asked does not exist; the port wants the
 * others anyway (a deleted target group must not hide its neighbours), so a
 * refused batch is asked again one ARN at a time and the missing ones left out.
 */
export class ElbLoadBalancers implements LoadBalancers {
  constructor(private readonly elb: ElasticLoadBalancingV2Client) {}

  async describeTargetGroups(arns: readonly string[]): Promise<TargetGroupMetricsRef[]> {
    const unique = [...new Set(arns)];
    const found = new Map<string, TargetGroupMetricsRef>();
    for (let i = 0; i < unique.length; i += DESCRIBE_BATCH) {
      const batch = unique.slice(i, i + DESCRIBE_BATCH);
      const groups = await this.describe(batch).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
        // A batch of one is answered: that one is missing.
        return batch.length === 1 ? [] : this.describeEach(batch);
      });
      for (const group of groups) {
        const ref = toRef(group);
        if (ref) found.set(ref.targetGroupArn, ref);
      }
    }
    // One answer per ARN asked, in the order asked.
    return arns.flatMap((arn) => {
      const ref = found.get(arn);
      return ref ? [ref] : [];
    });
  }

  private async describeEach(arns: string[]): Promise<TargetGroup[]> {
    const groups: TargetGroup[] = [];
    for (const arn of arns) {
      try {
        groups.push(...(await this.describe([arn])));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return groups;
  }

  /** Every page: the batch is below PageSize, but a NextMarker is followed rather than trusted away. */
  private async describe(arns: string[]): Promise<TargetGroup[]> {
    const groups: TargetGroup[] = [];
    let marker: string | undefined;
    do {
      const out = await this.elb.send(
        new DescribeTargetGroupsCommand({ TargetGroupArns: arns, ...(marker && { Marker: marker }) }),
      );
      groups.push(...(out.TargetGroups ?? []));
      marker = out.NextMarker;
    } while (marker);
    return groups;
  }
}
