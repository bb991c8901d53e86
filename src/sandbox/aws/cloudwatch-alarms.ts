import { checkDefinition, evaluateAlarm, type MetricAlarmDefinition } from './alarm-evaluation';
import { evaluationInstants, evaluationRange, type AlarmMetrics } from './alarm-schedule';
import { AwsError, notModelled } from './errors';
import { decodeToken, encodeToken } from './ids';
import type { JsonInput } from './json-input';
import { epochSeconds } from './json-protocol';
import { percentileOf } from './metric-sources';

export type EmulatorAlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface EmulatorAlarm {
  name: string;
  state: EmulatorAlarmState;
  reason: string;
  tags?: Record<string, string>;
  /** A composite alarm (DescribeAlarms answers it only when AlarmTypes asks for composites). */
  composite?: boolean;
}

interface AlarmRecord extends Required<Omit<EmulatorAlarm, 'composite'>> {
  composite: boolean;
  arn: string;
  updatedAt: number;
  /** A metric alarm CloudWatch evaluates; absent: the alarm stays as put. */
  metric?: { def: MetricAlarmDefinition; createdAt: number; evaluatedUntil?: number };
}

const STATES: readonly string[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] satisfies EmulatorAlarmState[];
const MAX_NAMES = 100;
const MAX_RECORDS = 100;

/**
 * CloudWatch alarms: static ones in the state a test put them in, and metric
 * alarms (putMetric) evaluated as CloudWatch does, from the same metric sources
 * GetMetricData answers (see alarm-evaluation.ts). Nothing runs in the
 * background: before it answers, the store replays the evaluations CloudWatch
 * would have made since the last answer, each when a period's datapoint was
 * published, so states and StateUpdatedTimestamps are those of the moment they
 * changed. DescribeAlarms over them: by
 * AlarmNames (at most 100) or AlarmNamePrefix, not both; AlarmTypes defaulting
 * to metric alarms only, as CloudWatch's does; StateValue; pages of MaxRecords
 * (at most 100) in name order.
 */
export class AlarmStore {
  private readonly alarms = new Map<string, AlarmRecord>();

  constructor(
    private readonly accountId: string,
    private readonly region: string,
    private readonly now: () => number,
    private readonly metrics?: AlarmMetrics,
  ) {}

  /** Creates or replaces a metric alarm; INSUFFICIENT_DATA until its first evaluation (at once). */
  putMetric(def: MetricAlarmDefinition): void {
    checkDefinition(def);
    if (!this.metrics) throw new Error('this alarm store has no metric sources to evaluate alarms with');
    const createdAt = this.now();
    this.alarms.set(def.name, {
      name: def.name,
      state: 'INSUFFICIENT_DATA',
      reason: 'Unchecked: Initial alarm creation',
      tags: { ...def.tags },
      composite: false,
      arn: `arn:aws:cloudwatch:${this.region}:${this.accountId}:alarm:${def.name}`,
      updatedAt: createdAt,
      metric: { def: { ...def, dimensions: { ...def.dimensions } }, createdAt },
    });
  }

  put(alarm: EmulatorAlarm): void {
    checkState(alarm.state);
    this.alarms.set(alarm.name, {
      name: alarm.name,
      state: alarm.state,
      reason: alarm.reason,
      tags: { ...alarm.tags },
      composite: alarm.composite ?? false,
      arn: `arn:aws:cloudwatch:${this.region}:${this.accountId}:alarm:${alarm.name}`,
      updatedAt: this.now(),
    });
  }

  setState(name: string, state: EmulatorAlarmState, reason: string): void {
    checkState(state);
    const alarm = this.alarms.get(name);
    if (!alarm) throw new Error(`no emulator alarm named ${name}`);
    // As SetAlarmState: a metric alarm keeps the state until its next evaluation.
    this.evaluate();
    Object.assign(alarm, { state, reason, updatedAt: this.now() });
  }

  /** Alarm ARNs carrying every one of the tags (the tagging API's view of them). */
  taggedArns(filters: { key: string; values: string[] }[]): string[] {
    return [...this.alarms.values()]
      .filter((a) =>
        filters.every((f) => {
          const value = a.tags[f.key];
          return value !== undefined && (f.values.length === 0 || f.values.includes(value));
        }),
      )
      .map((a) => a.arn);
  }

  tagsOf(arn: string): Record<string, string> {
    return [...this.alarms.values()].find((a) => a.arn === arn)?.tags ?? {};
  }

