import type { StoppedTask } from '../ports/container-platform';
import type { Crash } from './monitoring';

/**
 * What a crash is, from ECS's own account of a stopped task (stopCode,
 * stoppedReason, the containers' exit codes), as the ECS developer guide's
 * "stopped tasks error codes" describe them:
 *
 * - TaskFailedToStart: the task never ran (image pull, secrets, network,
 *   resources). Always a crash: a release whose tasks cannot start is broken.
 * - EssentialContainerExited: an essential container stopped on its own, which
 *   stops the task. A crash when it exited non-zero (1, a segfault's 139, an OOM
 *   kill's 137) or ECS names an OutOfMemoryError; an exit 0 is the process
 *   ending as it meant to, not a crash.
 * - ServiceSchedulerInitiated: ECS stopped the task (scale-in, a deployment
 *   replacing it, AZ rebalancing, maintenance). Not a crash — its containers exit
 *   143 or 137 after the SIGTERM — except when the scheduler stopped it because
 *   it failed its load balancer or container health checks: that is the build
 *   being unhealthy, which is exactly what a crash signal is for.
 * - UserInitiated (StopTask), SpotInterruption, TerminationNotice,
 *   InfrastructureHealth: someone or something outside the build stopped it.
 *   Never a crash, whatever the exit codes.
 * - No or an unknown stopCode (old agents, codes newer than this list): judged
 *   by the reason ECS gives and the exit codes, as for EssentialContainerExited.
 */

const NOT_A_CRASH = new Set([
  'UserInitiated',
  'SpotInterruption',
  'TerminationNotice',
  'InfrastructureHealth',
]);

// ECS's wording when the scheduler replaces a task that failed health checks:
// "Task failed ELB health checks in (target-group …)", "Task failed container health checks".
const FAILED_HEALTH_CHECKS = /failed (ELB|container) health checks/i;
const ESSENTIAL_EXITED = /Essential container in task exited/i;
const OUT_OF_MEMORY = /OutOfMemoryError/i;

type Container = StoppedTask['containers'][number];

/** An essential container that ended badly: a non-zero exit or an OOM kill. */
function crashedContainers(task: StoppedTask, essentialContainers?: readonly string[]): Container[] {
  return task.containers.filter(
    (c) =>
      (essentialContainers === undefined || essentialContainers.includes(c.name)) &&
      ((c.exitCode !== undefined && c.exitCode !== 0) || OUT_OF_MEMORY.test(c.reason ?? '')),
  );
}

/**
 * Did the task stop on its own because the build failed? `essentialContainers`
 * names the task definition's essential containers; without it every container
 * counts (a non-essential one exiting does not stop a task, so in practice the
 * one that stopped it is essential).
 */
export function isCrash(task: StoppedTask, essentialContainers?: readonly string[]): boolean {
  const code = task.stopCode;
  if (code === 'TaskFailedToStart') return true;
  if (code !== undefined && NOT_A_CRASH.has(code)) return false;
  if (code === 'ServiceSchedulerInitiated') return FAILED_HEALTH_CHECKS.test(task.stoppedReason ?? '');
  const crashed = crashedContainers(task, essentialContainers).length > 0;
  if (code === 'EssentialContainerExited') return crashed;
  // No stop code we know: only ECS's own "essential container exited" with a bad exit is a crash.
  return crashed && ESSENTIAL_EXITED.test(task.stoppedReason ?? '');
}

/** "Essential container in task exited: backend exited 137 (OutOfMemoryError: …)" — for the thread. */
export function describeCrash(task: StoppedTask): string {
  const headline = task.stoppedReason ?? task.stopCode ?? 'task stopped';
  const details = crashedContainers(task).map((c) => {
    const exit = c.exitCode === undefined ? `${c.name} stopped` : `${c.name} exited ${c.exitCode}`;
    return c.reason ? `${exit} (${c.reason})` : exit;
  });
  // A task that never started has no exit codes, only its containers' reasons.
  if (details.length === 0) {
    const reasons = task.containers.filter((c) => c.reason && c.reason !== headline);
    details.push(...reasons.map((c) => `${c.name}: ${c.reason ?? ''}`));
  }
  return details.length === 0 ? headline : `${headline}: ${details.join('; ')}`;
}

export interface CrashScope {
  /** Task definition ARNs of the release: only their tasks are the release's crashes. */
  revisions: ReadonlySet<string>;
  /** Epoch ms of the deploy: earlier stops are history, not this release. */
  since: number;
  service: string;
  /** The task definition's essential containers, when known. */
  essentialContainers?: readonly string[];
}

/**
 * Crashes of the release's revisions since the deploy that are not yet `known`
 * (task ARNs already reported), oldest first. ECS lists a stopped task for about
 * an hour, so the same task comes back on every poll: `known` keeps it one crash.
 */
export function newCrashes(
  tasks: readonly StoppedTask[],
  scope: CrashScope,
  known: ReadonlySet<string>,
): Crash[] {
  return tasks
    .filter(
      (t) =>
        scope.revisions.has(t.taskDefinition) &&
        t.stoppedAt >= scope.since &&
        !known.has(t.arn) &&
        isCrash(t, scope.essentialContainers),
    )
    .sort((a, b) => a.stoppedAt - b.stoppedAt)
    .map((t) => ({ arn: t.arn, service: scope.service, stoppedAt: t.stoppedAt, reason: describeCrash(t) }));
}
