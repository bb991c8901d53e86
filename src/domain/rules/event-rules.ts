import type { Sample, Utilization } from '../monitoring';
import { count, type JudgeInput, type RuleResult } from './rule';

/**
 * Rules on events rather than rates: health endpoints that stopped answering,
 * tasks that crashed, alarms that went off, and saturation. Each is a fact
 * with a cause to quote, not a statistic.
 */

/** Every probe failed in the last `consecutive` samples that probed: the service is down, not noisy. */
export function healthRule(input: JudgeInput, ordered: readonly Sample[]): RuleResult | undefined {
  const probed = ordered
    .filter((s) => s.probes && s.probes.requests > 0)
    .slice(-input.thresholds.consecutive);
  if (probed.length === 0) return undefined;
  const total = probed.reduce((n, s) => n + (s.probes?.requests ?? 0), 0);
  const failed = probed.reduce((n, s) => n + (s.probes?.failures ?? 0), 0);
  const down = probed.length >= input.thresholds.consecutive && failed === total;
  return {
    rule: 'health',
    status: down ? 'breach' : 'ok',
    why: `${count(failed)}/${count(total)} health probes failed in the last ${probed.length} samples`,
  };
}

/** Tasks of the new revision that crashed since the deploy (ordinary replacements are not crashes). */
export function crashesRule(input: JudgeInput): RuleResult | undefined {
  const crashes = input.crashes;
  if (!crashes) return undefined;
  const limit = input.thresholds.crashes;
  const quoted = crashes
    .slice(-2)
    .map((c) => `${c.service}: ${c.reason}`)
    .join('; ');
  return {
    rule: 'crashes',
    status: crashes.length >= limit ? 'breach' : 'ok',
    why:
      crashes.length === 0
        ? 'no task of the new revision crashed'
        : `${crashes.length} task${crashes.length === 1 ? '' : 's'} of the new revision crashed (limit ${limit}): ${quoted}`,
  };
}

/** Runbook "No alerts triggered": an alarm that was OK at baseline and is in ALARM now. */
export function alarmsRule(input: JudgeInput): RuleResult | undefined {
  const alarms = input.alarms;
  if (!alarms || alarms.length === 0) return undefined;
  const before = input.baseline?.alarms ?? {};
  const fired = alarms.filter((a) => a.state === 'ALARM' && before[a.name] === 'OK');
  if (fired.length === 0) {
    const already = alarms.filter((a) => a.state === 'ALARM').map((a) => a.name);
    return {
      rule: 'alarms',
      status: 'ok',
      why: `${alarms.length} alarms watched, none went off since the baseline${already.length > 0 ? ` (already in ALARM before: ${already.join(', ')})` : ''}`,
    };
  }
  return {
    rule: 'alarms',
    status: 'breach',
    why: fired.map((a) => `alarm ${a.name} is ALARM (OK at baseline): ${a.reason}`).join('; '),
  };
}

const percent = (u: Utilization) => `${u.percent.toFixed(1)}% (${u.service})`;

function saturationOf(s: Sample, input: JudgeInput): { bad: boolean; why: string } | undefined {
  const t = input.thresholds;
  const judged = (
    [
      ['cpu', s.cpu, t.cpu],
      ['memory', s.memory, t.memory],
    ] as const
  ).flatMap(([what, u, limit]) => (u && limit !== undefined ? [{ what, u, limit }] : []));
  if (judged.length === 0) return undefined;
  const over = judged.filter((j) => j.u.percent > j.limit);
  const quoted = over.length > 0 ? over : judged;
  return {
    bad: over.length > 0,
    why: quoted
      .map((j) => `${j.what} ${percent(j.u)} ${j.u.percent > j.limit ? '>' : '<='} ${j.limit}%`)
      .join(', '),
  };
}

/** CPU or memory of the busiest service above its limit in `consecutive` measured samples. */
export function saturationRule(input: JudgeInput, ordered: readonly Sample[]): RuleResult | undefined {
  const judged = ordered.map((s) => saturationOf(s, input)).filter((j) => j !== undefined);
  const recent = judged.slice(-input.thresholds.consecutive);
  const last = recent.at(-1);
  if (!last) return undefined;
  const breach = recent.length === input.thresholds.consecutive && recent.every((j) => j.bad);
  return {
    rule: 'saturation',
    status: breach ? 'breach' : 'ok',
    why: breach ? `${last.why} in ${recent.length} consecutive samples` : last.why,
  };
}
