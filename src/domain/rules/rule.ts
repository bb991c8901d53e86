import type { AlarmState } from '../../ports/alarms';
import type { Baseline, Crash, MinuteFigures, Sample } from '../monitoring';

/**
 * The rollback policy's thresholds (runbook "When to Rollback": error rate
 * > 5 %, response time > 2x baseline, failing health, crashing tasks) and how
 * much evidence a verdict needs before it may page anyone.
 */
export interface PolicyThresholds {
  /** Fraction of requests failing, 0.05 = 5 %. */
  errorRate: number;
  /** p99 latency above this many times the baseline's. */
  latencyFactor: number;
  /** Error-log rate above this many times the baseline rate (and above the floor). */
  errorLogFactor: number;
  errorLogFloorPerMinute: number;
  /** Saturation and failing health: how many consecutive samples make a breach. */
  consecutive: number;
  cpu?: number;
  memory?: number;
  /** Traffic rules judge at least this much of the newest samples. */
  judgeWindowMs: number;
  /** Fewer requests than this, even with the window grown to `maxJudgeWindowMs`, is inconclusive. */
  minRequests: number;
  /** One-sided p-value below which the evidence is not the baseline's noise. */
  significance: number;
  /** Crashed tasks of the new revision that make a breach. */
  crashes: number;
  /** Database connections above this many times the baseline (and 20 more). */
  connectionsFactor: number;
}

export const MAX_JUDGE_WINDOW_MS = 300_000;

export const DEFAULT_THRESHOLDS: PolicyThresholds = {
  errorRate: 0.05,
  latencyFactor: 2,
  errorLogFactor: 3,
  errorLogFloorPerMinute: 5,
  consecutive: 2,
  judgeWindowMs: 60_000,
  minRequests: 300,
  significance: 0.001,
  crashes: 2,
  connectionsFactor: 2,
};

export type RuleName =
  | 'error-rate'
  | 'latency'
  | 'lb-error-rate'
  | 'lb-latency'
  | 'health'
  | 'crashes'
  | 'error-logs'
  | 'saturation'
  | 'alarms'
  | 'connections';

/** A rule's finding, always with the numbers it stands on. */
export interface RuleResult {
  rule: RuleName;
  status: 'breach' | 'ok' | 'inconclusive';
  why: string;
}

export interface JudgeInput {
  samples: readonly Sample[];
  /** Complete minutes of CloudWatch metrics, any order. */
  minutes?: readonly MinuteFigures[];
  baseline: Baseline | undefined;
  /** The alarms' states now. */
  alarms?: readonly AlarmState[];
  /** Crashes of the release's tasks since the deploy. */
  crashes?: readonly Crash[];
  now: number;
  thresholds: PolicyThresholds;
}

/** A rule judges what it measures; undefined when the input holds nothing for it. */
export type Rule = (input: JudgeInput, ordered: readonly Sample[]) => RuleResult | undefined;

export const pct = (x: number, digits = 1): string => `${(x * 100).toFixed(digits)}%`;
export const ms = (x: number): string => `${Math.round(x)}ms`;
export const count = (n: number): string => Math.round(n).toLocaleString('en-US');
