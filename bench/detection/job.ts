import { evaluateWindow } from './evaluate';
import { seedOf } from './random';
import { INTERVALS_S, SCENARIOS } from './scenarios';
import { type Tallies, addOutcome, emptyTally, tallyKey } from './tally';
import { simulateWindow } from './window';

/** Windows [from, to) of one scenario at one traffic level: a unit of work for a worker. */
export interface Job {
  seed: number;
  scenario: number;
  level: number;
  from: number;
  to: number;
}

/**
 * Simulates the job's windows and judges each at every interval. Window i of
 * a scenario and level is drawn from seed (run seed, scenario, level, i) alone,
 * so a job's result is the same whoever runs it, in any order.
 */
export function runJob(job: Job): Tallies {
  const scenario = SCENARIOS[job.scenario];
  if (!scenario) throw new RangeError(`no scenario ${job.scenario}`);
  const healthy = scenario.release.errorShare === undefined && scenario.release.latencyFactor === undefined;
  const tallies: Tallies = {};
  for (let i = job.from; i < job.to; i++) {
    const window = simulateWindow(seedOf(job.seed, job.scenario, job.level, i), job.level, scenario.release);
    for (const intervalS of INTERVALS_S) {
      const key = tallyKey(intervalS, scenario.name, job.level);
      const tally = (tallies[key] ??= emptyTally());
      addOutcome(tally, i, evaluateWindow(window, intervalS, !healthy));
    }
  }
  return tallies;
}
