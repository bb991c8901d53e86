import { createLogger } from '../logging/logger';
import { startSandbox } from './sandbox';

/**
 * `npm run sandbox`: the whole bot on this machine, in one process, with a
 * Slack workspace in the browser and an emulated AWS account. Ctrl-C stops it.
 */
async function main(): Promise<void> {
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  const uiPort = Number(process.env.SANDBOX_PORT ?? 3000);
  const sandbox = await startSandbox({ uiPort, logger });
  console.log(
    [
      '',
      `deploybot sandbox is up: open ${sandbox.uiUrl}`,
      '',
      '  In #engineering, as Riley (requester):',
      '    /deploy v1.2.0                 tick "All unit tests passing" and "Code reviewed", then Start deployment',
      '    /deploy v1.3.0-bad --type hotfix   a bad release: monitoring proposes a rollback in its thread',
      '  Switch to Sam (outsider) and press Approve rollback: refused. Switch to Alex (approver): rolled back.',
      '  Also: /deploy help, /deploy status, /deploy v1.2.1 --dry-run, /rollback',
      '',
      'Ctrl-C stops everything.',
    ].join('\n'),
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping the sandbox…');
    sandbox.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`sandbox: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
