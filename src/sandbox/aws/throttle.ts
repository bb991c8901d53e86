import type { AwsServiceName, ThrottleMode } from './types';

interface Switch {
  everyNth?: number;
  next: number;
  calls: number;
}

/**
 * Switchable rate limiting per service, to exercise the SDK's own retries and
 * our transient-error classification. Counting starts when a mode is set.
 */
export class Throttle {
  private readonly switches = new Map<AwsServiceName, Switch>();

  set(service: AwsServiceName, mode: ThrottleMode | undefined): void {
    if (!mode) {
      this.switches.delete(service);
      return;
    }
    for (const [key, value] of Object.entries(mode)) {
      if (value !== undefined && (!Number.isInteger(value) || (value as number) < 0)) {
        throw new Error(`throttling ${key} must be a non-negative integer, got ${String(value)}`);
      }
    }
    this.switches.set(service, {
      ...(mode.everyNth !== undefined && mode.everyNth > 0 && { everyNth: mode.everyNth }),
      next: mode.next ?? 0,
      calls: 0,
    });
  }

  /** Counts one call to `service`; true when it is to be answered with a throttling error. */
  take(service: AwsServiceName): boolean {
    const s = this.switches.get(service);
    if (!s) return false;
    s.calls += 1;
    if (s.next > 0) {
      s.next -= 1;
      return true;
    }
    return s.everyNth !== undefined && s.calls % s.everyNth === 0;
  }

  describe(): Partial<Record<AwsServiceName, ThrottleMode>> {
    const out: Partial<Record<AwsServiceName, ThrottleMode>> = {};
    for (const [service, s] of this.switches) {
      out[service] = { ...(s.everyNth !== undefined && { everyNth: s.everyNth }), next: s.next };
    }
    return out;
  }
}
