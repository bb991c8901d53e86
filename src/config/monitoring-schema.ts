import { z } from 'zod';
import { duration } from './duration-field';
import { factor, flag, listOf, matching, number, oneOf, percent, text, wholeNumber } from './fields';

/**
 * How an environment is watched after a deploy and when a rollback is
 * proposed (runbook "Step 4: Monitor", "When to Rollback"): the signals read
 * and the evidence a verdict needs.
 */

/** Paths of JSON fields, dotted (`http.status`): letters, digits, `_`, `-`, `@`, `.`. */
const fieldPath = matching(/^[A-Za-z_@][A-Za-z0-9_@.-]*$/, 'a JSON field path like http.status');

const accessLogsSchema = z.union(
  [
    z
      .object({
        group: text('a CloudWatch Logs group name, e.g. /ecs/backend-access').optional(),
        json: z.object({ status: fieldPath, latency: fieldPath }).strict(),
        latencyUnit: oneOf(['ms', 's']).default('ms'),
      })
      .strict(),
    z
      .object({
        group: text('a CloudWatch Logs group name, e.g. /ecs/backend-access').optional(),
        /** A Logs Insights parse clause naming the fields `status` and `latency`. */
        parse: z
          .string({ error: 'a Logs Insights parse clause naming the fields status and latency' })
          .refine((p) => /\bstatus\b/.test(p) && /\blatency\b/.test(p) && !/[|\n]/.test(p), {
            error: 'a Logs Insights parse clause (no "|") that names the fields status and latency',
          }),
        latencyUnit: oneOf(['ms', 's']).default('ms'),
      })
      .strict(),
  ],
  { error: 'either `json: { status: <field>, latency: <field> }` or `parse: <Insights parse clause>`' },
);

export const monitoringSchema = z
  .object({
    window: duration.prefault('15m'),
    interval: duration.prefault('60s'),
    /** Major releases: runbook "Extended monitoring (24-48 hours)", sampled less often. */
    extendedWindow: duration.prefault('24h'),
    extendedInterval: duration.prefault('10m'),
    /** How long a rollback is watched (runbook: 30 minutes). */
    rollbackWindow: duration.prefault('30m'),
    /** Health probes per endpoint in each sample, and for the baseline. */
    probes: wholeNumber(1, 100).default(5),
    baselineProbes: wholeNumber(1, 500).default(20),
    /** A status post in the release thread every this many samples. */
    postEvery: wholeNumber(1).default(5),
    /** Runbook "Post-Deployment Monitoring": summaries after the first hour, day and week. */
    followUps: z
      .array(duration, { error: 'a list of durations, e.g. [1h, 1d, 7d]' })
      .default([3_600_000, 86_400_000, 604_800_000]),
    /** Runbook "Post-Deployment Review (within 24 hours)". */
    reviewAfter: duration.prefault('24h'),
    /**
     * Runbook "CPU/Memory utilization normal": each sample also reads the services'
     * CPUUtilization and MemoryUtilization (AWS/ECS) with one CloudWatch GetMetricData.
     * Needs cloudwatch:GetMetricData; rollback.cpu / rollback.memory act on them.
     */
    metrics: flag.default(false),
    /**
     * The users' requests from the app's access-log lines (runbook "No 5XX errors",
     * "Response times normal"): one Logs Insights query per sample moment for every
     * app with the same format. Without it (and without a load balancer) traffic is
     * judged on the bot's own health probes, which the thread says.
     */
    accessLogs: accessLogsSchema.optional(),
    /**
     * The load balancer's per-minute figures (AWS/ApplicationELB), read with the
     * GetMetricData call of `metrics`: `auto` finds the target groups in the ECS
     * services' `loadBalancers` (elasticloadbalancing:DescribeTargetGroups), a list
     * names them; `off` reads none.
     */
    loadBalancers: z
      .union(
        [
          oneOf(['auto', 'off']),
          z.array(
            z
              .object({
                targetGroup: matching(
                  /^targetgroup\/[^/]+\/[0-9a-f]+$/,
                  'the target group ARN suffix targetgroup/<name>/<id>',
                ),
                loadBalancer: matching(
                  /^app\/[^/]+\/[0-9a-f]+$/,
                  'the load balancer ARN suffix app/<name>/<id>',
                ),
              })
              .strict(),
          ),
        ],
        { error: 'auto, off, or a list of { targetGroup, loadBalancer } ARN suffixes' },
      )
      .default('auto'),
    /** Runbook "No alerts triggered": alarms OK at baseline and in ALARM since are a breach. */
    alarms: z
      .object({
        names: listOf(text('an alarm name'), 'a list of CloudWatch alarm names').optional(),
        prefix: text('the start of CloudWatch alarm names, e.g. backend-prod-').optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const rollbackSchema = z
  .object({
    /** Fraction of requests failing, 0.05 = 5 %. */
    errorRate: number('a fraction below 1, e.g. 0.05 for 5 %', { above: 0, below: 1 }).default(0.05),
    latencyFactor: factor.default(2),
    errorLogFactor: factor.default(3),
    errorLogFloorPerMinute: number('a number of error lines a minute, 0 or more', { atLeast: 0 }).default(5),
    /** Saturation only: how many consecutive samples over the CPU/memory limit make a breach. */
    consecutive: wholeNumber(1).default(2),
    /** Traffic rules judge at least this much of the newest samples (a sliding window). */
    judgeWindow: duration.prefault('60s'),
    /** Fewer requests than this in the window (grown up to 5 min to find them) is inconclusive. */
    minRequests: wholeNumber(10).default(300),
    /** How unlikely the evidence must be on a healthy service (one-sided) before a traffic rule fires. */
    significance: number('a probability above 0 and at most 0.05, e.g. 0.001', {
      above: 0,
      atMost: 0.05,
    }).default(0.001),
    /** Tasks of the new revision that crashed (non-zero exit, failed to start) since the deploy. */
    crashes: wholeNumber(1).default(2),
    /** Database connections above this many times the baseline (and 20 more) in two complete minutes. */
    connectionsFactor: factor.default(2),
    /** A rollback proposed by hand is withdrawn if nobody decides within this long. */
    proposalTtl: duration.prefault('30m'),
    /** Percent CPU / memory of the busiest service above which a sample counts as saturated; unset: not judged. */
    cpu: percent.optional(),
    memory: percent.optional(),
    auto: flag.default(false),
    twoPersonRule: flag.default(false),
    /** Approvers are mentioned again while a proposal waits this long without a decision. */
    remindAfter: duration.prefault('10m'),
    /** Runbook "Post-Rollback: Schedule post-mortem". */
    postmortemAfter: duration.prefault('24h'),
  })
  .strict();
