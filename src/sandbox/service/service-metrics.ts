/**
 * What the simulated service counts, rendered in the Prometheus text format
 * (a counter by path/status/version and a latency histogram), so the same
 * numbers a probe measures can be scraped from /metrics.
 */
const BUCKETS_SECONDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface ServiceStats {
  requests: number;
  errors: number;
  /** Requests per HTTP status. */
  byStatus: Record<string, number>;
  /** Requests per serving tag. */
  byTag: Record<string, number>;
  meanLatencyMs: number;
}

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class ServiceMetrics {
  private readonly counts = new Map<string, number>();
  private readonly buckets = BUCKETS_SECONDS.map(() => 0);
  private latencySum = 0;
  private latencyCount = 0;
  private readonly byStatus: Record<string, number> = {};
  private readonly byTag: Record<string, number> = {};

  observe(path: string, status: number, tag: string, latencyMs: number): void {
    const key = `path="${label(path)}",status="${status}",version="${label(tag)}"`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    const seconds = latencyMs / 1000;
    BUCKETS_SECONDS.forEach((le, i) => {
      if (seconds <= le) this.buckets[i] = (this.buckets[i] ?? 0) + 1;
    });
    this.latencySum += seconds;
    this.latencyCount += 1;
    this.byStatus[String(status)] = (this.byStatus[String(status)] ?? 0) + 1;
    this.byTag[tag] = (this.byTag[tag] ?? 0) + 1;
  }

  stats(): ServiceStats {
    const errors = Object.entries(this.byStatus)
      .filter(([status]) => Number(status) >= 500)
      .reduce((n, [, count]) => n + count, 0);
    return {
      requests: this.latencyCount,
      errors,
      byStatus: { ...this.byStatus },
      byTag: { ...this.byTag },
      meanLatencyMs: this.latencyCount === 0 ? 0 : (1000 * this.latencySum) / this.latencyCount,
    };
  }

  render(serving: { tag: string; share: number }[]): string {
    const lines = [
      '# HELP http_requests_total Requests answered, by path, status and serving version.',
      '# TYPE http_requests_total counter',
      ...[...this.counts].map(([labels, n]) => `http_requests_total{${labels}} ${n}`),
      '# HELP http_request_duration_seconds Request latency as the service saw it.',
      '# TYPE http_request_duration_seconds histogram',
      ...BUCKETS_SECONDS.map(
        (le, i) => `http_request_duration_seconds_bucket{le="${le}"} ${this.buckets[i] ?? 0}`,
      ),
      `http_request_duration_seconds_bucket{le="+Inf"} ${this.latencyCount}`,
      `http_request_duration_seconds_sum ${this.latencySum}`,
      `http_request_duration_seconds_count ${this.latencyCount}`,
      '# HELP app_serving_share Share of running tasks on each version.',
      '# TYPE app_serving_share gauge',
      ...serving.map((s) => `app_serving_share{version="${label(s.tag)}"} ${s.share}`),
    ];
    return `${lines.join('\n')}\n`;
  }
}
