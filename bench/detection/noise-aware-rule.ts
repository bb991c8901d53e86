import type { Baseline, Sample } from '../../src/domain/monitoring';
import { MAX_JUDGE_WINDOW_MS } from '../../src/domain/rules/rule';
import { DEFAULT_THRESHOLDS, type PolicyThresholds, judge } from '../../src/domain/verdict';
import type { Watcher } from './watcher';

/**
 * The new policy as the monitor runs it: `judge` after each sample, a proposal
 * on the first `breach` verdict. Only access logs feed it here (no
 * load-balancer minutes, alarms, crashes, probes or CPU): the benchmark
 * measures what the traffic and error-log rules make of noise.
 *
 * It hands `judge` the samples of the last five minutes rather than all so
 * far: the traffic rules never look further back (MAX_JUDGE_WINDOW_MS), the
 * error-log rule looks back one judge window, and the rules that walk the
 * whole history (health, saturation) find nothing to judge in these samples —
 * so the judgement is the same, and a 5-s window costs 180 short calls instead
 * of 180 growing ones.
 */
export function noiseAwareWatcher(
  baseline: Baseline,
  thresholds: PolicyThresholds = DEFAULT_THRESHOLDS,
): Watcher {
  let samples: Sample[] = [];
  const lookbackMs = Math.max(MAX_JUDGE_WINDOW_MS, thresholds.judgeWindowMs);
  return {
    observe(sample) {
      samples = [...samples.filter((s) => s.from >= sample.to - lookbackMs), sample];
      const judgement = judge({ samples, baseline, now: sample.to, thresholds });
      if (judgement.verdict === 'breach' && judgement.breach)
        return { proposal: `${judgement.breach.rule}: ${judgement.breach.why}` };
      return { inconclusive: judgement.verdict === 'inconclusive' };
    },
  };
}
