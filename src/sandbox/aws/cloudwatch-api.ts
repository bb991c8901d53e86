import type { AlarmStore } from './cloudwatch-alarms';
import { AwsError, notModelled } from './errors';
import { decodeToken, encodeToken } from './ids';
import { isObject, type JsonInput } from './json-input';
import { epochSeconds, type JsonService } from './json-protocol';
import { percentileOf, type MetricSource, type MetricSpec } from './metric-sources';

/**
 * GetMetricData and DescribeAlarms, the CloudWatch calls deploybot makes.
 * GetMetricData answers AWS/ECS CPUUtilization and MemoryUtilization by
 * ClusterName and ServiceName, and whatever the other sources publish
 * (AWS/ApplicationELB, AWS/RDS: see alb-metrics.ts, rds-metrics.ts), at the
 * standard one-minute resolution. Other metrics exist and simply have no
 * datapoints, as in CloudWatch. DescribeAlarms: see cloudwatch-alarms.ts.
 * Errors use CloudWatch's query codes (ValidationError, InvalidParameterValue,
 * InvalidNextToken), which the SDK raises as ValidationException,
 * InvalidParameterValueException and InvalidNextToken.
 */

const MINUTE_MS = 60_000;
const MAX_QUERIES = 500;
const DEFAULT_MAX_DATAPOINTS = 100_800;
/** One-minute data is kept 15 days; the emulator answers nothing older. */
const RETENTION_MS = 15 * 24 * 60 * MINUTE_MS;
const ID = /^[a-z][a-zA-Z0-9_]*$/;
const HIGH_RESOLUTION_PERIODS = [1, 5, 10, 20, 30];
const STATS = ['Average', 'Minimum', 'Maximum', 'Sum', 'SampleCount'];
const QUERY_MEMBERS = ['Id', 'MetricStat', 'Expression', 'Label', 'ReturnData', 'Period', 'AccountId'];

const NAMESPACE = 'com.amazonaws.cloudwatch';
/** The dispatcher's and JsonInput's errors, in CloudWatch's query-protocol codes. */
const QUERY_CODES: Record<string, string> = {
  ThrottlingException: 'Throttling',
  UnknownOperationException: 'InvalidAction',
  InvalidParameterException: 'InvalidParameterValue',
  ValidationException: 'ValidationError',
  SerializationException: 'ValidationError',
  InternalFailure: 'InternalServiceError',
};
/** Error shapes (JSON `__type`) of the codes the SDK models. */
const SHAPES: Record<string, string> = {
  ValidationError: 'ValidationException',
  InvalidParameterValue: 'InvalidParameterValueException',
  InvalidParameterCombination: 'InvalidParameterCombinationException',
  MissingParameter: 'MissingRequiredParameterException',
  InvalidNextToken: 'InvalidNextToken',
  InternalServiceError: 'InternalServiceFault',
};

interface Query extends MetricSpec {
  id: string;
  label?: string;
  returnData: boolean;
}

interface Result {
  query: Query;
  points: { at: number; value: number }[];
}

function validation(messages: string[]): AwsError {
  return new AwsError('ValidationError', messages.join('\n'));
}

