import type { EnvironmentConfig } from '../config/schema';
import type { ServiceState } from '../ports/container-platform';
import type { LoadBalancers } from '../ports/load-balancers';

/** The `monitoring.loadBalancers` setting: `auto`, `off`, or the pairs to read. */
export type LoadBalancersSetting = EnvironmentConfig['monitoring']['loadBalancers'];

/** One AWS/ApplicationELB metric series: a target group behind one load balancer, as dimension values. */
export interface LoadBalancerTarget {
  /** `targetgroup/<name>/<id>` */
  targetGroup: string;
  /** `app/<name>/<id>` */
  loadBalancer: string;
}

/**
 * The target groups whose load-balancer figures judge a release. `off` reads
 * none; a list is taken as configured (no AWS call); `auto` finds them in the
 * services' `loadBalancers` and names them with one DescribeTargetGroups. A
 * target group that forwards for several load balancers gives one target each
 * (each is its own series); one that no load balancer forwards to has no
 * metrics and is skipped, as is one that no longer exists. Each pair once, in
 * the order the services list them.
 */
export async function resolveTargets(
  setting: LoadBalancersSetting,
  services: readonly ServiceState[],
  lb: LoadBalancers | undefined,
): Promise<LoadBalancerTarget[]> {
  if (setting === 'off') return [];
  if (setting !== 'auto') return unique(setting.map((t) => ({ ...t })));
  // Discovery needs the ELB API; without it wired there is nothing to name the metrics by.
  if (!lb) return [];
  const arns = [...new Set(services.flatMap((s) => s.loadBalancers.map((l) => l.targetGroupArn)))];
  if (arns.length === 0) return [];
  const refs = await lb.describeTargetGroups(arns);
  return unique(
    refs.flatMap((ref) =>
      ref.loadBalancers.map((loadBalancer) => ({ targetGroup: ref.targetGroup, loadBalancer })),
    ),
  );
}

function unique(targets: LoadBalancerTarget[]): LoadBalancerTarget[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    const key = `${t.targetGroup} ${t.loadBalancer}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
