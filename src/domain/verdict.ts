import { alarmsRule, crashesRule, healthRule, saturationRule } from './rules/event-rules';
import { connectionsRule, loadBalancerErrorRule, loadBalancerLatencyRule } from './rules/minute-rules';
import type { JudgeInput, Rule, RuleResult } from './rules/rule';
import { errorLogsRule, errorRateRule, latencyRule, trafficWindow } from './rules/traffic-rules';

export { DEFAULT_THRESHOLDS } from './rules/rule';
export type { JudgeInput, PolicyThresholds, RuleName, RuleResult } from './rules/rule';

/**
 * Whether a release should be rolled back, judged on evidence (runbook "When
 * to Rollback"). Pure: the monitor step hands in what it measured. A traffic
 * rule judges a sliding window, fires only when its figure is past the
 * runbook's threshold *and* significantly worse than the baseline, and says
 * "inconclusive" when there were too few requests to tell; event rules
 * (crashes, alarms, a dead service) fire on the fact. Every result quotes the
 * numbers it stands on.
 *
 * verdict: `breach` when any rule fires (the first in RULES order is the one
 * proposed); `inconclusive` when none fires and the users' traffic could not be
 * judged (too little of it, or no source); `healthy` otherwise.
 */
export interface Judgement {
  verdict: 'breach' | 'healthy' | 'inconclusive';
  breach?: RuleResult;
  results: RuleResult[];
  /** Where the users' traffic was read from; `probes` means the bot's own probes only. */
  source: 'access-logs' | 'load-balancer' | 'probes' | 'none';
}

/** In the order a breach is reported: facts first, then the runbook's rates. */
const RULES: Rule[] = [
  healthRule,
  crashesRule,
  alarmsRule,
  errorRateRule,
  (input) => loadBalancerErrorRule(input),
  latencyRule,
  (input) => loadBalancerLatencyRule(input),
  errorLogsRule,
  (input) => connectionsRule(input),
  saturationRule,
];

const TRAFFIC_RULES = new Set(['error-rate', 'latency', 'lb-error-rate', 'lb-latency']);

export function judge(input: JudgeInput): Judgement {
  const ordered = [...input.samples].sort((a, b) => a.slot - b.slot);
  const results = RULES.map((rule) => rule(input, ordered)).filter((r) => r !== undefined);
  const breach = results.find((r) => r.status === 'breach');
  const traffic = results.filter((r) => TRAFFIC_RULES.has(r.rule));
  const judged = traffic.some((r) => r.status !== 'inconclusive');
  const window = trafficWindow(input, ordered);
  const source = window?.source ?? (input.minutes?.some((m) => m.loadBalancer) ? 'load-balancer' : 'none');
  return {
    verdict: breach ? 'breach' : judged ? 'healthy' : 'inconclusive',
    ...(breach ? { breach } : {}),
    results,
    source: source === 'probes' && input.minutes?.some((m) => m.loadBalancer) ? 'load-balancer' : source,
  };
}
