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