function notModelledHere(what: string): AwsError {
  return notModelled('CloudWatch', what, false);
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** One MetricDataQuery; problems go to `problems`, as CloudWatch lists them all at once. */
function parseQuery(raw: Record<string, unknown>, n: number, problems: string[]): Query | undefined {
  const at = `MetricDataQueries.member.${n}`;
  for (const key of Object.keys(raw)) {
    if (!QUERY_MEMBERS.includes(key)) throw notModelledHere(`request member "${at}.${key}"`);
  }
  if (raw.Expression !== undefined) throw notModelledHere(`${at}.Expression (metric math)`);
  if (raw.AccountId !== undefined) throw notModelledHere(`${at}.AccountId (cross-account)`);
  const id = text(raw.Id) ?? '';
  if (!ID.test(id)) {
    problems.push(
      `The value ${id} for parameter ${at}.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.`,
    );
  }
  const stat = isObject(raw.MetricStat) ? raw.MetricStat : undefined;
  if (!stat) {
    problems.push(`The parameter ${at}.MetricStat is required when Expression is not set.`);
    return undefined;
  }
  const metric = isObject(stat.Metric) ? stat.Metric : {};
  const period = stat.Period;
  if (
    typeof period !== 'number' ||
    !Number.isInteger(period) ||
    !(HIGH_RESOLUTION_PERIODS.includes(period) || (period >= 60 && period % 60 === 0))
  ) {
    problems.push(
      `The value ${String(period)} for parameter ${at}.MetricStat.Period is not valid: it must be 1, 5, 10, 20, 30 or a multiple of 60.`,
    );
  }
  const statName = text(stat.Stat) ?? '';
  if (!STATS.includes(statName) && percentileOf(statName) === undefined) {
    if (/^(p|tm|tc|ts|wm|pr|TM|TC|TS|WM|PR)\d|^IQM$/.test(statName)) {
      throw notModelledHere(`${at}.MetricStat.Stat ${statName} (extended statistics)`);
    }
    problems.push(`The value for parameter ${at}.MetricStat.Stat is not a valid statistic.`);
  }
  const dimensions = new Map<string, string>();
  for (const d of Array.isArray(metric.Dimensions) ? metric.Dimensions : []) {
    if (isObject(d) && typeof d.Name === 'string' && typeof d.Value === 'string') {
      dimensions.set(d.Name, d.Value);
    }
  }
  const label = text(raw.Label);
  const namespace = text(metric.Namespace);
  const metricName = text(metric.MetricName);
  const unit = text(stat.Unit);
  return {
    id,
    ...(label !== undefined && { label }),
    returnData: raw.ReturnData !== false,
    ...(namespace !== undefined && { namespace }),
    ...(metricName !== undefined && { metricName }),
    dimensions,
    periodSeconds: typeof period === 'number' ? period : 60,
    stat: statName,
    ...(unit !== undefined && { unit }),
  };
}

/**
 * The query's datapoints over [start, end): CloudWatch rounds StartTime down (to
 * the minute, or to the period for a high-resolution one), and each period's
 * datapoint is its source's statistic over the raw values inside it.
 */
function datapoints(
  q: Query,
  start: number,
  end: number,
  now: number,
  sources: readonly MetricSource[],
): Result['points'] {
  const periodMs = q.periodSeconds * 1000;
  const from = Math.floor(start / Math.min(periodMs, MINUTE_MS)) * Math.min(periodMs, MINUTE_MS);
  const first = Math.max(0, Math.floor((now - RETENTION_MS - from) / periodMs));
  const points: Result['points'] = [];
  for (let t = from + first * periodMs; t < end && t <= now; t += periodMs) {
    for (const source of sources) {
      const value = source.value(q, t, t + periodMs, now);
      if (value !== undefined) {
        points.push({ at: t, value });
        break;
      }
    }
  }
  return points;
}

function getMetricData(input: JsonInput, sources: readonly MetricSource[], now: number): object {
  if (input.body.LabelOptions !== undefined) throw notModelledHere('LabelOptions');
  const raw = input.objects('MetricDataQueries') ?? [];
  const problems: string[] = [];
  if (raw.length === 0) problems.push('The parameter MetricDataQueries must contain at least one query.');
  if (raw.length > MAX_QUERIES) {
    problems.push(`The collection MetricDataQueries must not have a size greater than ${MAX_QUERIES}.`);
  }
  const queries = raw.flatMap((q, i) => parseQuery(q, i + 1, problems) ?? []);
  if (new Set(queries.map((q) => q.id)).size !== queries.length) {
    problems.push('The values for parameter id in MetricDataQueries are not unique.');
  }
  const startS = input.number('StartTime');
  const endS = input.number('EndTime');
  if (startS === undefined) problems.push('The parameter StartTime is required.');
  if (endS === undefined) problems.push('The parameter EndTime is required.');
  if (startS !== undefined && endS !== undefined) {
    if (startS === endS) problems.push('The parameter StartTime must not equal parameter EndTime.');
    else if (startS > endS) problems.push('The parameter StartTime must be less than the parameter EndTime.');
  }
  const scanBy = input.string('ScanBy') ?? 'TimestampDescending';
  if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') {
    problems.push(
      `1 validation error detected: Value '${scanBy}' at 'scanBy' failed to satisfy constraint: Member must satisfy enum value set: [TimestampDescending, TimestampAscending]`,
    );
  }
  const maxDatapoints = input.number('MaxDatapoints') ?? DEFAULT_MAX_DATAPOINTS;
  if (!Number.isInteger(maxDatapoints) || maxDatapoints < 1) {
    problems.push(`The value ${maxDatapoints} for parameter MaxDatapoints must be a positive integer.`);
  }
  if (problems.length > 0 || startS === undefined || endS === undefined) throw validation(problems);

  const start = startS * 1000;
  const end = endS * 1000;
  const results: Result[] = queries
    .filter((q) => q.returnData)
    .map((query) => {
      const points = datapoints(query, start, end, now, sources);
      return { query, points: scanBy === 'TimestampAscending' ? points : points.reverse() };
    });
  return page(results, input, maxDatapoints);
}

