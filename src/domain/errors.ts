/**
 * Every error deploybot raises on purpose has a stable `code` (for logs, chat and
 * tests to match on) and keeps the error that caused it.
 */
export class DeploybotError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input from a person (chat, CLI) that cannot be acted on. Nothing was started. */
export class InvalidRequestError extends DeploybotError {}

/** The configuration file is missing or does not validate. */
export class ConfigError extends DeploybotError {
  constructor(
    message: string,
    readonly problems: string[] = [],
    options?: { cause?: unknown },
  ) {
    super('config_invalid', message, options);
  }
}

/**
 * A step found something that retrying cannot fix (exit code 1, image missing,
 * circuit breaker rolled back). The release fails at once.
 */
export class StepFailure extends DeploybotError {}

/** A write based on an old copy of a release; the caller must reload and decide again. */
export class StaleWriteError extends DeploybotError {
  constructor(releaseId: string, expected: number, actual: number | undefined) {
    super(
      'stale_write',
      `release ${releaseId} changed underneath us (expected revision ${expected}, found ${actual ?? 'none'})`,
    );
  }
}

/**
 * An app+environment is held by another release or by a manual lock. The
 * message names the holder in words; `scope` (the app and environment that
 * were asked for) and `holder` let each front end add the command that helps:
 * the unlock command for a manual lock, the status command for a busy app.
 */
export class LockedError extends DeploybotError {
  constructor(
    message: string,
    readonly holder: unknown,
    readonly scope?: { app: string; environment: string },
  ) {
    super('locked', message);
  }
}

/**
 * A release the environment's schedule does not allow now (outside its
 * window, during a freeze). The message says the rule and the next allowed
 * time; `nextAllowedAt` lets a front end offer to queue it for then.
 */
export class OutOfScheduleError extends DeploybotError {
  constructor(
    message: string,
    readonly scope: { app: string; environment: string },
    readonly nextAllowedAt?: number,
  ) {
    super('out_of_schedule', message);
  }
}
