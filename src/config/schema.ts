import { z } from 'zod';
import { DEFAULT_REQUIRED, isChecklistItemId } from '../domain/checklist';
import { parseDuration } from '../domain/duration';

/**
 * The YAML configuration, validated at start-up. Chat text only ever *selects*
 * from what is written here: clusters, services, commands and URLs never come
 * from a Slack message. Secrets do not belong in this file; they come from the
 * environment.
 */

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like 60s, 15m or 2h, got "${text}"` });
    return z.NEVER;
  }
  return ms;
});

/** Slack user (U…/W…) or user group (S…) ids. */
const slackPrincipal = z
  .string()
  .regex(/^[UWS][A-Z0-9]{2,}$/, { error: 'expected a Slack user id (U…, W…) or user group id (S…)' });

/** A command is written as a list of words, or one string split on spaces. */
const command = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
    error: 'expected a command: a string or a list of words',
  })
  .transform((value) => (typeof value === 'string' ? value.trim().split(/\s+/) : value));

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/, {
  error: 'expected a name of letters, digits, ".", "_" or "-"',
});

const serviceSchema = z
  .object({
    name,
    /** The containers whose image is the app's version; others (sidecars) keep theirs. */
    containers: z.array(name).min(1),
  })
  .strict();

const databaseSchema = z.union(
  [
    z
      .object({ instance: name })
      .strict()
      .transform((d) => ({ kind: 'instance' as const, id: d.instance })),
    z
      .object({ cluster: name })
      .strict()
      .transform((d) => ({ kind: 'cluster' as const, id: d.cluster })),
  ],
  { error: 'expected either `instance: <RDS instance id>` or `cluster: <Aurora cluster id>`' },
);

const migrationSchema = z
  .object({
    /** Whose task definition (network, roles, image) the migration task borrows. */
    service: name,
    container: name,
    command,
    rollbackCommand: command.optional(),
    timeout: duration.prefault('30m'),
  })
  .strict();

const healthSchema = z
  .object({
    url: z.url({ error: 'expected a URL' }),
    endpoints: z.array(z.string().startsWith('/', { error: 'expected a path starting with /' })).min(1),
    timeout: duration.prefault('5s'),
    /** Verify tries this many times, `interval` apart, before it fails the release. */
    attempts: z.number().int().min(1).max(60).default(3),
    interval: duration.prefault('10s'),
  })
  .strict();

/** Paths of JSON fields, dotted (`http.status`): letters, digits, `_`, `-`, `@`, `.`. */
const fieldPath = z.string().regex(/^[A-Za-z_@][A-Za-z0-9_@.-]*$/, { error: 'expected a field path like http.status' });

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

const monitoringSchema = z
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

const rollbackSchema = z
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

const timeoutsSchema = z
  .object({
    preflight: duration.prefault('2m'),
    backup: duration.prefault('60m'),
    deploy: duration.prefault('30m'),
    verify: duration.prefault('5m'),
    /** Restoring a snapshot into a new database (rollback's last resort); RDS takes its time. */
    restore: duration.prefault('3h'),
  })
  .strict();

const checklistSchema = z
  .object({
    /** Items that must be ticked (by people or by preflight) before "Start deployment" works. */
    required: z
      .array(
        z
          .string()
          .refine(isChecklistItemId, { error: 'expected a checklist item id (see src/domain/checklist.ts)' }),
      )
      .default([...DEFAULT_REQUIRED]),
    /** Who may tick items; empty means anyone in the channel. */
    tickers: z.array(slackPrincipal).default([]),
  })
  .strict();

const environmentSchema = z
  .object({
    cluster: name,
    services: z.array(serviceSchema).min(1),
    database: databaseSchema.optional(),
    migration: migrationSchema.optional(),
    logs: z.object({ group: z.string().min(1), errorPattern: z.string().min(1).default('ERROR') }).strict(),
    health: healthSchema,
    monitoring: monitoringSchema.prefault({}),
    rollback: rollbackSchema.prefault({}),
    timeouts: timeoutsSchema.prefault({}),
    /** Production usually requires the same version to have succeeded here first. */
    requireSuccessIn: name.optional(),
    /** Who may deploy here; empty means anyone in the channel. */
    deployers: z.array(slackPrincipal).default([]),
    /** Who may approve a rollback; never open to everyone. */
    approvers: z.array(slackPrincipal).default([]),
    checklist: checklistSchema.prefault({}),
    /** Slack channel for this environment's releases; defaults to slack.channel. */
    channel: z.string().min(1).optional(),
  })
  .strict()
  // `when`: cross-field checks run even when another field failed, so one pass
  // lists every problem. The data may then be partial, hence the guards.
  .superRefine(
    (env, ctx) => {
      if (!isRecord(env)) return;
      const services = new Set(Array.isArray(env.services) ? env.services.map((s) => s?.name) : []);
      const wanted = env.migration?.service;
      if (typeof wanted === 'string' && !services.has(wanted)) {
        ctx.addIssue({
          code: 'custom',
          path: ['migration', 'service'],
          message: `expected one of this environment's services (${[...services].join(', ')})`,
        });
      }
    },
    { when: () => true },
  );

const appSchema = z
  .object({
    /** The app's CHANGELOG.md (a file path or an http(s) URL); its section for the version is shown. */
    changelog: z.string().min(1).optional(),
    environments: z.record(name, environmentSchema).refine((envs) => Object.keys(envs).length > 0, {
      error: 'expected at least one environment',
    }),
  })
  .strict();

export const configSchema = z
  .object({
    slack: z
      .object({
        channel: z.string().min(1).default('engineering'),
        onCall: slackPrincipal.optional(),
      })
      .strict()
      .prefault({}),
    engine: z
      .object({
        /** A release lock expires this long after the last heartbeat of its release. */
        lockTtl: duration.prefault('10m'),
        /** How long a created release may wait for "Start" before its lock lapses. */
        startTimeout: duration.prefault('2h'),
        /** How often slow AWS operations are polled. */
        pollInterval: duration.prefault('15s'),
        /**
         * Step jobs one worker runs at once. They mostly wait on AWS and HTTP; a monitored
         * app holds one while it samples, and apps sampling together share a Logs query.
         */
        concurrency: z.number().int().min(1).max(100).default(50),
        /**
         * CloudWatch Logs requests per second for all of deploybot, across apps and
         * processes. The account allows about 5 a second (FilterLogEvents, Insights StartQuery/GetQueryResults); stay under.
         */
        logsRequestsPerSecond: z.number().gt(0).max(25).default(4),
      })
      .strict()
      .prefault({}),
    apps: z.record(name, appSchema).refine((apps) => Object.keys(apps).length > 0, {
      error: 'expected at least one app',
    }),
  })
  .strict()
  .superRefine(
    (config, ctx) => {
      const apps: Record<string, unknown> = isRecord(config) && isRecord(config.apps) ? config.apps : {};
      for (const [appName, app] of Object.entries(apps)) {
        const environments = isRecord(app) && isRecord(app.environments) ? app.environments : {};
        for (const [envName, env] of Object.entries(environments)) {
          const required = isRecord(env) ? env.requireSuccessIn : undefined;
          if (typeof required === 'string' && !Object.hasOwn(environments, required)) {
            ctx.addIssue({
              code: 'custom',
              path: ['apps', appName, 'environments', envName, 'requireSuccessIn'],
              message: `expected another environment of ${appName}`,
            });
          }
        }
      }
    },
    { when: () => true },
  );

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type Config = z.output<typeof configSchema>;
export type AppConfig = Config['apps'][string];
export type EnvironmentConfig = AppConfig['environments'][string];
