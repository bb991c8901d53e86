export { SimulatedService, type ServiceBackend, type SimulatedServiceOptions } from './simulated-service';
export { loadProfiles, parseProfiles, type ProfileFile, type TagProfile } from './profiles';
export type { ServiceStats } from './service-metrics';
