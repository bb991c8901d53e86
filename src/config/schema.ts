import { z } from 'zod';
import { CHECKLIST, DEFAULT_REQUIRED, isChecklistItemId } from '../domain/checklist';
import { patternTerms } from '../domain/log-pattern';
import { environmentProblems, requiredEnvironmentProblems } from './cross-checks';
import { closestName } from './did-you-mean';
import { duration } from './duration-field';
import {
  channel,
  listOf,
  matching,
  name,
  number as numberField,
  slackPrincipal,
  text,
  wholeNumber,
} from './fields';
import { leaseTimingProblems } from './lease-timing';
import { conflictMessage, sharedResourceConflicts } from './lock-groups';
import { monitoringSchema, rollbackSchema } from './monitoring-schema';
import { scheduleSchema } from './schedule-schema';

/**
 * The YAML configuration, validated at start-up. Chat text only ever *selects*
 * from what is written here: clusters, services, commands and URLs never come
 * from a Slack message. Secrets do not belong in this file; they come from the
 * environment.
 */

/** A command is written as a list of words, or one string split on spaces. */
const COMMAND = 'a command: one string, or a list of words like [alembic, upgrade, head]';
const command = z
  .union([text(COMMAND), listOf(text(COMMAND), COMMAND)], { error: COMMAND })
  .transform((value) => (typeof value === 'string' ? value.trim().split(/\s+/) : value));

