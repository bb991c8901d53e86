import { percentileOf } from './metric-sources';

export type ComparisonOperator =
  | 'GreaterThanThreshold'
  | 'GreaterThanOrEqualToThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';

export type TreatMissingData = 'missing' | 'notBreaching' | 'breaching' | 'ignore';

export type EvaluatedState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** A CloudWatch metric alarm on one metric (PutMetricAlarm's single-metric form). */
export interface MetricAlarmDefinition {
  name: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  /** `Sum`, `Average`, `Minimum`, `Maximum`, `SampleCount` or a percentile `pNN(.N)`. */
  statistic: string;
  /** Seconds, a multiple of 60 (the emulator publishes one-minute data only). */
  periodSeconds: number;
  threshold: number;
  comparisonOperator: ComparisonOperator;
  evaluationPeriods: number;
  /** M of "M out of N"; EvaluationPeriods when absent, as in CloudWatch. */
  datapointsToAlarm?: number;
  /** `missing` when absent, as in CloudWatch. */
  treatMissingData?: TreatMissingData;
  unit?: string;
  tags?: Record<string, string>;
}

/** One period of the evaluation range; `value` undefined: no datapoint was published for it. */
export interface AlarmDatapoint {
  at: number;
  value: number | undefined;
}

export interface AlarmVerdict {
  state: EvaluatedState;
  reason: string;
}

/** A metric alarm definition CloudWatch's PutMetricAlarm would refuse. */
export class InvalidAlarmDefinitionError extends Error {
  readonly code = 'INVALID_ALARM_DEFINITION';
  constructor(alarm: string, problem: string) {
    super(`metric alarm ${alarm}: ${problem}`);
    this.name = 'InvalidAlarmDefinitionError';
  }
}

const OPERATORS: Record<ComparisonOperator, { words: string; breaches: (v: number, t: number) => boolean }> =
  {
    GreaterThanThreshold: { words: 'greater than', breaches: (v, t) => v > t },
    GreaterThanOrEqualToThreshold: { words: 'greater than or equal to', breaches: (v, t) => v >= t },
    LessThanThreshold: { words: 'less than', breaches: (v, t) => v < t },
    LessThanOrEqualToThreshold: { words: 'less than or equal to', breaches: (v, t) => v <= t },
  };
const TREATMENTS: readonly string[] = [
  'missing',
  'notBreaching',
  'breaching',
  'ignore',
] satisfies TreatMissingData[];
const STATISTICS = ['Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount'];
/** CloudWatch: EvaluationPeriods × Period must not exceed one day for periods of a minute or more. */
const MAX_RANGE_SECONDS = 24 * 60 * 60;

export function checkDefinition(def: MetricAlarmDefinition): void {
  const problem = (text: string) => new InvalidAlarmDefinitionError(def.name, text);
  if (def.name.length === 0 || def.name.length > 255) throw problem('the name must have 1 to 255 characters');
  if (!Number.isInteger(def.periodSeconds) || def.periodSeconds < 60 || def.periodSeconds % 60 !== 0) {
    throw problem(`period ${def.periodSeconds} s is not a multiple of 60 s`);
  }
  if (!Number.isInteger(def.evaluationPeriods) || def.evaluationPeriods < 1) {
    throw problem('evaluationPeriods must be a positive integer');
  }
  if (def.evaluationPeriods * def.periodSeconds > MAX_RANGE_SECONDS) {
    throw problem('evaluationPeriods × period must not exceed one day');
  }
  const m = def.datapointsToAlarm ?? def.evaluationPeriods;
  if (!Number.isInteger(m) || m < 1 || m > def.evaluationPeriods) {
    throw problem('datapointsToAlarm must be between 1 and evaluationPeriods');
  }
  if (!STATISTICS.includes(def.statistic) && percentileOf(def.statistic) === undefined) {
    throw problem(`${def.statistic} is not a statistic`);
  }
  if (!Number.isFinite(def.threshold)) throw problem('the threshold must be a finite number');
  if (!(def.comparisonOperator in OPERATORS))
    throw problem(`${def.comparisonOperator} is not a comparison operator`);
  if (def.treatMissingData !== undefined && !TREATMENTS.includes(def.treatMissingData)) {
    throw problem(`treatMissingData ${def.treatMissingData} is not one of ${TREATMENTS.join(', ')}`);
  }
}

/**
 * The state the alarm's evaluation range (oldest period first, EvaluationPeriods
 * of them) calls for, as CloudWatch documents it; undefined keeps the current
 * state (`ignore` with no datapoint at all).
 *
 * - `breaching` / `notBreaching`: a missing period counts as breaching / not;
 *   ALARM when at least DatapointsToAlarm periods breach, OK otherwise.
 * - `missing` / `ignore`: only published datapoints count. None at all:
 *   INSUFFICIENT_DATA (`missing`) or no change (`ignore`). ALARM when at least
 *   DatapointsToAlarm breach, or when the oldest breaching datapoint is at least
 *   DatapointsToAlarm periods old and every newer one breaches or is missing
 *   (CloudWatch's "premature" rule); OK otherwise.
 */
export function evaluateAlarm(
  def: MetricAlarmDefinition,
  range: readonly AlarmDatapoint[],
): AlarmVerdict | undefined {
  const n = range.length;
  const m = def.datapointsToAlarm ?? def.evaluationPeriods;
  const treat = def.treatMissingData ?? 'missing';
  const breaches = (v: number) => OPERATORS[def.comparisonOperator].breaches(v, def.threshold);
  const newestFirst = [...range].reverse();
  const present = newestFirst.filter((p): p is { at: number; value: number } => p.value !== undefined);
  const missing = n - present.length;
  const breaching = present.filter((p) => breaches(p.value));
  const within = present.filter((p) => !breaches(p.value));
  const text = new ReasonText(def, n, m);

  if (treat === 'breaching' || treat === 'notBreaching') {
    const missingBreach = treat === 'breaching' ? missing : 0;
    if (breaching.length + missingBreach >= m) {
      return {
        state: 'ALARM',
        reason:
          missingBreach > 0 ? text.substituted(breaching, true, missing) : text.crossed(breaching, true),
      };
    }
    return {
      state: 'OK',
      reason:
        treat === 'notBreaching' && missing > 0
          ? text.substituted(within, false, missing)
          : text.crossed(within, false),
    };
  }
  if (present.length === 0) {
    return treat === 'ignore'
      ? undefined
      : {
          state: 'INSUFFICIENT_DATA',
          reason: `Insufficient Data: ${plural(n, 'datapoint')} ${n === 1 ? 'was' : 'were'} unknown.`,
        };
  }
  const oldestFirstIndex = range.findIndex((p) => p.value !== undefined && breaches(p.value));
  // How many periods back (0: the newest) the oldest breaching datapoint is; -1: none breaches.
  const oldestBreach = oldestFirstIndex < 0 ? -1 : n - 1 - oldestFirstIndex;
  const premature =
    oldestBreach + 1 >= m &&
    newestFirst.slice(0, oldestBreach).every((p) => p.value === undefined || breaches(p.value));
  if (breaching.length >= m || premature) return { state: 'ALARM', reason: text.crossed(breaching, true) };
  return { state: 'OK', reason: text.crossed(within, false) };
}

/** CloudWatch's StateReason sentences, e.g. `Threshold Crossed: 1 out of the last 1 datapoints [240.0 (30/11/26 14:05:00)] was greater than the threshold (100.0) (minimum 1 datapoint for OK -> ALARM transition).` */
class ReasonText {
  constructor(
    private readonly def: MetricAlarmDefinition,
    private readonly n: number,
    private readonly m: number,
  ) {}

  /** `points` (newest first) decided the state on their own. */
  crossed(points: readonly { at: number; value: number }[], alarm: boolean): string {
    const minimum = alarm ? this.m : this.n - this.m + 1;
    const transition = alarm ? 'OK -> ALARM' : 'ALARM -> OK';
    return (
      `Threshold Crossed: ${points.length} out of the last ${this.n} datapoints ${list(points)} ` +
      `${points.length === 1 ? 'was' : 'were'} ${this.comparison(alarm)} ` +
      `(minimum ${plural(minimum, 'datapoint')} for ${transition} transition).`
    );
  }

  /** `points` (newest first) and `missing` periods counted as breaching (`alarm`) or not. */
  substituted(points: readonly { at: number; value: number }[], alarm: boolean, missing: number): string {
    const treated =
      `${plural(missing, 'missing datapoint')} ${missing === 1 ? 'was' : 'were'} ` +
      `treated as [${alarm ? 'Breaching' : 'NonBreaching'}].`;
    if (points.length === 0) {
      return `Threshold Crossed: no datapoints were received for ${plural(missing, 'period')} and ${treated}`;
    }
    return (
      `Threshold Crossed: ${plural(points.length, 'datapoint')} ${list(points)} ` +
      `${points.length === 1 ? 'was' : 'were'} ${this.comparison(alarm)} and ${treated}`
    );
  }

  private comparison(alarm: boolean): string {
    const words = OPERATORS[this.def.comparisonOperator].words;
    return `${alarm ? '' : 'not '}${words} the threshold (${cloudwatchNumber(this.def.threshold)})`;
  }
}

function list(points: readonly { at: number; value: number }[]): string {
  return `[${points.map((p) => `${cloudwatchNumber(p.value)} (${cloudwatchDate(p.at)})`).join(', ')}]`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** As CloudWatch prints a double: `240.0`, `0.06`, `1.0166666666666666`. */
export function cloudwatchNumber(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

/** `dd/MM/yy HH:mm:ss` in UTC, as StateReason dates datapoints. */
export function cloudwatchDate(at: number): string {
  const d = new Date(at);
  const two = (v: number) => String(v).padStart(2, '0');
  return (
    `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`
  );
}
