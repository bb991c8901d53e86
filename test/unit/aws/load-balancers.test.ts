import assert from 'node:assert/strict';
import {
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  TargetGroupNotFoundException,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { dimensionOf, ElbLoadBalancers } from '../../../src/aws/load-balancers';

const ELB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012';
const tgArn = (name: string) => `${ELB}:targetgroup/${name}/6d0ecf831eec9f09`;
const ALB = `${ELB}:loadbalancer/app/web-alb/50dc6c495c0c9188`;

function group(name: string, loadBalancers: string[] = [ALB]): TargetGroup {
  return { TargetGroupArn: tgArn(name), TargetGroupName: name, LoadBalancerArns: loadBalancers };
}

function notFound(): TargetGroupNotFoundException {
  return new TargetGroupNotFoundException({ message: 'One or more target groups not found', $metadata: {} });
}

describe('ElbLoadBalancers', () => {
  const client = new ElasticLoadBalancingV2Client({ region: 'eu-west-1' });
  const elb = mockClient(client);
  const balancers = new ElbLoadBalancers(client);

  beforeEach(() => elb.reset());
  after(() => elb.restore());

  it('names each target group and its load balancers as CloudWatch dimensions', async () => {
    elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [group('web-tg')] });

    const refs = await balancers.describeTargetGroups([tgArn('web-tg')]);

    assert.deepEqual(elb.commandCall(0, DescribeTargetGroupsCommand).args[0].input, {
      TargetGroupArns: [tgArn('web-tg')],
    });
    assert.deepEqual(refs, [
      {
        targetGroupArn: tgArn('web-tg'),
        targetGroup: 'targetgroup/web-tg/6d0ecf831eec9f09',
        loadBalancers: ['app/web-alb/50dc6c495c0c9188'],
      },
    ]);
  });

  it('answers in the order asked, whatever order ELB answers in, and asks for each ARN once', async () => {
    elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [group('b'), group('a', [])] });

    const refs = await balancers.describeTargetGroups([tgArn('a'), tgArn('b'), tgArn('a')]);

    assert.deepEqual(elb.commandCall(0, DescribeTargetGroupsCommand).args[0].input.TargetGroupArns, [
      tgArn('a'),
      tgArn('b'),
    ]);
    assert.deepEqual(
      refs.map((r) => [r.targetGroup, r.loadBalancers]),
      [
        ['targetgroup/a/6d0ecf831eec9f09', []],
        ['targetgroup/b/6d0ecf831eec9f09', ['app/web-alb/50dc6c495c0c9188']],
        ['targetgroup/a/6d0ecf831eec9f09', []],
      ],
    );
  });

  it('asks for at most twenty target groups a call and follows NextMarker', async () => {
    const names = Array.from({ length: 23 }, (_, i) => `tg-${i}`);
    elb.on(DescribeTargetGroupsCommand).callsFake((input: { TargetGroupArns: string[]; Marker?: string }) => {
      const groups = input.TargetGroupArns.map((arn) => group(arn.split('/')[1] as string));
      // The first batch comes in two pages.
      if (input.TargetGroupArns.length === 20 && input.Marker === undefined)
        return { TargetGroups: groups.slice(0, 10), NextMarker: 'm2' };
      if (input.Marker === 'm2') return { TargetGroups: groups.slice(10) };
      return { TargetGroups: groups };
    });

    const refs = await balancers.describeTargetGroups(names.map(tgArn));

    const calls = elb.commandCalls(DescribeTargetGroupsCommand).map((c) => c.args[0].input);
    assert.deepEqual(
      calls.map((c) => [c.TargetGroupArns?.length, c.Marker]),
      [
        [20, undefined],
        [20, 'm2'],
        [3, undefined],
      ],
    );
    assert.equal(refs.length, 23);
  });

  it('leaves out a target group that no longer exists, keeping the others', async () => {
    elb.on(DescribeTargetGroupsCommand).callsFake((input: { TargetGroupArns: string[] }) => {
      if (input.TargetGroupArns.includes(tgArn('gone'))) throw notFound();
      return { TargetGroups: input.TargetGroupArns.map((arn) => group(arn.split('/')[1] as string)) };
    });

    const refs = await balancers.describeTargetGroups([tgArn('a'), tgArn('gone'), tgArn('b')]);

    assert.deepEqual(
      refs.map((r) => r.targetGroupArn),
      [tgArn('a'), tgArn('b')],
    );
    // The batch, then each ARN on its own.
    assert.equal(elb.commandCalls(DescribeTargetGroupsCommand).length, 4);
  });

  it('answers [] for a single missing target group with one call', async () => {
    elb.on(DescribeTargetGroupsCommand).rejects(notFound());

    assert.deepEqual(await balancers.describeTargetGroups([tgArn('gone')]), []);
    assert.equal(elb.commandCalls(DescribeTargetGroupsCommand).length, 1);
  });

  it('lets other errors through, for the step to retry', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    elb.on(DescribeTargetGroupsCommand).rejects(throttled);

    await assert.rejects(balancers.describeTargetGroups([tgArn('a'), tgArn('b')]), /Rate exceeded/);
  });

  it('makes no call for no ARNs', async () => {
    assert.deepEqual(await balancers.describeTargetGroups([]), []);
    assert.equal(elb.commandCalls(DescribeTargetGroupsCommand).length, 0);
  });

  describe('dimensionOf', () => {
    it('takes the part CloudWatch uses from each kind of ARN', () => {
      assert.equal(dimensionOf(tgArn('web'), 'targetgroup'), 'targetgroup/web/6d0ecf831eec9f09');
      assert.equal(dimensionOf(ALB, 'loadbalancer'), 'app/web-alb/50dc6c495c0c9188');
      assert.equal(
        dimensionOf(`${ELB}:loadbalancer/net/web-nlb/50dc6c495c0c9188`, 'loadbalancer'),
        'net/web-nlb/50dc6c495c0c9188',
      );
      assert.equal(dimensionOf('not-an-arn', 'targetgroup'), undefined);
    });
  });
});
