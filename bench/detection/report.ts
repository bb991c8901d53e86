import { percentile } from '../percentiles';
import { RULES, RULE_TITLES, type RuleKey } from './evaluate';
import { BAD, HEALTHY, INTERVALS_S, LEVELS } from './scenarios';
import { type Tallies, type Tally, tallyKey } from './tally';

/**
 * The benchmark's tables and the issue's targets, as text. Figures only: the
 * bench prints whether a target holds and never fails on it.
 */

const seconds = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};
const perThousand = (t: Tally, rule: RuleKey): number => (1000 * t.proposalAfterMs[rule].length) / t.windows;
const share = (part: number, whole: number): string =>
  whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1)}%`;
const pad = (s: string, width: number): string => s.padEnd(width);
const rps = (level: number): string => `${level} rps`;

function tallyOf(tallies: Tallies, intervalS: number, scenario: string, level: number): Tally {
  const t = tallies[tallyKey(intervalS, scenario, level)];
  if (!t) throw new Error(`no windows for ${scenario} at ${level} rps, ${intervalS}-s interval`);
  return t;
}

/** "98.5% 20s/45s": share of windows proposed, and median / p95 of the proposals' times. */
function detection(t: Tally, rule: RuleKey): string {
  const times = [...t.proposalAfterMs[rule]].sort((a, b) => a - b);
  const rate = share(times.length, t.windows);
  if (times.length === 0) return `${rate}  —`;
  return `${rate} ${seconds(percentile(times, 50))}/${seconds(percentile(times, 95))}`;
}

/** Share of windows proposed within `deadlineMs` of the deploy. */
function within(t: Tally, rule: RuleKey, deadlineMs: number): number {
  return t.proposalAfterMs[rule].filter((ms) => ms <= deadlineMs).length / t.windows;
}

export function healthyTable(tallies: Tallies, intervalS: number): string[] {
  const lines = [
    `Healthy releases: false proposals per 1,000 windows (background 5xx 0.1-1 %, drift ±30 %, task replacements)`,
    `  ${pad('traffic', 9)}${pad('windows', 9)}${RULES.map((r) => pad(RULE_TITLES[r], 15)).join('')}new judge: samples inconclusive`,
  ];
  for (const level of LEVELS) {
    const t = tallyOf(tallies, intervalS, HEALTHY.name, level);
    lines.push(
      `  ${pad(rps(level), 9)}${pad(String(t.windows), 9)}${RULES.map((r) => pad(perThousand(t, r).toFixed(1), 15)).join('')}${share(t.inconclusive, t.judged)}`,
    );
  }
  return lines;
}

export function badTable(tallies: Tallies, intervalS: number): string[] {
  const lines = [
    `Bad releases (bad from the deploy on): windows proposed, median/p95 time from the deploy to the proposal (of those proposed)`,
    `  ${pad('release', 10)}${pad('traffic', 9)}${pad('windows', 9)}${RULES.map((r) => pad(RULE_TITLES[r], 22)).join('')}`,
  ];
  for (const scenario of BAD) {
    for (const level of LEVELS) {
      const t = tallyOf(tallies, intervalS, scenario.name, level);
      lines.push(
        `  ${pad(scenario.name, 10)}${pad(rps(level), 9)}${pad(String(t.windows), 9)}${RULES.map((r) => pad(detection(t, r), 22)).join('')}`,
      );
    }
  }
  return lines;
}

interface Target {
  title: string;
  /** Per rule: holds, and the figures that say so. */
  check(rule: RuleKey): { holds: boolean; figures: string };
}

function targets(tallies: Tallies, intervalS: number): Target[] {
  const fast = (scenario: string): Target => ({
    title: `${scenario} proposed in >= 99 % of windows within ${seconds(2 * intervalS * 1000 + 5000)} at >= 50 rps, within 60s at 10 rps`,
    check: (rule) => {
      const figures = [10, 50, 100, 500].map((level) => {
        const deadline = level >= 50 ? 2 * intervalS * 1000 + 5000 : 60_000;
        return { level, rate: within(tallyOf(tallies, intervalS, scenario, level), rule, deadline) };
      });
      return {
        holds: figures.every((f) => f.rate >= 0.99),
        figures: figures.map((f) => `${f.level}: ${(100 * f.rate).toFixed(1)}%`).join(', '),
      };
    },
  });
  return [
    {
      title: '<= 1 false proposal per 1,000 healthy windows at every traffic level',
      check: (rule) => {
        const worst = LEVELS.map((level) => ({
          level,
          rate: perThousand(tallyOf(tallies, intervalS, HEALTHY.name, level), rule),
        })).reduce((a, b) => (b.rate > a.rate ? b : a));
        return { holds: worst.rate <= 1, figures: `worst ${worst.rate.toFixed(1)} at ${rps(worst.level)}` };
      },
    },
    fast('5xx 12%'),
    fast('p99 3x'),
    {
      title:
        'below 10 rps: inconclusive rather than guessing (no false proposal, no verdict on < minRequests)',
      check: (rule) => {
        const low = LEVELS.filter((level) => level < 10).map((level) =>
          tallyOf(tallies, intervalS, HEALTHY.name, level),
        );
        const falseOnes = low.reduce((sum, t) => sum + t.proposalAfterMs[rule].length, 0);
        const windows = low.reduce((sum, t) => sum + t.windows, 0);
        if (rule !== 'new')
          return {
            holds: false,
            figures: `never says inconclusive; ${falseOnes} false proposal(s) in ${windows} windows`,
          };
        const guesses = low.reduce((sum, t) => sum + t.guesses, 0);
        const inconclusive = low.reduce((sum, t) => sum + t.inconclusive, 0);
        const judged = low.reduce((sum, t) => sum + t.judged, 0);
        return {
          holds: (1000 * falseOnes) / windows <= 1 && guesses === 0,
          figures: `${falseOnes} false proposal(s) in ${windows} windows, ${guesses} guesses, ${share(inconclusive, judged)} of samples inconclusive`,
        };
      },
    },
  ];
}

export function targetLines(tallies: Tallies, intervalS: number): string[] {
  const lines = [`Issue 8 targets (${intervalS}-s interval):`];
  for (const target of targets(tallies, intervalS)) {
    lines.push(`  ${target.title}`);
    for (const rule of RULES) {
      const { holds, figures } = target.check(rule);
      lines.push(`    ${pad(RULE_TITLES[rule], 15)}${pad(holds ? 'holds' : 'DOES NOT HOLD', 15)}${figures}`);
    }
  }
  return lines;
}

/** Each rule's first proposal in a healthy window, quoted: what a false alarm says. */
export function falseAlarmExamples(tallies: Tallies, intervalS: number): string[] {
  const lines = [
    `A false proposal of each rule, quoted (${intervalS}-s interval, lowest window at the highest level that had one):`,
  ];
  for (const rule of RULES) {
    const level = [...LEVELS]
      .reverse()
      .find((l) => tallyOf(tallies, intervalS, HEALTHY.name, l).example[rule]);
    const example =
      level === undefined ? undefined : tallyOf(tallies, intervalS, HEALTHY.name, level).example[rule];
    lines.push(
      `  ${pad(RULE_TITLES[rule], 15)}${example && level !== undefined ? `${rps(level)}: ${example.text}` : 'none'}`,
    );
  }
  return lines;
}

/** Which sub-rules made each rule's false proposals, over all traffic levels. */
export function falseAlarmCauses(tallies: Tallies, intervalS: number): string[] {
  const lines = [`False proposals by the rule that made them (${intervalS}-s interval, all traffic levels):`];
  for (const rule of RULES) {
    const causes: Record<string, number> = {};
    for (const level of LEVELS)
      for (const [cause, n] of Object.entries(tallyOf(tallies, intervalS, HEALTHY.name, level).causes[rule]))
        causes[cause] = (causes[cause] ?? 0) + n;
    const listed = Object.entries(causes).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    lines.push(
      `  ${pad(RULE_TITLES[rule], 15)}${listed.length === 0 ? 'none' : listed.map(([c, n]) => `${c} ${n}`).join(', ')}`,
    );
  }
  return lines;
}

export function report(tallies: Tallies): string[] {
  const lines: string[] = [];
  for (const intervalS of INTERVALS_S) {
    lines.push('', `=== ${intervalS}-s monitoring interval ===`, '');
    lines.push(...healthyTable(tallies, intervalS), '', ...badTable(tallies, intervalS), '');
    lines.push(...targetLines(tallies, intervalS), '', ...falseAlarmCauses(tallies, intervalS));
    lines.push(...falseAlarmExamples(tallies, intervalS));
  }
  return lines;
}
