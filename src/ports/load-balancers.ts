/**
 * Elastic Load Balancing v2, as monitoring needs it: which load balancer a
 * target group belongs to, so that its CloudWatch metrics can be named
 * (AWS/ApplicationELB metrics of a target group carry both the `TargetGroup`
 * and the `LoadBalancer` dimension). Implemented by src/aws/load-balancers.ts
 * with DescribeTargetGroups.
 *
 * Invariants: one answer per ARN asked, in order; a target group that does not
 * exist is absent. Dimension values are the ARN suffixes CloudWatch uses:
 * `targetgroup/<name>/<id>` and `app/<name>/<id>`.
 */
export interface TargetGroupMetricsRef {
  targetGroupArn: string;
  /** `targetgroup/<name>/<id>` */
  targetGroup: string;
  /** `app/<name>/<id>` of each load balancer that forwards to it (usually one). */
  loadBalancers: string[];
}

export interface LoadBalancers {
  describeTargetGroups(arns: readonly string[]): Promise<TargetGroupMetricsRef[]>;
}
