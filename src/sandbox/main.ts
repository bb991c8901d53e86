import { createLogger } from '../logging/logger';
import { redactRedisUrl } from '../redis/connection';
import { startSandbox, type Sandbox } from './sandbox';
import { PortInUseError } from './workspace';

/**
 * `npm run sandbox`: the whole bot on this machine, in one process, with a
 * Slack workspace in the browser and an emulated AWS account. Ctrl-C (or
 * SIGTERM) stops it and removes what it wrote to Redis.
 */
async function main(): Promise<void> {
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  const uiPort = sandboxPort(process.env.SANDBOX_PORT);
  // Listening before anything starts: whoever reads the banner may press Ctrl-C at once, and
  // a signal with no listener yet would kill the process with its keys still in Redis.
  const lifecycle: { sandbox?: Sandbox; stopping?: boolean } = {};
  const stop = () => {
    if (lifecycle.stopping) return;
    lifecycle.stopping = true;
    if (lifecycle.sandbox) shutDown(lifecycle.sandbox);
    else console.log('\nstopping the sandbox as soon as it has started…');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const sandbox = await startSandbox({ uiPort, logger });
  lifecycle.sandbox = sandbox;
  // Stopped while starting: it stops as soon as it is up.
  if (lifecycle.stopping) return shutDown(sandbox);
  console.log(
    [
      '',
      `deploybot sandbox is up: open ${sandbox.uiUrl}`,
      '',
      '  In #engineering, as Riley (requester):',
      '    /deploy v1.2.0                     tick "All unit tests passing" and "Code reviewed", then Start deployment',
      '    wait for "Released in" (about 2 minutes of monitoring): until then backend/production is busy',
      '    /deploy v1.3.0-bad --type hotfix   a bad release: monitoring proposes a rollback in its thread',
      '  As Sam (outsider) press Approve rollback: refused. As Alex (approver): rolled back, and the app stays',
      '  locked until Alex types /deploy unlock backend production. The README tells the rest of the story.',
      '  Also: /deploy help, /deploy status, /deploy v1.2.1 --dry-run, /rollback',
      '',
      `Redis: ${redactRedisUrl(sandbox.redisUrl)}, keys under "${sandbox.redisPrefix}:" (removed when the sandbox stops).`,
      'Ctrl-C stops everything.',
    ].join('\n'),
  );
}

function shutDown(sandbox: Sandbox): void {
  console.log('\nstopping the sandbox…');
  sandbox.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}

/** SANDBOX_PORT, 3000 when unset; anything but a port number is refused before anything starts. */
function sandboxPort(text: string | undefined): number {
  const value = text?.trim() || '3000';
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new Error(`SANDBOX_PORT must be a port number (0-65535), not "${value}"`);
  }
  return port;
}

/** One line a person can act on: the port and the command that avoids it. */
function explain(error: unknown): string {
  if (error instanceof PortInUseError) {
    const other = error.port >= 65535 ? 3001 : error.port + 1;
    return `port ${error.port} is already in use (an earlier sandbox still running?); stop that, or pick another: SANDBOX_PORT=${other} npm run sandbox`;
  }
  return error instanceof Error ? error.message : String(error);
}

main().catch((error: unknown) => {
  console.error(`sandbox: ${explain(error)}`);
  process.exit(1);
});
