/**
 * HTTP health probing. Implemented with fetch in src/probes/http-probe.ts.
 * Never throws for an unhealthy answer: a refused connection or a timeout is a
 * result with `status` 0 and the reason in `error`.
 */
export interface ProbeResult {
  url: string;
  status: number;
  latencyMs: number;
  error?: string;
}

export interface Probe {
  get(url: string, timeoutMs: number): Promise<ProbeResult>;
}
