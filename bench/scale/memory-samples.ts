/**
 * Memory over the run, sampled once a second: each bot process's peak RSS
 * (VmHWM from /proc, the kernel's own high-water mark, so a peak between two
 * samples is not missed) and Redis's used_memory, whose growth over the
 * baseline divided by the releases in flight is the cost of one release.
 */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** The kernel's peak resident set of `pid`, in MB; undefined once the process is gone. */
export function peakRssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const bytes = /^used_memory:(\d+)/m.exec(info)?.[1];
  if (bytes === undefined) throw new Error('INFO memory has no used_memory');
  return Number(bytes);
}

export class MemorySampler {
  /** Highest VmHWM seen per process name (MB). */
  readonly peakRss = new Map<string, number>();
  /** Highest used_memory seen (bytes). */
  peakRedis = 0;
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly processes: () => { name: string; pid: number | undefined }[],
  ) {}

  start(everyMs = 1_000): void {
    this.timer = setInterval(() => {
      this.sampling = this.sample().catch(() => undefined);
    }, everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sampling;
    await this.sample();
  }

  private async sample(): Promise<void> {
    for (const p of this.processes()) {
      const mb = p.pid === undefined ? undefined : peakRssMb(p.pid);
      if (mb !== undefined) this.peakRss.set(p.name, Math.max(this.peakRss.get(p.name) ?? 0, mb));
    }
    this.peakRedis = Math.max(this.peakRedis, await usedMemory(this.redis));
  }
}

/** Bytes held under `prefix` (MEMORY USAGE of every key) and how many keys, by the key's kind (the segment after the prefix). */
export async function keysUnder(
  redis: Redis,
  prefix: string,
): Promise<{ bytes: number; keys: number; byKind: Map<string, { bytes: number; keys: number }> }> {
  const byKind = new Map<string, { bytes: number; keys: number }>();
  let bytes = 0;
  let keys = 0;
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of found) {
      const size = Number((await redis.memory('USAGE', key)) ?? 0);
      const kind = key
        .slice(prefix.length + 1)
        .split(':')
        .slice(0, key.includes(':bull:') ? 3 : 1)
        .join(':');
      const entry = byKind.get(kind) ?? { bytes: 0, keys: 0 };
      entry.bytes += size;
      entry.keys += 1;
      byKind.set(kind, entry);
      bytes += size;
      keys += 1;
    }
  } while (cursor !== '0');
  return { bytes, keys, byKind };
}
