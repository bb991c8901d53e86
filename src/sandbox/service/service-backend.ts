import type { AwsEmulator } from '../aws';

/** One request as the load balancer in front of the service counts it (AWS/ApplicationELB, per target group). */
export type LoadBalancedRequest = Parameters<AwsEmulator['recordRequest']>[0];

/**
 * What the simulated service, its traffic and its task churn need from the
 * emulator: which tags serve, where logs go, what time it is — and the load
 * balancer's request metrics and ECS's task replacement. Those two are
 * optional so the service also runs against a smaller backend (the monitoring
 * bench's); callers call them when present.
 */
export type ServiceBackend = Pick<AwsEmulator, 'servingTags' | 'appendLog' | 'now'> &
  Partial<Pick<AwsEmulator, 'recordRequest' | 'replaceTask'>>;
