import { RULES, type RuleKey, type WindowOutcome } from './evaluate';

/**
 * What the windows of one scenario, traffic level and interval came to. Merging
 * tallies is order-free (times are sorted only when summarized; the example
 * quoted is the lowest window's), so the figures do not depend on which worker
 * ran which windows.
 */
export interface Tally {
  windows: number;
  /** Per rule: ms from the deploy to the first proposal, one entry per window that had one. */
  proposalAfterMs: Record<RuleKey, number[]>;
  /** Per rule: how many first proposals each of its sub-rules made ("error-logs" -> 3). */
  causes: Record<RuleKey, Record<string, number>>;
  /** Per rule: the first proposal of the lowest-numbered window that had one. */
  example: Partial<Record<RuleKey, { window: number; text: string }>>;
  judged: number;
  inconclusive: number;
  guesses: number;
}

export function emptyTally(): Tally {
  return {
    windows: 0,
    proposalAfterMs: { new: [], today: [], minute: [] },
    causes: { new: {}, today: {}, minute: {} },
    example: {},
    judged: 0,
    inconclusive: 0,
    guesses: 0,
  };
}

/** The sub-rule a proposal names: every rule's proposal starts with "<rule>: ". */
export function causeOf(proposal: string): string {
  return proposal.split(':', 1)[0] ?? proposal;
}

export function addOutcome(t: Tally, window: number, o: WindowOutcome): void {
  t.windows += 1;
  for (const rule of RULES) {
    const after = o.proposalAfterMs[rule];
    const text = o.proposal[rule];
    if (after === undefined || text === undefined) continue;
    t.proposalAfterMs[rule].push(after);
    const cause = causeOf(text);
    t.causes[rule][cause] = (t.causes[rule][cause] ?? 0) + 1;
    const seen = t.example[rule];
    if (!seen || window < seen.window) t.example[rule] = { window, text };
  }
  t.judged += o.judged;
  t.inconclusive += o.inconclusive;
  t.guesses += o.guesses;
}

export function mergeTally(into: Tally, other: Tally): void {
  into.windows += other.windows;
  for (const rule of RULES) {
    into.proposalAfterMs[rule].push(...other.proposalAfterMs[rule]);
    for (const [cause, n] of Object.entries(other.causes[rule]))
      into.causes[rule][cause] = (into.causes[rule][cause] ?? 0) + n;
    const theirs = other.example[rule];
    const ours = into.example[rule];
    if (theirs && (!ours || theirs.window < ours.window)) into.example[rule] = theirs;
  }
  into.judged += other.judged;
  into.inconclusive += other.inconclusive;
  into.guesses += other.guesses;
}

/** Tallies by scenario, level and interval. */
export type Tallies = Record<string, Tally>;

export const tallyKey = (intervalS: number, scenario: string, level: number): string =>
  `${intervalS}s|${scenario}|${level}`;

export function mergeTallies(into: Tallies, other: Tallies): void {
  for (const [key, tally] of Object.entries(other)) {
    const ours = into[key];
    if (ours) mergeTally(ours, tally);
    else into[key] = tally;
  }
}
