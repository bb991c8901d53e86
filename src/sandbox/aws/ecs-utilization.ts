import { loadProfiles, profileFor } from '../service/profiles';
import type { EcsState } from './ecs-state';
import { imageTag, sha256 } from './ids';

export type EcsMetricName = 'CPUUtilization' | 'MemoryUtilization';

/** Per image: what its tasks use, as a multiple of a healthy task (profiles.json `cpuFactor`, `memoryFactor`). */
export type LoadFactors = (image: string) => { cpu: number; memory: number };

/** What a healthy task uses, in percent of what it reserved. */
const BASELINE: Record<EcsMetricName, number> = { CPUUtilization: 25, MemoryUtilization: 40 };
/** Minute-to-minute noise, ± percentage points. */
const NOISE: Record<EcsMetricName, number> = { CPUUtilization: 3, MemoryUtilization: 1.5 };

/** The factors the sandbox's simulated service uses too: the bundled tag profiles. */
export function profileLoadFactors(): LoadFactors {
  const { profiles } = loadProfiles();
  return (image) => {
    const profile = profileFor(profiles, imageTag(image) ?? 'latest');
    return { cpu: profile.cpuFactor, memory: profile.memoryFactor };
  };
}

/**
 * The AWS/ECS service metrics, derived from what runs: a healthy task at about
 * 25 % CPU and 40 % memory, times its image's factors, averaged over the
 * service's running tasks (so a rollout shifts the figure as tasks move), plus
 * a little noise. The emulator keeps no history, so every minute answers with
 * the tasks running now; the noise depends only on (cluster, service, metric,
 * minute), so asking twice gives the same answer.
 */
export class EcsUtilization {
  constructor(
    private readonly ecs: EcsState,
    private readonly factors: LoadFactors,
  ) {}

  /** Percent for the minute starting at `minute`; undefined when the service is unknown or runs no task. */
  percent(cluster: string, service: string, metric: EcsMetricName, minute: number): number | undefined {
    const record = this.ecs.clusters.get(cluster)?.services.get(service);
    if (!record) return undefined;
    const running = this.ecs.runningImages(record).filter((i) => i.running > 0);
    const tasks = running.reduce((n, i) => n + i.running, 0);
    if (tasks === 0) return undefined;
    const factor =
      running.reduce((sum, i) => {
        const f = this.factors(i.image);
        return sum + i.running * (metric === 'CPUUtilization' ? f.cpu : f.memory);
      }, 0) / tasks;
    const value =
      BASELINE[metric] * factor + NOISE[metric] * noise(`${cluster}/${service}/${metric}/${minute}`);
    return Math.min(100, Math.max(0, value));
  }
}

/** A number in [-1, 1), the same for the same key. */
function noise(key: string): number {
  return (parseInt(sha256(key).slice(0, 8), 16) / 0x1_0000_0000) * 2 - 1;
}
