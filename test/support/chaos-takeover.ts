import { Job } from 'bullmq';
import { findStep, type StepName } from '../../src/domain/release';
import { stepJobId } from '../../src/queue/step-jobs';
import type { GateCall } from './chaos-aws-gate';
import type { ChaosCluster } from './chaos-cluster';
import { waitUntil } from './chaos-wait';

/** What happened when the worker running a step was SIGKILLed. */
export interface Takeover {
  step: StepName;
  /** The worker that was running the step (its AWS call was held) and was killed. */
  killed: string;
  /** The held call: the step's side effect (or read) AWS saw and the worker never heard back from. */
  heldAction: string;
  /** BullMQ's state of the step's job at the kill: `active` proves the worker held it. */
  jobState: string;
  killedAt: number;
  /** From the kill to the step's next run beginning (its `runs` counter moving); undefined: not within the cap. */
  takeoverMs?: number;
  /** The first process to call AWS after the kill. */
  resumedOn?: string;
  /** The worker started after the kill, so that two run again. */
  replacement: string;
}

export interface KillOptions {
  /** How long to wait for the held call (the step to reach it). */
  reachMs?: number;
  /** How long to wait for another worker to run the step, to report the real figure even when it is slow. */
  capMs?: number;
}

/**
 * Kills the worker that is running `step` of a release, mid-run: `held` is a
 * hold the caller armed on the gate (AwsGate.holdNext) for a call only that
 * step makes, so the process whose call is held is, by construction, the one
 * running the step. Then starts a replacement worker and measures how long
 * until the step's next run begins on another worker.
 */
export async function killDuringStep(
  cluster: ChaosCluster,
  releaseId: string,
  step: StepName,
  held: Promise<GateCall>,
  options: KillOptions = {},
): Promise<Takeover> {
  let call: GateCall | undefined;
  void held.then((c) => (call = c));
  await waitUntil(
    `${step} of ${releaseId} to reach its held AWS call`,
    async () => {
      if (call) return call;
      const release = await cluster.store.get(releaseId);
      if (release && release.state !== 'running' && release.state !== 'awaiting_start')
        throw new Error(
          `release ${releaseId} ended ${release.state} before ${step} was held: ${JSON.stringify(release.failure)}`,
        );
      return undefined;
    },
    { timeoutMs: options.reachMs ?? 120_000, everyMs: 50, context: () => cluster.logs(15) },
  );
  const heldCall = call as GateCall;
  const victim = cluster.process(heldCall.process);
  if (victim.role !== 'worker') throw new Error(`${step}'s call came from ${victim.name}, not a worker`);
  const job = await Job.fromId(cluster.jobs, stepJobId(releaseId, step));
  const jobState = job ? await job.getState() : 'missing';
  const runsBefore = await runsOf(cluster, releaseId, step);

  const killedAt = await cluster.kill(victim);
  cluster.gate.dropWithheld();
  const replacement = cluster.startWorker();
  let takeoverMs: number | undefined;
  try {
    takeoverMs = await waitUntil(
      `another worker to run ${step} again`,
      async () => ((await runsOf(cluster, releaseId, step)) > runsBefore ? Date.now() - killedAt : undefined),
      { timeoutMs: options.capMs ?? 150_000, everyMs: 50 },
    );
  } catch {
    // Reported as undefined: the caller asserts on it with the numbers it has.
  }
  const started = await replacement;
  // The next run's first AWS call follows the start of the run by a moment.
  const resumedFrom = killedAt + (takeoverMs ?? 0) - 100;
  const resumedOn = await waitUntil(
    'the resumed run’s first AWS call',
    () =>
      cluster.gate.calls.find(
        (c) => c.at >= resumedFrom && c.process.startsWith('worker-') && c.process !== victim.name,
      )?.process,
    { timeoutMs: 10_000, everyMs: 50 },
  ).catch(() => undefined);
  return {
    step,
    killed: victim.name,
    heldAction: heldCall.action,
    jobState,
    killedAt,
    ...(takeoverMs !== undefined && { takeoverMs }),
    ...(resumedOn !== undefined && { resumedOn }),
    replacement: started.name,
  };
}

async function runsOf(cluster: ChaosCluster, releaseId: string, step: StepName): Promise<number> {
  const release = await cluster.store.get(releaseId);
  if (!release) throw new Error(`no release ${releaseId}`);
  return findStep(release, step).runs;
}
