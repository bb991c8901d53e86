/**
 * A local AWS for deploybot: ECS, ECR, CloudWatch Logs and metrics, and RDS on one loopback
 * port, speaking the real wire protocols. Point the unchanged SDK clients at it
 * through the environment:
 *
 *   const aws = new AwsEmulator();            // seeded with the runbook's system
 *   await aws.start();
 *   Object.assign(process.env, aws.environment()); // AWS_ENDPOINT_URL_ECS, …
 *
 * and move time with the `now` option (tests) or let the wall clock do it (sandbox).
 */
export { AwsEmulator } from './emulator';
export type { EmulatorState } from './emulator-state';
export { defaultSeed, SEED_TAGS } from './seed';
export {
  DEFAULT_TIMINGS,
  type AwsEmulatorOptions,
  type AwsServiceName,
  type CommandMatcher,
  type EmulatorCall,
  type EmulatorTimings,
  type SandboxSeed,
  type SeedService,
  type TaskScript,
  type ThrottleMode,
} from './types';
