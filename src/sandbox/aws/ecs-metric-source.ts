import type { EcsMetricName, EcsUtilization } from './ecs-utilization';
import { aggregate, MINUTE_MS, type MetricSource } from './metric-sources';

const ECS_METRICS: readonly string[] = ['CPUUtilization', 'MemoryUtilization'] satisfies EcsMetricName[];

/**
 * AWS/ECS as EcsUtilization derives it: one raw value a minute, the current
 * minute published at once (real ECS lags about a minute; kept so for the
 * sample figures monitoring reads today).
 */
export function ecsMetricSource(ecs: EcsUtilization): MetricSource {
  return {
    value(q, start, end, now) {
      const cluster = q.dimensions.get('ClusterName');
      const service = q.dimensions.get('ServiceName');
      if (q.namespace !== 'AWS/ECS' || !ECS_METRICS.includes(q.metricName ?? '')) return undefined;
      if (q.dimensions.size !== 2 || cluster === undefined || service === undefined) return undefined;
      if (q.unit !== undefined && q.unit !== 'Percent') return undefined;
      const values: number[] = [];
      for (
        let minute = Math.ceil(start / MINUTE_MS) * MINUTE_MS;
        minute < end && minute <= now;
        minute += MINUTE_MS
      ) {
        const value = ecs.percent(cluster, service, q.metricName as EcsMetricName, minute);
        if (value !== undefined) values.push(value);
      }
      return aggregate(q.stat, values);
    },
  };
}
