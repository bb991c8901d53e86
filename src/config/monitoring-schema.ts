import { z } from 'zod';
import { duration } from './duration-field';

/**
 * How an environment is watched after a deploy and when a rollback is
 * proposed (runbook "Step 4: Monitor", "When to Rollback"): the signals read
 * and the evidence a verdict needs.
 */

/** Paths of JSON fields, dotted (`http.status`): letters, digits, `_`, `-`, `@`, `.`. */
const fieldPath = z
  .string()
  .regex(/^[A-Za-z_@][A-Za-z0-9_@.-]*$/, { error: 'expected a field path like http.status' });

const accessLogsSchema = z.union(
  [
    z
      .object({
        group: z.string().min(1).optional(),
        json: z.object({ status: fieldPath, latency: fieldPath }).strict(),
        latencyUnit: z.enum(['ms', 's']).default('ms'),
      })
      .strict(),
    z
      .object({
        group: z.string().min(1).optional(),
        /** A Logs Insights parse clause naming the fields `status` and `latency`. */
        parse: z
          .string()
          .min(1)
          .refine((p) => /\bstatus\b/.test(p) && /\blatency\b/.test(p) && !/[|\n]/.test(p), {
            error: 'expected an Insights parse clause (no "|") that names the fields status and latency',
          }),
        latencyUnit: z.enum(['ms', 's']).default('ms'),
      })
      .strict(),
  ],
  { error: 'expected `json: {status, latency}` field paths or a `parse:` clause naming status and latency' },
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
    probes: z.number().int().min(1).max(100).default(5),
    baselineProbes: z.number().int().min(1).max(500).default(20),
    /** A status post in the release thread every this many samples. */
    postEvery: z.number().int().min(1).default(5),
    /** Runbook "Post-Deployment Monitoring": summaries after the first hour, day and week. */
    followUps: z.array(duration).default([3_600_000, 86_400_000, 604_800_000]),
    /** Runbook "Post-Deployment Review (within 24 hours)". */
    reviewAfter: duration.prefault('24h'),
    /**
     * Runbook "CPU/Memory utilization normal": each sample also reads the services'
     * CPUUtilization and MemoryUtilization (AWS/ECS) with one CloudWatch GetMetricData.
     * Needs cloudwatch:GetMetricData; rollback.cpu / rollback.memory act on them.
     */
    metrics: z.boolean().default(false),
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
      .union([
        z.enum(['auto', 'off']),
        z.array(
          z
            .object({
              targetGroup: z.string().regex(/^targetgroup\/[^/]+\/[0-9a-f]+$/, {
                error: 'expected the target group ARN suffix targetgroup/<name>/<id>',
              }),
              loadBalancer: z.string().regex(/^app\/[^/]+\/[0-9a-f]+$/, {
                error: 'expected the load balancer ARN suffix app/<name>/<id>',
              }),
            })
            .strict(),
        ),
      ])
      .default('auto'),
    /** Runbook "No alerts triggered": alarms OK at baseline and in ALARM since are a breach. */
    alarms: z
      .object({
        names: z.array(z.string().min(1)).optional(),
        prefix: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const rollbackSchema = z
  .object({
    /** Fraction of requests failing, 0.05 = 5 %. */
    errorRate: z.number().gt(0).lt(1).default(0.05),
    latencyFactor: z.number().gt(1).default(2),
    errorLogFactor: z.number().gt(1).default(3),
    errorLogFloorPerMinute: z.number().min(0).default(5),
    /** Saturation only: how many consecutive samples over the CPU/memory limit make a breach. */
    consecutive: z.number().int().min(1).default(2),
    /** Traffic rules judge at least this much of the newest samples (a sliding window). */
    judgeWindow: duration.prefault('60s'),
    /** Fewer requests than this in the window (grown up to 5 min to find them) is inconclusive. */
    minRequests: z.number().int().min(10).default(300),
    /** How unlikely the evidence must be on a healthy service (one-sided) before a traffic rule fires. */
    significance: z.number().gt(0).max(0.05).default(0.001),
    /** Tasks of the new revision that crashed (non-zero exit, failed to start) since the deploy. */
    crashes: z.number().int().min(1).default(2),
    /** Database connections above this many times the baseline (and 20 more) in two complete minutes. */
    connectionsFactor: z.number().gt(1).default(2),
    /** A rollback proposed by hand is withdrawn if nobody decides within this long. */
    proposalTtl: duration.prefault('30m'),
    /** Percent CPU / memory of the busiest service above which a sample counts as saturated; unset: not judged. */
    cpu: z.number().gt(0).max(100).optional(),
    memory: z.number().gt(0).max(100).optional(),
    auto: z.boolean().default(false),
    twoPersonRule: z.boolean().default(false),
    /** Approvers are mentioned again while a proposal waits this long without a decision. */
    remindAfter: duration.prefault('10m'),
    /** Runbook "Post-Rollback: Schedule post-mortem". */
    postmortemAfter: duration.prefault('24h'),
  })
  .strict();