/** A page cursor: query index and datapoint offset in one token-safe integer. */
const QUERY_STRIDE = 2 ** 40;

/**
 * At most `maxDatapoints` values a page, query after query; a query cut off
 * says PartialData and goes on in the next page, and one without datapoints
 * costs nothing. The token is bound to the request it continues, as CloudWatch
 * refuses a token used with another one.
 */
function page(results: Result[], input: JsonInput, maxDatapoints: number): object {
  const { NextToken: token, ...request } = input.body;
  let cursor = 0;
  if (token !== undefined) {
    const decoded = typeof token === 'string' ? decodeToken(token, request) : undefined;
    if (decoded === undefined) {
      throw new AwsError('InvalidNextToken', 'The service returned an invalid next token.');
    }
    cursor = decoded;
  }
  let offset = cursor % QUERY_STRIDE;
  let budget = maxDatapoints;
  let next: number | undefined;
  const out: object[] = [];
  for (let q = Math.floor(cursor / QUERY_STRIDE); q < results.length; q += 1, offset = 0) {
    const { query, points } = results[q] as Result;
    if (budget === 0 && offset < points.length) {
      next = q * QUERY_STRIDE + offset;
      break;
    }
    const taken = points.slice(offset, offset + budget);
    budget -= taken.length;
    const partial = offset + taken.length < points.length;
    out.push({
      Id: query.id,
      Label: query.label ?? query.metricName ?? query.id,
      Timestamps: taken.map((p) => epochSeconds(p.at)),
      Values: taken.map((p) => p.value),
      StatusCode: partial ? 'PartialData' : 'Complete',
    });
    if (partial) {
      next = q * QUERY_STRIDE + offset + taken.length;
      break;
    }
  }
  return {
    MetricDataResults: out,
    Messages: [],
    ...(next !== undefined && { NextToken: encodeToken(next, request) }),
  };
}

export function cloudwatchService(
  sources: readonly MetricSource[],
  alarms: AlarmStore,
  now: () => number,
): JsonService {
  return {
    name: 'cloudwatch',
    title: 'CloudWatch',
    targetPrefix: 'GraniteServiceVersion20100801',
    queryCompatible: {
      queryError(error) {
        const code = QUERY_CODES[error.code] ?? error.code;
        return { code, shape: `${NAMESPACE}#${SHAPES[code] ?? code}` };
      },
    },
    operations: {
      GetMetricData: {
        accepts: [
          'MetricDataQueries',
          'StartTime',
          'EndTime',
          'NextToken',
          'ScanBy',
          'MaxDatapoints',
          'LabelOptions',
        ],
        run: (input) => getMetricData(input, sources, now()),
      },
      DescribeAlarms: {
        accepts: [
          'AlarmNames',
          'AlarmNamePrefix',
          'AlarmTypes',
          'ChildrenOfAlarmName',
          'ParentsOfAlarmName',
          'StateValue',
          'ActionPrefix',
          'MaxRecords',
          'NextToken',
        ],
        run: (input) => alarms.describe(input),
      },
    },
  };
}
