import { BACKEND_APP } from './app-log';
import type { ServiceBackend } from './service-backend';
import type { Random } from './traffic-model';

export interface TaskReplacerOptions {
  cluster?: string;
  service?: string;
  /** Mean time between replacements; 0 turns the timer off (replaceNow() still works). */
  everyMs?: number;
  /** Each delay is everyMs × (1 ± jitter), uniformly; 0.5 by default. */
  jitter?: number;
  random?: Random;
  /** A replacement that threw (the emulator refused it); the timer keeps going. */
  onError?: (error: unknown) => void;
}

export const DEFAULT_REPLACEMENT_EVERY_MS = 4 * 60_000;

/** The delay before the next replacement: everyMs × (1 + jitter × (2·draw − 1)), never negative. */
export function nextReplacementDelay(everyMs: number, jitter: number, draw: number): number {
  return Math.max(0, Math.round(everyMs * (1 + jitter * (2 * draw - 1))));
}

/**
 * Ordinary task churn: every few minutes (jittered, so it never lines up with
 * monitoring samples) one task of the service is stopped and replaced by a
 * healthy one, as ECS does after a failed health check or host maintenance.
 * Monitoring must not read this as a crash. Needs the emulator's replaceTask;
 * against a backend without it the replacer does nothing.
 */
export class TaskReplacer {
  private timer: NodeJS.Timeout | undefined;
  private replaced = 0;
  private failed = 0;
  private stopped = true;

  constructor(
    private readonly backend: ServiceBackend,
    private readonly options: TaskReplacerOptions = {},
  ) {}

  /** True when the backend can replace tasks at all. */
  get supported(): boolean {
    return typeof this.backend.replaceTask === 'function';
  }

  start(): void {
    if (!this.stopped) throw new Error('TaskReplacer is already started');
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Replaces one task now; false when the backend cannot or refused (onError saw why). */
  replaceNow(): boolean {
    const replace = this.backend.replaceTask;
    if (typeof replace !== 'function') return false;
    try {
      replace.call(
        this.backend,
        this.options.cluster ?? BACKEND_APP.cluster,
        this.options.service ?? BACKEND_APP.service,
      );
      this.replaced += 1;
      return true;
    } catch (error) {
      this.fail(error);
      return false;
    }
  }

  private fail(error: unknown): void {
    this.failed += 1;
    this.options.onError?.(error);
  }

  counts(): { replaced: number; failed: number } {
    return { replaced: this.replaced, failed: this.failed };
  }

  private schedule(): void {
    const everyMs = this.options.everyMs ?? DEFAULT_REPLACEMENT_EVERY_MS;
    if (this.stopped || everyMs <= 0 || !this.supported) return;
    const delay = nextReplacementDelay(
      everyMs,
      this.options.jitter ?? 0.5,
      (this.options.random ?? Math.random)(),
    );
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.replaceNow();
      this.schedule();
    }, delay);
    // Churn alone must never keep a process alive.
    this.timer.unref();
  }
}
