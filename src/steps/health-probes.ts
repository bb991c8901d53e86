import type { EnvironmentConfig } from '../config/schema';
import { endpointUrl } from '../domain/health';
import type { ProbeResult } from '../ports/probe';
import type { StepPorts } from './step-handler';

/**
 * Probes every health endpoint `times` times, a few at a time, so that a
 * sample takes about as long as its slowest answers and not their sum.
 */
export async function probeEndpoints(
  ports: Pick<StepPorts, 'probe'>,
  health: EnvironmentConfig['health'],
  times: number,
): Promise<ProbeResult[]> {
  const urls = health.endpoints.flatMap((path) =>
    Array.from({ length: times }, () => endpointUrl(health.url, path)),
  );
  const results: ProbeResult[] = [];
  const batch = 5;
  for (let i = 0; i < urls.length; i += batch) {
    results.push(
      ...(await Promise.all(urls.slice(i, i + batch).map((url) => ports.probe.get(url, health.timeout)))),
    );
  }
  return results;
}
