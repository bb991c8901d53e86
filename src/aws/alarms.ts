import {
  DescribeAlarmsCommand,
  type CloudWatchClient,
  type CompositeAlarm,
  type DescribeAlarmsCommandInput,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import type { AlarmSelector, AlarmState, AlarmStateValue, Alarms } from '../ports/alarms';

/** DescribeAlarms takes at most 100 AlarmNames a request (and answers at most 100 a page). */
export const MAX_NAMES_PER_REQUEST = 100;
const ALARM_TYPES: DescribeAlarmsCommandInput['AlarmTypes'] = ['CompositeAlarm', 'MetricAlarm'];
const STATES: readonly string[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] satisfies AlarmStateValue[];

/**
 * Finds the ARNs of alarms carrying a tag (the Resource Groups Tagging API's
 * GetResources). Optional: without it a selector with `tag` is refused.
 */
export interface TaggedAlarmFinder {
  alarmNames(tag: { key: string; value: string }): Promise<string[]>;
}

/** The selector asks for alarms by tag, but no tagging API was wired. */
export class AlarmTagLookupUnavailableError extends Error {
  readonly code = 'ALARM_TAG_LOOKUP_UNAVAILABLE';
  constructor() {
    super('alarms selected by tag need the Resource Groups Tagging API, which is not configured');
    this.name = 'AlarmTagLookupUnavailableError';
  }
}

/**
 * Alarms over CloudWatch DescribeAlarms: by names (100 a request), by name
 * prefix, and by tag (names found with the tagging API, then described by
 * name), metric and composite alarms alike, each request followed through its
 * NextToken pages. An alarm matched by several parts of the selector is
 * answered once. An empty selector answers nothing rather than every alarm of
 * the account.
 */
export class CloudWatchAlarms implements Alarms {
  constructor(
    private readonly cloudwatch: CloudWatchClient,
    private readonly tagged?: TaggedAlarmFinder,
  ) {}

  async describe(selector: AlarmSelector): Promise<AlarmState[]> {
    const found = new Map<string, AlarmState>();
    const names = [...(selector.names ?? [])];
    if (selector.tag) {
      if (!this.tagged) throw new AlarmTagLookupUnavailableError();
      names.push(...(await this.tagged.alarmNames(selector.tag)));
    }
    const distinct = [...new Set(names)];
    for (let i = 0; i < distinct.length; i += MAX_NAMES_PER_REQUEST) {
      await this.pages({ AlarmNames: distinct.slice(i, i + MAX_NAMES_PER_REQUEST) }, found);
    }
    if (selector.prefix !== undefined) await this.pages({ AlarmNamePrefix: selector.prefix }, found);
    return [...found.values()];
  }

  private async pages(filter: DescribeAlarmsCommandInput, found: Map<string, AlarmState>): Promise<void> {
    const seen = new Set<string>();
    let nextToken: string | undefined;
    do {
      const out = await this.cloudwatch.send(
        new DescribeAlarmsCommand({
          ...filter,
          AlarmTypes: ALARM_TYPES,
          MaxRecords: MAX_NAMES_PER_REQUEST,
          ...(nextToken && { NextToken: nextToken }),
        }),
      );
      for (const alarm of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])]) {
        const state = alarmState(alarm);
        if (state) found.set(state.name, state);
      }
      nextToken = out.NextToken;
      // A token handed back twice would loop for ever.
      if (nextToken !== undefined) {
        if (seen.has(nextToken)) break;
        seen.add(nextToken);
      }
    } while (nextToken);
  }
}

function alarmState(alarm: MetricAlarm | CompositeAlarm): AlarmState | undefined {
  if (alarm.AlarmName === undefined || alarm.StateValue === undefined) return undefined;
  if (!STATES.includes(alarm.StateValue)) return undefined;
  return {
    name: alarm.AlarmName,
    state: alarm.StateValue as AlarmStateValue,
    reason: alarm.StateReason ?? '',
    updatedAt: alarm.StateUpdatedTimestamp?.getTime() ?? 0,
  };
}