const serviceSchema = z
  .object({
    name,
    /** The containers whose image is the app's version; others (sidecars) keep theirs. */
    containers: listOf(name, 'a list of container names, e.g. [backend]'),
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
  { error: 'either `instance: <RDS instance id>` or `cluster: <Aurora cluster id>`' },
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
    url: z.url({ error: 'a URL like https://api.example.com' }),
    endpoints: listOf(
      matching(/^\//, 'a path starting with /, e.g. /health'),
      'a list of paths, e.g. [/health]',
    ),
    timeout: duration.prefault('5s'),
    /** Verify tries this many times, `interval` apart, before it fails the release. */
    attempts: wholeNumber(1, 60).default(3),
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

const checklistItemId = z.string({ error: 'a checklist item id, e.g. unit-tests' }).check((ctx) => {
  if (isChecklistItemId(ctx.value)) return;
  const meant = closestName(
    ctx.value,
    CHECKLIST.map((item) => item.id),
  );
  ctx.issues.push({
    code: 'custom',
    input: ctx.value,
    message: `no checklist item '${ctx.value}' (${meant ? `did you mean ${meant}?` : 'the ids are in src/domain/checklist.ts'})`,
  });
});

const checklistSchema = z
  .object({
    /** Items that must be ticked (by people or by preflight) before "Start deployment" works. */
    required: z
      .array(checklistItemId, { error: 'a list of checklist item ids' })
      .default([...DEFAULT_REQUIRED]),
    /** Who may tick items; empty means anyone in the channel. */
    tickers: z.array(slackPrincipal, { error: 'a list of Slack user or group ids' }).default([]),
  })
  .strict();

const logsSchema = z
  .object({
    group: text('a CloudWatch Logs group name, e.g. /ecs/backend'),
    /** A CloudWatch Logs filter pattern; see src/domain/log-pattern.ts. */
    errorPattern: text('a CloudWatch Logs filter pattern, e.g. ERROR or ?ERROR ?FATAL')
      .check(filterPatternCheck)
      .default('ERROR'),
  })
  .strict();

const principals = (who: string) =>
  z.array(slackPrincipal, { error: `a list of Slack user or group ids (${who})` }).default([]);

const environmentSchema = z
  .object({
    cluster: name,
    services: listOf(serviceSchema, 'a list of services, each `- name: … containers: […]`'),
    database: databaseSchema.optional(),
    migration: migrationSchema.optional(),
    logs: logsSchema,
    health: healthSchema,
    monitoring: monitoringSchema.prefault({}),
    rollback: rollbackSchema.prefault({}),
    timeouts: timeoutsSchema.prefault({}),
    /** Production usually requires the same version to have succeeded here first. */
    requireSuccessIn: name.optional(),
    /** Who may deploy here; empty means anyone in the channel. */
    deployers: principals('who may deploy; empty: anyone'),
    /** Who may approve a rollback; never open to everyone. */
    approvers: principals('who may approve a rollback'),
    /**
     * Who may release against `schedule` (outside its windows, during a freeze)
     * with `--override "<reason>"`: break-glass. Empty: nobody.
     */
    overriders: principals('who may release outside the schedule with --override'),
    checklist: checklistSchema.prefault({}),
    /** Slack channel for this environment's releases; defaults to slack.channel. */
    channel: channel.optional(),
    /**
     * Environments (of any apps) that share an ECS service or a database must
     * name the same lock group: they then share one release lock, and a manual
     * lock on one locks them all. Without it, sharing is refused at start-up.
     */
    lockGroup: name.optional(),
    /** When releases may start: windows per release type and freezes, on one IANA zone's clock. */
    schedule: scheduleSchema.optional(),
  })
  .strict()
  // `when`: cross-field checks run even when another field failed, so one pass
  // lists every problem. The data may then be partial: cross-checks.ts guards.
  .superRefine(
    (env, ctx) => {
      for (const problem of environmentProblems(env)) ctx.addIssue({ code: 'custom', ...problem });
    },
    { when: () => true },
  );

const appSchema = z
  .object({
    /** The app's CHANGELOG.md (a file path or an http(s) URL); its section for the version is shown. */
    changelog: text('a file path or an http(s) URL of a CHANGELOG.md').optional(),
    environments: z
      .record(name, environmentSchema, {
        error: onlyForType('a map of environments, e.g. staging: and production:'),
      })
      .refine((envs) => Object.keys(envs).length > 0, {
        error: 'at least one environment, e.g. production:',
      }),
  })
  .strict();

export const configSchema = z
  .object({
    slack: z
      .object({
        channel: channel.default('engineering'),
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
        concurrency: wholeNumber(1, 100).default(50),
        /**
         * CloudWatch Logs requests per second for all of deploybot, across apps and
         * processes. The account allows about 5 a second (FilterLogEvents, Insights StartQuery/GetQueryResults); stay under.
         */
        logsRequestsPerSecond: numberField(
          'a rate above 0 and at most 25 requests a second (the account allows about 5)',
          { above: 0, atMost: 25 },
        ).default(4),
      })
      .strict()
      .prefault({}),
    apps: z
      .record(name, appSchema, { error: onlyForType('a map of apps, e.g. backend:') })
      .refine((apps) => Object.keys(apps).length > 0, {
        error: 'at least one app, e.g. backend:',
      }),
  })
  .strict()
  .superRefine(
    (config, ctx) => {
      const apps: Record<string, unknown> = isRecord(config) && isRecord(config.apps) ? config.apps : {};
      for (const problem of requiredEnvironmentProblems(apps)) ctx.addIssue({ code: 'custom', ...problem });
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
        for (const problem of leaseTimingProblems({ engine: { lockTtl, startTimeout, reconcileInterval } })) {
          ctx.addIssue({ code: 'custom', path: ['engine', problem.setting], message: problem.message });
        }
      }
    },
    { when: () => true },
  );

/** A `%regex%` filter pattern must compile; other patterns are CloudWatch's to judge. */
function filterPatternCheck(ctx: z.core.ParsePayload<string>): void {
  const terms = patternTerms(ctx.value);
  if (terms.kind !== 'regex') return;
  try {
    new RegExp(terms.source);
  } catch (error) {
    const reason = String((error as Error).message)
      .split(': ')
      .pop();
    ctx.issues.push({
      code: 'custom',
      input: ctx.value,
      message: `the regular expression between the % signs does not compile (${reason})`,
    });
  }
}

/**
 * A map's own message for a value that is no map; a bad key keeps the key's
 * message (`apps["my app"]: a name of letters, …`).
 */
function onlyForType(expected: string) {
  return (issue: z.core.$ZodRawIssue) => (issue.code === 'invalid_type' ? expected : undefined);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type Config = z.output<typeof configSchema>;
export type AppConfig = Config['apps'][string];
export type EnvironmentConfig = AppConfig['environments'][string];
