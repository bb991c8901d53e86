import { HttpProbe } from '../probes/http-probe';
import type { LogInsights } from '../ports/log-insights';
import type { StepPorts } from '../steps/step-handler';
import { createAwsClients, type AwsClientOptions } from './clients';
import { CloudWatchServiceMetrics } from './cloudwatch-metrics';
import { CloudWatchAlarms } from './alarms';
import { ElbLoadBalancers } from './load-balancers';
import { CloudWatchMetricData } from './metric-data';
import { EcrImageRegistry } from './ecr';
import { EcsContainerPlatform } from './ecs';
import { CloudWatchLogInsights } from './log-insights';
import { CloudWatchLogs } from './logs';
import { RdsDatabase } from './rds';

/** The real AWS (and HTTP) adapters behind the step ports. Clients connect lazily. */
export function createAwsPorts(
  options: AwsClientOptions = {},
): Omit<StepPorts, 'releases'> & { insights: LogInsights } {
  const aws = createAwsClients(options);
  return {
    platform: new EcsContainerPlatform(aws.ecs),
    registry: new EcrImageRegistry(aws.ecrForRegion),
    database: new RdsDatabase(aws.rds),
    logs: new CloudWatchLogs(aws.logs),
    insights: new CloudWatchLogInsights(aws.logs),
    metrics: new CloudWatchServiceMetrics(aws.cloudwatch),
    metricData: new CloudWatchMetricData(aws.cloudwatch),
    alarms: new CloudWatchAlarms(aws.cloudwatch),
    loadBalancers: new ElbLoadBalancers(aws.elbv2),
    probe: new HttpProbe(),
  };
}
