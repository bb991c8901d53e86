import assert from 'node:assert/strict';
import {
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { EcsContainerPlatform } from '../../../src/aws/ecs';
import { defaultSeed } from '../../../src/sandbox/aws';
import { ElbLoadBalancers } from '../../../src/aws/load-balancers';
import { resolveTargets } from '../../../src/steps/load-balancer-targets';
import { startAwsHarness, type AwsHarness } from './aws-harness';

const ELB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
const BACKEND_TG = `${ELB}:targetgroup/backend-tg/6d0ecf831eec9f09`;
const ALB = `${ELB}:loadbalancer/app/social-analytics-alb/50dc6c495c0c9188`;
const SPARE_TG = `${ELB}:targetgroup/spare-tg/0123456789abcdef`;
const ENDPOINT_VARIABLE = 'AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2';

describe('AwsEmulator ELBv2 through the real SDK and the ElbLoadBalancers adapter', () => {
  let h: AwsHarness;
  let client: ElasticLoadBalancingV2Client;
  let saved: string | undefined;

  beforeEach(async () => {
    saved = process.env[ENDPOINT_VARIABLE];
    // Production's seed plus a target group no listener uses yet.
    const seed = defaultSeed();
    seed.targetGroups = [
      ...(seed.targetGroups ?? []),
      {
        arn: SPARE_TG,
        loadBalancerArns: [],
        protocol: 'HTTP',
        port: 8080,
        vpcId: 'vpc-0a1b2c3d4e5f60718',
        healthCheckPath: '/health',
      },
    ];
    h = await startAwsHarness({ seed });
    // The client deploybot makes, pointed at the emulator by the SDK's own variable.
    client = h.clients.elbv2;
  });

  afterEach(async () => {
    client.destroy();
    await h.close();
    if (saved === undefined) delete process.env[ENDPOINT_VARIABLE];
    else process.env[ENDPOINT_VARIABLE] = saved;
  });

  it('describes the seeded target group with the load balancer that forwards to it', async () => {
    const out = await client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [BACKEND_TG] }));

    assert.equal(out.TargetGroups?.length, 1);
    const [group] = out.TargetGroups ?? [];
    assert.equal(group?.TargetGroupArn, BACKEND_TG);
    assert.equal(group?.TargetGroupName, 'backend-tg');
    assert.equal(group?.Port, 8000);
    assert.deepEqual(group?.LoadBalancerArns, [ALB]);
    assert.equal(out.NextMarker, undefined);
    assert.ok(h.emulator.calls.some((c) => c.service === 'elbv2' && c.action === 'DescribeTargetGroups'));
  });

  it('answers TargetGroupNotFound for an unknown ARN, which the SDK raises as its typed exception', async () => {
    await assert.rejects(
      client.send(
        new DescribeTargetGroupsCommand({
          TargetGroupArns: [BACKEND_TG, `${ELB}:targetgroup/gone/0123456789abcdef`],
        }),
      ),
      (err: Error) => err.name === 'TargetGroupNotFoundException',
    );
  });

  it('names the CloudWatch dimensions, leaving out a target group that does not exist', async () => {
    const refs = await new ElbLoadBalancers(client).describeTargetGroups([
      `${ELB}:targetgroup/gone/0123456789abcdef`,
      BACKEND_TG,
    ]);

    assert.deepEqual(refs, [
      {
        targetGroupArn: BACKEND_TG,
        targetGroup: 'targetgroup/backend-tg/6d0ecf831eec9f09',
        loadBalancers: ['app/social-analytics-alb/50dc6c495c0c9188'],
      },
    ]);
  });

  it("discovers production's metric series from the ECS services (auto)", async () => {
    const services = await new EcsContainerPlatform(h.clients.ecs).describeServices(
      'social-analytics-cluster',
      ['backend-service', 'worker-service'],
    );

    const targets = await resolveTargets('auto', services, new ElbLoadBalancers(client));

    assert.deepEqual(targets, [
      {
        targetGroup: 'targetgroup/backend-tg/6d0ecf831eec9f09',
        loadBalancer: 'app/social-analytics-alb/50dc6c495c0c9188',
      },
    ]);
  });

  it('pages by PageSize and keeps answering RDS beside ELBv2 on the same endpoint', async () => {
    const first = await client.send(new DescribeTargetGroupsCommand({ PageSize: 1 }));
    assert.ok(first.NextMarker);
    const second = await client.send(
      new DescribeTargetGroupsCommand({ PageSize: 1, Marker: first.NextMarker }),
    );
    assert.equal(second.NextMarker, undefined);
    assert.deepEqual(
      [...(first.TargetGroups ?? []), ...(second.TargetGroups ?? [])].map((g) => g.TargetGroupArn),
      [BACKEND_TG, SPARE_TG],
    );
    // A load balancer's target groups, and a target group nobody forwards to has no load balancer.
    const spare = await new ElbLoadBalancers(client).describeTargetGroups([SPARE_TG]);
    assert.deepEqual(spare, [
      { targetGroupArn: SPARE_TG, targetGroup: 'targetgroup/spare-tg/0123456789abcdef', loadBalancers: [] },
    ]);
    const behindAlb = await client.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: ALB }));
    assert.deepEqual(
      behindAlb.TargetGroups?.map((g) => g.TargetGroupArn),
      [BACKEND_TG],
    );

    const rds = await h.clients.rds.send(new DescribeDBInstancesCommand({}));
    assert.ok((rds.DBInstances ?? []).some((db) => db.DBInstanceIdentifier === 'social-analytics-db'));
  });
});
