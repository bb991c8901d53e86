import { DEFAULT_ERROR_LINE } from './profiles';

/** Where the app's lines go: the emulator's CloudWatch Logs (AwsEmulator.appendLog). */
export type AppendLog = (group: string, stream: string, message: string, at?: number) => void;

/** The app the sandbox seeds: where its tasks run and where they log, unless an option says otherwise. */
export const BACKEND_APP = {
  cluster: 'social-analytics-cluster',
  service: 'backend-service',
  logGroup: '/ecs/social-analytics-backend',
  logStreamPrefix: 'ecs/backend',
} as const;

/** The app's log, in the option's group and stream prefix or the seeded backend's. */
export function appLogOf(
  append: AppendLog,
  options: { logGroup?: string; logStreamPrefix?: string },
): AppLog {
  return new AppLog(
    append,
    options.logGroup ?? BACKEND_APP.logGroup,
    options.logStreamPrefix ?? BACKEND_APP.logStreamPrefix,
  );
}

/**
 * The app's log group as the awslogs driver fills it: one stream per task
 * (here one pseudo task per tag), access lines and ERROR lines side by side.
 */
export class AppLog {
  private readonly errorLineIndex = new Map<string, number>();

  constructor(
    private readonly append: AppendLog,
    private readonly group: string,
    private readonly streamPrefix: string,
  ) {}

  write(tag: string, line: string, at: number): void {
    this.append(this.group, `${this.streamPrefix}/${pseudoTaskId(tag)}`, line, at);
  }

  /**
   * One ERROR line of `pool` (the default line when empty), cycling per tag and
   * pool so a failing build repeats its handful of exceptions, as real ones do.
   */
  writeError(tag: string, pool: readonly string[], at: number): void {
    const lines = pool.length > 0 ? pool : [DEFAULT_ERROR_LINE];
    const key = `${tag}\u0000${lines[0] ?? ''}`;
    const index = this.errorLineIndex.get(key) ?? 0;
    this.errorLineIndex.set(key, index + 1);
    this.write(tag, lines[index % lines.length] as string, at);
  }
}

/** A stable 32-hex "task id" per tag, so a tag's lines land in one stream. */
export function pseudoTaskId(tag: string): string {
  let h = 0x811c9dc5;
  for (const ch of tag) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0').repeat(4);
}
