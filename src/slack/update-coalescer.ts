/**
 * At most one `chat.update` per release every `intervalMs`, however many
 * changes arrive, and always a last one after the final change. The gate is
 * shared (Redis), so the web process and the workers together keep the pace.
 * Each send renders the release as stored at that moment, so skipping
 * intermediate states loses nothing.
 */
export type UpdateGate = (releaseId: string, intervalMs: number) => Promise<number>;

export class UpdateCoalescer {
  private readonly pending = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly send: (releaseId: string) => Promise<void>,
    private readonly gate: UpdateGate,
    private readonly intervalMs = 2000,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Asks for the release's message to be brought up to date soon. */
  request(releaseId: string): void {
    if (this.closed || this.pending.has(releaseId)) return;
    this.pending.add(releaseId);
    void this.fire(releaseId);
  }

  /** Stops scheduling; updates already due are dropped (the next process catches up). */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private async fire(releaseId: string): Promise<void> {
    if (this.closed) return;
    let wait: number;
    try {
      wait = await this.gate(releaseId, this.intervalMs);
    } catch (error) {
      this.onError(error);
      wait = this.intervalMs;
    }
    // close() may have come while the gate was asked.
    if (this.closed) return;
    if (wait > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.fire(releaseId);
      }, wait);
      this.timers.add(timer);
      return;
    }
    // Changes from here on ask for another update, which the gate spaces out.
    this.pending.delete(releaseId);
    try {
      await this.send(releaseId);
    } catch (error) {
      this.onError(error);
    }
  }
}

/** In-process gate, for a single process or tests without Redis. */
export function memoryGate(now: () => number): UpdateGate {
  const next = new Map<string, number>();
  return async (releaseId, intervalMs) => {
    const at = next.get(releaseId) ?? 0;
    if (at > now()) return at - now();
    next.set(releaseId, now() + intervalMs);
    return 0;
  };
}
