import assert from 'node:assert/strict';
import type { ServiceState } from '../../../src/ports/container-platform';
import type { LoadBalancers, TargetGroupMetricsRef } from '../../../src/ports/load-balancers';
import { resolveTargets } from '../../../src/steps/load-balancer-targets';

const ELB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
const tg = (name: string) => `${ELB}:targetgroup/${name}/6d0ecf831eec9f09`;

function service(name: string, targetGroups: string[]): ServiceState {
  return {
    name,
    arn: `arn:aws:ecs:us-east-1:123456789012:service/prod/${name}`,
    status: 'ACTIVE',
    taskDefinition: `arn:aws:ecs:us-east-1:123456789012:task-definition/${name}:1`,
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    deployments: [],
    events: [],
    loadBalancers: targetGroups.map((targetGroupArn) => ({
      targetGroupArn,
      containerName: name,
      containerPort: 80,
    })),
  };
}

/** A load-balancer port that knows some target groups and records what it was asked. */
class KnownTargetGroups implements LoadBalancers {
  readonly asked: (readonly string[])[] = [];
  constructor(private readonly known: Record<string, string[]>) {}
  async describeTargetGroups(arns: readonly string[]): Promise<TargetGroupMetricsRef[]> {
    this.asked.push(arns);
    return arns.flatMap((arn) => {
      const lbs = this.known[arn];
      if (!lbs) return [];
      return [
        {
          targetGroupArn: arn,
          targetGroup: `targetgroup/${arn.split('/')[1]}/6d0ecf831eec9f09`,
          loadBalancers: lbs,
        },
      ];
    });
  }
}

describe('resolveTargets', () => {
  const services = [
    service('web', [tg('web')]),
    service('api', [tg('api'), tg('web')]),
    service('worker', []),
  ];

  it('reads none when off, without asking ELB', async () => {
    const lb = new KnownTargetGroups({});
    assert.deepEqual(await resolveTargets('off', services, lb), []);
    assert.equal(lb.asked.length, 0);
  });

  it('takes a configured list as it is, once each, without asking ELB', async () => {
    const lb = new KnownTargetGroups({});
    const pair = {
      targetGroup: 'targetgroup/web/6d0ecf831eec9f09',
      loadBalancer: 'app/alb/50dc6c495c0c9188',
    };
    assert.deepEqual(await resolveTargets([pair, { ...pair }], services, lb), [pair]);
    assert.equal(lb.asked.length, 0);
  });

  it("discovers the services' target groups with one call, each target group once", async () => {
    const lb = new KnownTargetGroups({
      [tg('web')]: ['app/alb/50dc6c495c0c9188'],
      [tg('api')]: ['app/alb/50dc6c495c0c9188', 'app/internal/0123456789abcdef'],
    });

    const targets = await resolveTargets('auto', services, lb);

    assert.deepEqual(lb.asked, [[tg('web'), tg('api')]]);
    assert.deepEqual(targets, [
      { targetGroup: 'targetgroup/web/6d0ecf831eec9f09', loadBalancer: 'app/alb/50dc6c495c0c9188' },
      { targetGroup: 'targetgroup/api/6d0ecf831eec9f09', loadBalancer: 'app/alb/50dc6c495c0c9188' },
      { targetGroup: 'targetgroup/api/6d0ecf831eec9f09', loadBalancer: 'app/internal/0123456789abcdef' },
    ]);
  });

  it('skips a target group no load balancer forwards to, and one that no longer exists', async () => {
    const lb = new KnownTargetGroups({ [tg('api')]: [] });

    assert.deepEqual(await resolveTargets('auto', services, lb), []);
  });

  it('makes no call when no service has a load balancer', async () => {
    const lb = new KnownTargetGroups({});
    assert.deepEqual(await resolveTargets('auto', [service('worker', [])], lb), []);
    assert.equal(lb.asked.length, 0);
  });
});