  describe(input: JsonInput): object {
    for (const unsupported of ['ActionPrefix', 'ChildrenOfAlarmName', 'ParentsOfAlarmName']) {
      if (input.body[unsupported] !== undefined) throw notModelled('CloudWatch', unsupported, false);
    }
    const names = input.strings('AlarmNames');
    const prefix = input.string('AlarmNamePrefix');
    if (names !== undefined && prefix !== undefined) {
      throw new AwsError(
        'InvalidParameterCombination',
        'AlarmNamePrefix and AlarmNames cannot be specified together.',
      );
    }
    if (names !== undefined && names.length > MAX_NAMES) {
      throw new AwsError(
        'ValidationError',
        `The collection AlarmNames must not have a size greater than ${MAX_NAMES}.`,
      );
    }
    const types = input.strings('AlarmTypes') ?? ['MetricAlarm'];
    this.evaluate();
    const stateValue = input.string('StateValue');
    const maxRecords = input.number('MaxRecords') ?? MAX_RECORDS;
    if (!Number.isInteger(maxRecords) || maxRecords < 1 || maxRecords > MAX_RECORDS) {
      throw new AwsError(
        'ValidationError',
        `The value ${maxRecords} for parameter MaxRecords must be between 1 and ${MAX_RECORDS}.`,
      );
    }
    const matching = [...this.alarms.values()]
      .filter((a) => (names === undefined ? true : names.includes(a.name)))
      .filter((a) => prefix === undefined || a.name.startsWith(prefix))
      .filter((a) => types.includes(a.composite ? 'CompositeAlarm' : 'MetricAlarm'))
      .filter((a) => stateValue === undefined || a.state === stateValue)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

    const { NextToken: token, ...request } = input.body;
    let offset = 0;
    if (token !== undefined) {
      const decoded = typeof token === 'string' ? decodeToken(token, request) : undefined;
      if (decoded === undefined)
        throw new AwsError('InvalidNextToken', 'The service returned an invalid next token.');
      offset = decoded;
    }
    const page = matching.slice(offset, offset + maxRecords);
    const next = offset + page.length < matching.length ? offset + page.length : undefined;
    return {
      MetricAlarms: page.filter((a) => !a.composite).map(alarmJson),
      CompositeAlarms: page.filter((a) => a.composite).map(alarmJson),
      ...(next !== undefined && { NextToken: encodeToken(next, request) }),
    };
  }

  /** Replays every metric alarm's evaluations due since the last time, up to now. */
  private evaluate(): void {
    if (!this.metrics) return;
    const now = this.now();
    const delayMs = this.metrics.delayMs();
    for (const alarm of this.alarms.values()) {
      const metric = alarm.metric;
      if (!metric) continue;
      const periodMs = metric.def.periodSeconds * 1000;
      const instants =
        metric.evaluatedUntil === undefined
          ? [metric.createdAt, ...evaluationInstants(periodMs, metric.createdAt, now, delayMs)]
          : evaluationInstants(periodMs, metric.evaluatedUntil, now, delayMs);
      for (const at of instants) {
        const verdict = evaluateAlarm(metric.def, evaluationRange(metric.def, this.metrics, at));
        // CloudWatch records a reason and a timestamp when the state changes, not at every evaluation.
        if (verdict && verdict.state !== alarm.state) {
          Object.assign(alarm, { state: verdict.state, reason: verdict.reason, updatedAt: at });
        }
      }
      metric.evaluatedUntil = now;
    }
  }
}

function alarmJson(a: AlarmRecord): object {
  return {
    AlarmName: a.name,
    AlarmArn: a.arn,
    StateValue: a.state,
    StateReason: a.reason,
    StateUpdatedTimestamp: epochSeconds(a.updatedAt),
    StateTransitionedTimestamp: epochSeconds(a.updatedAt),
    ActionsEnabled: true,
    ...(a.metric && metricJson(a.metric.def, a.metric.createdAt)),
  };
}

/** The metric and rule of a metric alarm, as DescribeAlarms shows them. */
function metricJson(def: MetricAlarmDefinition, createdAt: number): object {
  const percentile = percentileOf(def.statistic) !== undefined;
  return {
    AlarmConfigurationUpdatedTimestamp: epochSeconds(createdAt),
    Namespace: def.namespace,
    MetricName: def.metricName,
    Dimensions: Object.entries(def.dimensions).map(([Name, Value]) => ({ Name, Value })),
    ...(percentile ? { ExtendedStatistic: def.statistic } : { Statistic: def.statistic }),
    ...(def.unit !== undefined && { Unit: def.unit }),
    Period: def.periodSeconds,
    EvaluationPeriods: def.evaluationPeriods,
    DatapointsToAlarm: def.datapointsToAlarm ?? def.evaluationPeriods,
    Threshold: def.threshold,
    ComparisonOperator: def.comparisonOperator,
    TreatMissingData: def.treatMissingData ?? 'missing',
  };
}

function checkState(state: string): void {
  if (!STATES.includes(state))
    throw new Error(`alarm state must be one of ${STATES.join(', ')}, got ${state}`);
}
