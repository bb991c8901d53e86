import { AwsError, notModelled } from './errors';
import { decodeToken, encodeToken } from './ids';
import type { JsonInput } from './json-input';
import { epochSeconds } from './json-protocol';

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
}

const STATES: readonly string[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] satisfies EmulatorAlarmState[];
const MAX_NAMES = 100;
const MAX_RECORDS = 100;

/**
 * CloudWatch alarms as tests and the sandbox set them (no metric evaluation:
 * an alarm is in the state it was put in), and DescribeAlarms over them: by
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
  ) {}

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
  };
}

function checkState(state: string): void {
  if (!STATES.includes(state))
    throw new Error(`alarm state must be one of ${STATES.join(', ')}, got ${state}`);
}
