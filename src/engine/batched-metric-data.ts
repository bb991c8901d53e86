import type { MetricData, MetricPoint, MetricQuery } from '../ports/metric-data';

export interface MetricBatchOptions {
  /** How long the first read of a batch waits for others (apps sampling at the same moment). */
  windowMs: number;
}

const DEFAULTS: MetricBatchOptions = { windowMs: 200 };

interface PendingRead {
  queries: readonly MetricQuery[];
  from: number;
  to: number;
  resolve(points: MetricPoint[][]): void;
  reject(error: unknown): void;
}

/** One request's worth of reads: a shared range and the distinct queries they ask. */
interface Group {
  from: number;
  to: number;
  reads: PendingRead[];
}

/** Two queries with this key are the same question to CloudWatch (dimension order does not matter). */
export function queryKey(q: MetricQuery): string {
  const dimensions = [...q.dimensions]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((d) => [d.name, d.value]);
  return JSON.stringify([q.namespace, q.metricName, dimensions, q.stat, q.periodSeconds]);
}

/**
 * Metric reads of many apps in shared GetMetricData calls: reads asked within
 * `windowMs` of the first are answered together, a query asked by several
 * reads is sent once, and the inner MetricData splits the queries into
 * requests of at most 500.
 *
 * Reads over different ranges share a request only when that cannot change
 * their answer: CloudWatch's periods start at StartTime, so every query of a
 * read must have a period that divides both its offset from the shared start
 * and its own length. Each read then keeps only its own [from, to) of the
 * shared series. Ranges that do not line up get requests of their own.
 */
export class BatchedMetricData implements MetricData {
  private pending: PendingRead[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly options: MetricBatchOptions;

  constructor(
    private readonly inner: MetricData,
    options: Partial<MetricBatchOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  read(queries: readonly MetricQuery[], fromMs: number, toMs: number): Promise<MetricPoint[][]> {
    if (queries.length === 0 || !(toMs > fromMs)) return Promise.resolve(queries.map(() => []));
    return new Promise((resolve, reject) => {
      this.pending.push({ queries, from: fromMs, to: toMs, resolve, reject });
      this.timer ??= setTimeout(() => this.flush(), this.options.windowMs);
    });
  }

  private flush(): void {
    const reads = this.pending;
    this.pending = [];
    this.timer = undefined;
    for (const group of groups(reads)) void this.answer(group);
  }

  private async answer(group: Group): Promise<void> {
    const distinct = new Map<string, MetricQuery>();
    for (const read of group.reads) for (const q of read.queries) distinct.set(queryKey(q), q);
    const keys = [...distinct.keys()];
    let series: MetricPoint[][];
    try {
      series = await this.inner.read([...distinct.values()], group.from, group.to);
    } catch (error) {
      for (const read of group.reads) read.reject(error);
      return;
    }
    const byKey = new Map(keys.map((key, i) => [key, series[i] ?? []]));
    for (const read of group.reads) {
      read.resolve(
        read.queries.map((q) =>
          (byKey.get(queryKey(q)) ?? []).filter((p) => p.at >= read.from && p.at < read.to),
        ),
      );
    }
  }
}

/** Whether a read's periods line up with a request starting at `start`. */
function alignsWith(read: PendingRead, start: number): boolean {
  return read.queries.every((q) => {
    const periodMs = q.periodSeconds * 1000;
    return (read.from - start) % periodMs === 0 && (read.to - read.from) % periodMs === 0;
  });
}

/**
 * Reads grouped into as few requests as alignment allows: earliest first, each
 * read joins the first group whose start its periods line up with. A read
 * that is not whole periods long (its last period partial) goes alone, as its
 * own EndTime decides what its last datapoint holds.
 */
function groups(reads: PendingRead[]): Group[] {
  const out: Group[] = [];
  for (const read of [...reads].sort((a, b) => a.from - b.from)) {
    const group = out.find((g) => alignsWith(read, g.from) && g.reads.every((r) => alignsWith(r, g.from)));
    if (group) {
      group.to = Math.max(group.to, read.to);
      group.reads.push(read);
    } else {
      out.push({ from: read.from, to: read.to, reads: [read] });
    }
  }
  return out;
}
