/**
 * CloudWatch alarms (runbook "No alerts triggered"). Implemented by
 * src/aws/alarms.ts with DescribeAlarms (and the tagging API for `tag`).
 *
 * Invariants: `describe` returns every metric and composite alarm the selector
 * names — by exact names, by name prefix, or carrying the tag — once each,
 * following NextToken. An alarm named but missing is simply absent.
 */
export interface AlarmSelector {
  names?: string[];
  prefix?: string;
  tag?: { key: string; value: string };
}

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmState {
  name: string;
  state: AlarmStateValue;
  /** CloudWatch's StateReason: why it is in this state, in its words. */
  reason: string;
  updatedAt: number;
}

export interface Alarms {
  describe(selector: AlarmSelector): Promise<AlarmState[]>;
}
