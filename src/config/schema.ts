import { z } from 'zod';
import { DEFAULT_REQUIRED, isChecklistItemId } from '../domain/checklist';
import { duration } from './duration-field';
import { leaseTimingProblems } from './lease-timing';
import { conflictMessage, sharedResourceConflicts } from './lock-groups';
import { monitoringSchema, rollbackSchema } from './monitoring-schema';

/**
 * The YAML configuration, validated at start-up. Chat text only ever *selects*
 * from what is written here: clusters, services, commands and URLs never come
 * from a Slack message. Secrets do not belong in this file; they come from the
 * environment.
 */

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
    /**
     * Environments (of any apps) that share an ECS service or a database must
     * name the same lock group: they then share one release lock, and a manual
     * lock on one locks them all. Without it, sharing is refused at start-up.
     */
    lockGroup: name.optional(),
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
        /**
         * How often the reconciler sweeps active releases (heartbeats their locks, re-enqueues
         * lost jobs); unset, a minute. lockTtl must outlive several sweeps: see lease-timing.ts.
         */
        reconcileInterval: duration.optional(),
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
      // Per-environment locks mean nothing when two environments change one resource.
      for (const conflict of sharedResourceConflicts(apps)) {
        ctx.addIssue({ code: 'custom', path: conflict.path, message: conflictMessage(conflict) });
      }
      // The lock's heartbeat schedule must fit its ttl; see src/config/lease-timing.ts.
      const engine = isRecord(config) && isRecord(config.engine) ? config.engine : undefined;
      const { lockTtl, startTimeout, reconcileInterval } = engine ?? {};
      if (
        typeof lockTtl === 'number' &&
        typeof startTimeout === 'number' &&
        (reconcileInterval === undefined || typeof reconcileInterval === 'number')
      ) {
        for (const message of leaseTimingProblems({ engine: { lockTtl, startTimeout, reconcileInterval } })) {
          ctx.addIssue({ code: 'custom', path: [], message });
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
