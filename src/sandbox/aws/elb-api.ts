import { AwsError } from './errors';
import { decodeToken, encodeToken } from './ids';
import type { QueryInput } from './query-input';
import type { QueryService } from './query-protocol';
import type { SeedTargetGroup } from './types';
import { xmlList, type XmlObject } from './xml';

/**
 * Elastic Load Balancing v2 as monitoring reads it: DescribeTargetGroups over
 * the seeded target groups (awsQuery, version 2015-12-01). As ELBv2 does, a
 * call that names any target group (by ARN or name) that does not exist fails
 * whole with TargetGroupNotFound; a load balancer that does not exist is
 * LoadBalancerNotFound; the three filters exclude one another.
 */

export const ELB_VERSION = '2015-12-01';

// ELBv2's own error code for bad input (its query errors have no "Exception" suffix).
function validationError(message: string): AwsError {
  return new AwsError('ValidationError', message);
}

function targetGroupXml(g: SeedTargetGroup): XmlObject {
  return {
    TargetGroupArn: g.arn,
    TargetGroupName: nameOf(g.arn),
    Protocol: g.protocol,
    Port: g.port,
    VpcId: g.vpcId,
    HealthCheckProtocol: g.protocol,
    HealthCheckPort: 'traffic-port',
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: 30,
    HealthCheckTimeoutSeconds: 5,
    HealthyThresholdCount: 5,
    UnhealthyThresholdCount: 2,
    HealthCheckPath: g.healthCheckPath,
    Matcher: { HttpCode: '200' },
    LoadBalancerArns: xmlList('member', [...g.loadBalancerArns]),
    TargetType: 'ip',
    ProtocolVersion: 'HTTP1',
    IpAddressType: 'ipv4',
  };
}

/** `arn:…:targetgroup/<name>/<id>` → `<name>`. */
function nameOf(arn: string): string {
  return arn.split(':targetgroup/')[1]?.split('/')[0] ?? '';
}

export function elbService(targetGroups: readonly SeedTargetGroup[]): QueryService {
  function describeTargetGroups(input: QueryInput): XmlObject {
    const arns = input.stringList('TargetGroupArns', 'member');
    const names = input.stringList('Names', 'member');
    const loadBalancer = input.string('LoadBalancerArn');
    const filters = [arns.length > 0, names.length > 0, loadBalancer !== undefined].filter(Boolean).length;
    if (filters > 1) {
      throw validationError('Only one of LoadBalancerArn, TargetGroupArns or Names can be specified.');
    }
    let found: (SeedTargetGroup | undefined)[];
    if (arns.length > 0) {
      found = arns.map((arn) => targetGroups.find((g) => g.arn === arn));
    } else if (names.length > 0) {
      found = names.map((name) => targetGroups.find((g) => nameOf(g.arn) === name));
    } else if (loadBalancer !== undefined) {
      if (!targetGroups.some((g) => g.loadBalancerArns.includes(loadBalancer)))
        throw new AwsError('LoadBalancerNotFound', `Load balancers '[${loadBalancer}]' not found`);
      found = targetGroups.filter((g) => g.loadBalancerArns.includes(loadBalancer));
    } else {
      found = [...targetGroups];
    }
    const groups = found.filter((g): g is SeedTargetGroup => g !== undefined);
    if (groups.length < found.length)
      throw new AwsError('TargetGroupNotFound', 'One or more target groups not found');

    const size = input.integer('PageSize') ?? 400;
    if (size < 1 || size > 400) throw validationError('PageSize must be between 1 and 400.');
    const query = { arns, names, loadBalancer };
    const marker = input.string('Marker');
    const offset = marker === undefined ? 0 : decodeToken(marker, query);
    if (offset === undefined) throw validationError('Invalid Marker.');
    const page = groups.slice(offset, offset + size);
    const next = offset + page.length;
    return {
      TargetGroups: xmlList('member', page.map(targetGroupXml)),
      ...(next < groups.length && { NextMarker: encodeToken(next, query) }),
    };
  }

  return {
    version: ELB_VERSION,
    xmlns: `http://elasticloadbalancing.amazonaws.com/doc/${ELB_VERSION}/`,
    operations: {
      DescribeTargetGroups: {
        accepts: ['TargetGroupArns', 'Names', 'LoadBalancerArn', 'Marker', 'PageSize'],
        run: describeTargetGroups,
      },
    },
  };
}
