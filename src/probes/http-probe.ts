import type { Probe, ProbeResult } from '../ports/probe';

/**
 * Health probing over HTTP with fetch. Redirects are not followed: a health
 * endpoint that redirects (to a login page, say) is not healthy.
 */
export class HttpProbe implements Probe {
  constructor(private readonly now: () => number = () => performance.now()) {}

  async get(url: string, timeoutMs: number): Promise<ProbeResult> {
    const started = this.now();
    try {
      const response = await fetch(url, {
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        headers: { 'user-agent': 'deploybot-probe' },
      });
      // Read the body so the connection is released, but never keep it.
      await response.arrayBuffer();
      return { url, status: response.status, latencyMs: this.now() - started };
    } catch (error) {
      const reason =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
          ? `no answer within ${timeoutMs}ms`
          : describe(error);
      return { url, status: 0, latencyMs: this.now() - started, error: reason };
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}
