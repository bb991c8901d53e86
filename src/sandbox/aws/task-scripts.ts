import type { CommandMatcher, TaskScript } from './types';

/**
 * What a one-off task prints and how it exits, chosen by its command. Tests and
 * the sandbox register scripts; unmatched commands get a plausible default so a
 * migration "just works" out of the box.
 */
const ALEMBIC_UPGRADE = [
  'INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.',
  'INFO  [alembic.runtime.migration] Will assume transactional DDL.',
  'INFO  [alembic.runtime.migration] Running upgrade 3f1c2a9b7d10 -> 8e4b6c1d2f33, add engagement_daily rollup',
  'INFO  [alembic.runtime.migration] Running upgrade 8e4b6c1d2f33 -> a7d9e0f41b25, index posts by published_at',
];

const ALEMBIC_DOWNGRADE = [
  'INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.',
  'INFO  [alembic.runtime.migration] Will assume transactional DDL.',
  'INFO  [alembic.runtime.migration] Running downgrade a7d9e0f41b25 -> 8e4b6c1d2f33, index posts by published_at',
];

const PYTEST = [
  '============================= test session starts ==============================',
  'collected 12 items',
  'tests/smoke/test_api.py ............                                     [100%]',
  '============================== 12 passed in 2.31s ==============================',
];

/** A container whose image cannot start never runs its command. */
export const BROKEN_START_REASON =
  'CannotStartContainerError: Error response from daemon: failed to create task for container: exec: "/app/entrypoint.sh": permission denied';

export class TaskScripts {
  private readonly scripts: { match: CommandMatcher; script: TaskScript }[] = [];

  /** Later registrations win over earlier ones and over the defaults. */
  add(match: CommandMatcher, script: TaskScript): void {
    if (!Number.isInteger(script.exitCode)) throw new Error('a task script needs an integer exitCode');
    this.scripts.unshift({ match, script });
  }

  clear(): void {
    this.scripts.length = 0;
  }

  for(command: string[]): TaskScript {
    const text = command.join(' ');
    const found = this.scripts.find(({ match }) =>
      typeof match === 'string' ? match === text : match.test(text),
    );
    if (found) return found.script;
    if (/\balembic\b.*\bupgrade\b/.test(text)) return { exitCode: 0, lines: ALEMBIC_UPGRADE };
    if (/\balembic\b.*\bdowngrade\b/.test(text)) return { exitCode: 0, lines: ALEMBIC_DOWNGRADE };
    if (/\bpytest\b/.test(text)) return { exitCode: 0, lines: PYTEST };
    return { exitCode: 0, lines: [`running: ${text || '(image default command)'}`, 'done'] };
  }
}
