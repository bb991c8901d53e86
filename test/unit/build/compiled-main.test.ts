import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linkProductionModules, productionBuild, transpileInto } from './production-build';

/**
 * The image runs `node dist/src/main.js` next to a node_modules holding the
 * production dependencies and nothing else. Lay out the same in a folder of
 * its own and load the entry points: every relative import must be a file the
 * build emitted, every package a production one. Loading does not start the
 * bot (each entry point runs only as the main module).
 */
describe('the compiled bot, laid out as in the image', () => {
  let dir: string;
  let child: ChildProcess | undefined;

  before(function () {
    this.timeout(120_000);
    dir = mkdtempSync(join(tmpdir(), 'deploybot-image-'));
    transpileInto(dir, productionBuild());
    linkProductionModules(dir);
  });

  after(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `node -e script` in `cwd` with no road to the repository's node_modules but the links. */
  async function runNode(script: string, cwd: string): Promise<{ code: number | null; stderr: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
    delete env.NODE_PATH;
    delete env.NODE_OPTIONS;
    const started = spawn(process.execPath, ['-e', script], {
      cwd,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = started;
    let stderr = '';
    started.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      started.on('error', reject);
      started.on('close', resolve);
    });
    return { code, stderr };
  }

  it('loads main, the CLI and the step processor from the built files and production packages only', async function () {
    this.timeout(60_000);
    const entries = ['./src/main.js', './commands/cli.js', './jobs/step-processor.js'];
    const { code, stderr } = await runNode(
      `for (const entry of ${JSON.stringify(entries)}) require(entry)`,
      dir,
    );
    assert.equal(code, 0, stderr);
  });

  it('cannot reach a development-only package from there', async function () {
    // The check above means something only if a dev dependency would fail to load.
    this.timeout(60_000);
    const { code, stderr } = await runNode("require.resolve('mocha')", join(dir, 'src'));
    assert.notEqual(code, 0);
    assert.match(stderr, /Cannot find module 'mocha'/);
  });
});
