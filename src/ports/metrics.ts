/**
 * CPU and memory of ECS services, as CloudWatch's AWS/ECS metrics report them
 * (runbook "CPU/Memory utilization normal"). Implemented in
 * src/aws/cloudwatch-metrics.ts.
 *
 * Invariants: utilization answers one entry per requested service, in the order
 * asked. A figure is the average percent of what the service's tasks reserved,
 * over [fromMs, toMs) at the metrics' one-minute resolution (so it may cover the
 * whole minutes around the range, and may exceed 100 when tasks burst). A figure
 * CloudWatch has no datapoint for (no task ran, the minute is not published yet)
 * is absent, never 0. All services are read in one request (and its pages).
 */
export interface ServiceUtilization {
  service: string;
  cpu?: number;
  memory?: number;
}

export interface ServiceMetrics {
  utilization(
    cluster: string,
    services: readonly string[],
    fromMs: number,
    toMs: number,
  ): Promise<ServiceUtilization[]>;
}
