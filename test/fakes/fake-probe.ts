import type { Probe, ProbeResult } from '../../src/ports/probe';

/** Answers health probes with a status per URL path (200 unless told otherwise). */
export class FakeProbe implements Probe {
  readonly statusByPath = new Map<string, number>();
  /** Wins over statusByPath: one environment's URL can fail while another's answers. */
  readonly statusByUrl = new Map<string, number>();
  readonly urls: string[] = [];
  /** Lets a test stop time in the middle of a probe, as for FakeCloud. */
  hook: (method: string, phase: 'before' | 'after') => Promise<void> = async () => undefined;

  async get(url: string): Promise<ProbeResult> {
    await this.hook('probe', 'before');
    this.urls.push(url);
    const status = this.statusByUrl.get(url) ?? this.statusByPath.get(new URL(url).pathname) ?? 200;
    return { url, status, latencyMs: 12 };
  }
}
