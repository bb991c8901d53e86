import type { ServiceMetrics, ServiceUtilization } from '../../src/ports/metrics';

/**
 * CloudWatch's service CPU and memory behind our own port: percents set per
 * service (a service with none has no datapoint, i.e. is not measured), and
 * every request recorded so tests can pin how many were made and over what.
 */
export class FakeMetrics implements ServiceMetrics {
  readonly cpu = new Map<string, number>();
  readonly memory = new Map<string, number>();
  readonly calls: { cluster: string; services: string[]; from: number; to: number }[] = [];

  async utilization(
    cluster: string,
    services: readonly string[],
    from: number,
    to: number,
  ): Promise<ServiceUtilization[]> {
    this.calls.push({ cluster, services: [...services], from, to });
    return services.map((service) => {
      const cpu = this.cpu.get(service);
      const memory = this.memory.get(service);
      return { service, ...(cpu !== undefined && { cpu }), ...(memory !== undefined && { memory }) };
    });
  }
}
