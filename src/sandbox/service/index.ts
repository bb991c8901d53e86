export { SimulatedService, type SimulatedServiceOptions } from './simulated-service';
export type { LoadBalancedRequest, ServiceBackend } from './service-backend';
export {
  TrafficGenerator,
  accessLine,
  type TrafficGeneratorOptions,
  type TrafficStats,
} from './traffic-generator';
export { TaskReplacer, nextReplacementDelay, type TaskReplacerOptions } from './task-replacer';
export {
  loadProfiles,
  parseProfiles,
  type ProfileFile,
  type TagProfile,
  type TrafficProfile,
  type TrafficProfileInput,
} from './profiles';
export type { ServiceStats } from './service-metrics';
