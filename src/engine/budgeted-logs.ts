import type { LogEvent, LogEventsOptions, Logs } from '../ports/logs';

/**
 * Logs behind a shared request budget (see src/redis/request-budget.ts): a
 * sample that would exceed the account's budget is taken a little later, over
 * the same time range, rather than sent and throttled. `events` may read many
 * pages: each page takes its own token.
 */
export class BudgetedLogs implements Logs {
  /** `inner` is looked up per call, so wiring never touches an adapter a process does not use. */
  constructor(
    private readonly inner: () => Logs,
    private readonly budget: { take(): Promise<void> },
  ) {}

  async tail(group: string, stream: string, limit: number): Promise<string[]> {
    await this.budget.take();
    return this.inner().tail(group, stream, limit);
  }

  async countMatches(group: string, pattern: string, startMs: number, endMs: number): Promise<number> {
    await this.budget.take();
    return this.inner().countMatches(group, pattern, startMs, endMs);
  }

  events(group: string, startMs: number, endMs: number, options: LogEventsOptions = {}): Promise<LogEvent[]> {
    return this.inner().events(group, startMs, endMs, {
      ...options,
      beforePage: async () => {
        await options.beforePage?.();
        await this.budget.take();
      },
    });
  }
}
