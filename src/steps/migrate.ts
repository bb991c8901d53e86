import { StepFailure } from '../domain/errors';
import type { TaskState } from '../ports/container-platform';
import type { StepContext, StepHandler } from './step-handler';
import { ensureTargetRevision } from './target-revision';

const LOG_LINES_ON_FAILURE = 30;
const LOG_LINES_ON_SUCCESS = 10;

/**
 * Database migrations as a one-off ECS task running the new image (runbook
 * "Deploy Database Migrations"). The task is started with `startedBy` = release
 * id, so a resumed run finds the task it started instead of starting another.
 */
export const migrate: StepHandler = migrationTaskStep('up');

/**
 * The migration's rollback command (runbook "Rollback Database": `alembic
 * downgrade -1`), a database rollback's only step. It runs with the reverted
 * release's task definition, copied into this release's facts when it was
 * proposed: only the new image knows the migration it undoes.
 */
export const migrateDown: StepHandler = migrationTaskStep('down');

function migrationTaskStep(direction: 'up' | 'down'): StepHandler {
  const commandOf = (env: StepContext['env']) =>
    direction === 'up' ? env.migration?.command : env.migration?.rollbackCommand;
  return {
    describe(env) {
      const m = env.migration;
      const command = commandOf(env);
      if (!m || !command) return [];
      return [
        direction === 'up'
          ? `ECS RegisterTaskDefinition: ${m.service}'s task definition with the new image`
          : `the task definition the reverted release registered for ${m.service} (its image knows the migration)`,
        `ECS RunTask on ${env.cluster} like ${m.service}, container ${m.container}: ${command.join(' ')}`,
        'ECS DescribeTasks until STOPPED; exit code must be 0',
        'CloudWatch Logs GetLogEvents: the task log tail',
      ];
    },
    timeoutMs: (env) => env.migration?.timeout ?? 0,
    async run(ctx) {
      const migration = ctx.env.migration;
      const command = commandOf(ctx.env);
      if (!migration || !command) {
        throw new StepFailure(
          direction === 'up' ? 'no_migration' : 'no_rollback_command',
          direction === 'up'
            ? 'migrate needs a migration in the configuration'
            : 'a migration rollback needs migration.rollbackCommand in the configuration',
        );
      }
      const taskArn = ctx.release.facts.migrationTaskArn ?? (await startOrFindTask(ctx, command, direction));
      const task = await ctx.ports.platform.describeTask(ctx.env.cluster, taskArn);
      if (task.lastStatus !== 'STOPPED') {
        return { kind: 'wait', note: `migration task ${taskId(taskArn)} is ${task.lastStatus}` };
      }
      const container = task.containers.find((c) => c.name === migration.container);
      const exitCode = container?.exitCode;
      if (exitCode === 0) {
        const tail = await logTail(ctx, taskArn, LOG_LINES_ON_SUCCESS);
        return {
          kind: 'done',
          summary: `\`${command.join(' ')}\` exited 0 (task ${taskId(taskArn)})`,
          details: tail,
        };
      }
      const tail = await logTail(ctx, taskArn, LOG_LINES_ON_FAILURE);
      throw new StepFailure(
        direction === 'up' ? 'migration_failed' : 'migration_rollback_failed',
        [
          `migration task ${taskId(taskArn)} ${describeStop(task, exitCode)}`,
          ...tail.map((l) => `  ${l}`),
        ].join('\n'),
      );
    },
  };
}

async function startOrFindTask(
  ctx: StepContext,
  command: string[],
  direction: 'up' | 'down',
): Promise<string> {
  const migration = ctx.env.migration as NonNullable<StepContext['env']['migration']>;
  const { platform } = ctx.ports;
  const existing = await platform.findTasksStartedBy(ctx.env.cluster, ctx.release.id);
  let taskArn = existing[0];
  if (!taskArn) {
    const [service] = await platform.describeServices(ctx.env.cluster, [migration.service]);
    if (!service) throw new StepFailure('service_not_found', `service ${migration.service} not found`);
    const taskDefinition = await ensureTargetRevision(ctx, migration.service, service.taskDefinition);
    taskArn = await platform.runTask({
      cluster: ctx.env.cluster,
      taskDefinition,
      likeService: migration.service,
      container: migration.container,
      command,
      startedBy: ctx.release.id,
      clientToken: `${ctx.release.id}-${direction === 'up' ? 'migrate' : 'migrate-down'}`,
    });
  }
  await ctx.record({ facts: { migrationTaskArn: taskArn } });
  return taskArn;
}

function describeStop(task: TaskState, exitCode: number | undefined): string {
  const code = exitCode === undefined ? 'without an exit code' : `with exit code ${exitCode}`;
  const reason = task.stoppedReason ? `: ${task.stoppedReason}` : '';
  return `stopped ${code}${reason}`;
}

/** The migration container's last log lines, from its awslogs stream `prefix/container/taskId`. */
async function logTail(ctx: StepContext, taskArn: string, lines: number): Promise<string[]> {
  const migration = ctx.env.migration;
  const taskDefinition = ctx.release.facts.targetTaskDefinitions[migration?.service ?? ''];
  if (!migration || !taskDefinition) return [];
  const definition = await ctx.ports.platform.describeTaskDefinition(taskDefinition);
  const log = definition.containers.find((c) => c.name === migration.container)?.log;
  if (!log) return ['(the migration container has no awslogs configuration; no log tail)'];
  const stream = [log.streamPrefix, migration.container, taskId(taskArn)].filter(Boolean).join('/');
  return ctx.ports.logs.tail(log.group, stream, lines);
}

function taskId(taskArn: string): string {
  return taskArn.split('/').pop() as string;
}
