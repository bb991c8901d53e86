/**
 * At most one `chat.update` per release every `intervalMs`, however many
 * changes arrive, and always a last one after the final change. The gate is
 * shared (Redis), so the web process and the workers together keep the pace.
 * Each send renders the release as stored at that moment, so skipping
 * intermediate states loses nothing. Given the release's channel, the gate
 * may also hold the release back for the channel's budget: the release stays
 * pending (its latest state wins) until the gate lets it through.
 */
export type UpdateGate = (releaseId: string, intervalMs: number, channel?: string) => Promise<number>;

export class UpdateCoalescer {
  /** Releases with an update asked for and not yet begun, with their channel when known. */
  private readonly pending = new Map<string, string | undefined>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Callers of flush() waiting for the next send of a release to begin and end. */
  private readonly waiting = new Map<string, (() => void)[]>();
  private closed = false;

  constructor(
    private readonly send: (releaseId: string) => Promise<void>,
    private readonly gate: UpdateGate,
    private readonly intervalMs = 2000,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Asks for the release's message (in `channel`, when known) to be brought up to date soon. */
  request(releaseId: string, channel?: string): void {
    if (this.closed) return;
    if (this.pending.has(releaseId)) {
      if (channel !== undefined) this.pending.set(releaseId, channel);
      return;
    }
    this.pending.set(releaseId, channel);
    void this.fire(releaseId);
  }

  /**
   * Asks for an update and resolves once one that renders the release as stored
   * now has been sent (or failed), or after `maxWaitMs` at the latest. A send
   * already under way when this is called may have read the store before the
   * caller's change, so only the next one counts. The rate stays the gate's.
   */
  flush(releaseId: string, maxWaitMs: number, channel?: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const wake = (): void => {
        if (timer) {
          clearTimeout(timer);
          this.timers.delete(timer);
        }
        resolve();
      };
      timer = setTimeout(wake, maxWaitMs);
      this.timers.add(timer);
      this.waiting.set(releaseId, [...(this.waiting.get(releaseId) ?? []), wake]);
      this.request(releaseId, channel);
    });
  }

  /** Stops scheduling; updates already due are dropped (the next process catches up). */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    // Nobody waits for a send that will not come.
    for (const list of this.waiting.values()) for (const wake of list) wake();
    this.waiting.clear();
  }

  private async fire(releaseId: string): Promise<void> {
    if (this.closed) return;
    let wait: number;
    try {
      wait = await this.gate(releaseId, this.intervalMs, this.pending.get(releaseId));
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
    // Changes from here on ask for another update, which the gate spaces out;
    // flushes asked for until now are answered by this send.
    this.pending.delete(releaseId);
    const waiters = this.waiting.get(releaseId) ?? [];
    this.waiting.delete(releaseId);
    try {
      await this.send(releaseId);
    } catch (error) {
      this.onError(error);
    } finally {
      for (const wake of waiters) wake();
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
