import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { ROOT } from '../support/spawn';
import { SandboxPage } from './sandbox-page';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = join(ROOT, 'test-output', 'browser');

/**
 * The App Home tab in the sandbox page, in a real browser: after v1.2.0 is
 * released and a deployer proposes rolling it back, the approver's Home tab
 * shows what production runs and the rollback waiting for their approval; an
 * outsider's shows no rollback to decide.
 */
describe('the Home tab in the sandbox page', function () {
  this.timeout(300_000);
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  let as: SandboxPage;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`no browser at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    }
    mkdirSync(OUTPUT, { recursive: true });
    sandbox = await startSandbox({
      uiPort: 0,
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      timings: { rolloutMs: 1_500, snapshotMs: 800, taskPendingMs: 300, taskRunMs: 600 },
      windows: { window: '15s', interval: '5s', rollbackWindow: '10s' },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    as = new SandboxPage(page);
    await page.goto(sandbox.uiUrl);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page)
      await page.screenshot({ path: join(OUTPUT, 'home-failed.png'), fullPage: true });
  });

  after(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  /** The Home tab's text once it shows `text` (the bot publishes, the page fetches). */
  async function homeShows(text: string | RegExp, timeout = 15_000): Promise<string> {
    const pattern = typeof text === 'string' ? text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : text.source;
    await page.waitForFunction(
      `new RegExp(${JSON.stringify(pattern)}).test(document.querySelector('[data-testid="home-view"]').innerText)`,
      undefined,
      { timeout },
    );
    return page.getByTestId('home-view').innerText();
  }

  it('shows the approver what runs and the rollback waiting for their approval; the outsider none', async () => {
    await as.be('U0REQUESTER');
    await as.type('/deploy v1.2.0');
    await as.newestWith('release_start').getByText('Image pushed to ECR').first().waitFor();
    await as.tickAndStart();
    await as.waitForText('Released in', 120_000);

    // Dana proposes rolling v1.2.0 back; Riley requested it, so only Alex may approve (two-person rule).
    await as.be('U0DEPLOYER');
    await as.type('/rollback backend production');
    await as.waitForText('Rollback of backend v1.2.0');

    await as.be('U0APPROVER');
    await page.getByTestId('open-home').click();
    assert.equal(await page.getByTestId('home-tab').isVisible(), true);
    const home = await homeShows(/Waiting for your approval\s*\n.*Rollback of backend v1\.2\.0 → production/);
    assert.match(home, /production\s*\n\s*🟢 runs v1\.2\.0 since/);
    assert.match(home, /awaiting approval · proposed by @dana/);
    assert.match(home, /Last \d+ releases?/);
    await page.screenshot({ path: join(OUTPUT, 'home-approver.png'), fullPage: true });

    // The page switches to Sam: Sam's own Home tab, with nothing to decide.
    await as.be('U0OUTSIDER');
    const outsider = await homeShows(/for @sam/);
    assert.match(outsider, /Nothing is waiting for your approval/);
    assert.doesNotMatch(outsider, /Waiting for your approval\s*\n.*Rollback of/);

    // Back to the channel.
    await page.getByTestId('open-channel').click();
    assert.equal(await page.getByTestId('home-tab').isVisible(), false);
    assert.equal(await page.getByTestId('composer').isVisible(), true);
  });
});
