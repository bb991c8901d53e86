import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { ROOT } from '../support/spawn';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = join(ROOT, 'test-output', 'browser');

/**
 * The sandbox as a person uses it, in a real browser: a good release from
 * checklist to "Released", then a bad one that monitoring catches, a refused
 * outsider, and an approver's rollback. A screenshot of each stage goes to
 * test-output/browser/.
 */
describe('the sandbox in a browser', function () {
  this.timeout(300_000);
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      // .ci/run installs Debian's chromium; a machine without it cannot run this test.
      throw new Error(`no browser at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    }
    mkdirSync(OUTPUT, { recursive: true });
    sandbox = await startSandbox({
      uiPort: 0,
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      timings: { rolloutMs: 1_500, snapshotMs: 800, taskPendingMs: 300, taskRunMs: 600 },
      windows: { window: '60s', interval: '5s', rollbackWindow: '10s' },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(sandbox.uiUrl);
  });

  afterEach(async function () {
    // What the page showed when a step failed, for whoever reads the CI output.
    if (this.currentTest?.state === 'failed' && page)
      await shot(`failed-${this.currentTest.title.slice(0, 40)}`);
  });

  after(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: join(OUTPUT, `${name}.png`), fullPage: true });
  }

  /** Waits until the page shows `text` anywhere (channel, thread or ephemeral). */
  async function waitForText(text: string, timeout = 15_000): Promise<void> {
    await page.waitForFunction(`document.body.innerText.includes(${JSON.stringify(text)})`, undefined, {
      timeout,
    });
  }

  async function be(userId: string): Promise<void> {
    await page.getByTestId(`persona-${userId}`).click();
  }

  async function type(command: string): Promise<void> {
    await page.getByTestId('composer').fill(command);
    await page.getByTestId('send').click();
  }

  /** The newest release message in the channel that offers `actionId`. */
  function newestWith(actionId: string) {
    return page.locator('[data-testid^="message-"]', { has: page.getByTestId(`action-${actionId}`) }).last();
  }

  /** Ticks a checklist item of the newest startable release and waits for the bot to show it ticked. */
  async function tick(item: string, ticksExpected: number): Promise<void> {
    const release = newestWith('release_start');
    await release.getByTestId(`option-${item}`).check();
    // The newest message that still offers Start, counted in the page (no DOM types in this tsconfig).
    const ticks = `(() => {
      const all = [...document.querySelectorAll('[data-testid^="message-"]')]
        .filter((m) => m.querySelector('[data-testid="action-release_start"]'));
      const last = all[all.length - 1];
      return last ? (last.innerText.match(/ticked by/g) || []).length : 0;
    })() >= ${ticksExpected}`;
    await page.waitForFunction(ticks, undefined, { timeout: 30_000 });
  }

  /** The end of what the page shows, for a failure message. */
  function tail(text: string): string {
    return text.slice(-2000);
  }

  it('releases v1.2.0 from the checklist to "Released"', async () => {
    await be('U0REQUESTER');
    await page.waitForSelector('text=engineering');
    await shot('01-empty-channel');
    await type('/deploy v1.2.0');
    const message = newestWith('release_start');
    await message.waitFor();
    // Preflight ticks its own items; people tick the rest.
    await message.getByText('Image pushed to ECR').first().waitFor();
    await tick('unit-tests', 1);
    await tick('code-reviewed', 2);
    await shot('02-checklist-ticked');
    await newestWith('release_start').getByTestId('action-release_start').click();
    await page.getByTestId('confirm-yes').click();
    await waitForText('Released in', 90_000);
    await shot('03-released');
    const text = await page.locator('body').innerText();
    for (const step of ['preflight', 'backup', 'baseline', 'migrate', 'deploy', 'verify', 'monitor']) {
      assert.match(text, new RegExp(step));
    }
  });

  it('catches a bad release, refuses an outsider and rolls back on the approver’s click', async () => {
    await type('/deploy v1.3.0-bad --type hotfix');
    const message = newestWith('release_start');
    await message.getByText('v1.3.0-bad').first().waitFor();
    await waitForText('v1.3.0-bad');
    // Each tick is confirmed by the bot's update before the next, as a person sees it.
    await tick('unit-tests', 1);
    await tick('code-reviewed', 2);
    await newestWith('release_start').getByTestId('action-release_start').click();
    await page.getByTestId('confirm-yes').click();

    // Monitoring proposes the rollback in the release's thread: open it until the proposal is there.
    const panel = page.getByTestId('thread-panel');
    const approve = panel.getByTestId('action-rollback_approve');
    const deadline = Date.now() + 150_000;
    while (!(await approve.isVisible())) {
      const seen = await page.locator('body').innerText();
      // Say why, not just "timed out": a refused start, a failed step or a window that saw nothing.
      assert.ok(
        !/Released in/.test(seen.slice(seen.lastIndexOf('v1.3.0-bad'))),
        `the bad release completed:\n${tail(seen)}`,
      );
      assert.ok(Date.now() < deadline, `no rollback proposal within 150 s:\n${tail(seen)}`);
      const links = page.locator('[data-testid^="thread-"]:not([data-testid="thread-panel"])');
      if ((await links.count()) > 0) await links.last().click();
      await page.waitForTimeout(1000);
    }
    await shot('04-rollback-proposed');

    await be('U0OUTSIDER');
    await panel.getByTestId('action-rollback_approve').click();
    await page.getByTestId('confirm-yes').click();
    await waitForText('may approve rollbacks');
    await shot('05-outsider-refused');

    await be('U0APPROVER');
    await panel.getByTestId('action-rollback_approve').click();
    await page.getByTestId('confirm-yes').click();
    await waitForText('Approved by', 30_000);
    // The rollback's own outcome ("Rolled back in 12s"), not the reverted release's "Rolled back: approved by".
    await waitForText('Rolled back in', 90_000);
    await shot('06-rolled-back');
    assert.match(
      sandbox.emulator.runningImage('social-analytics-cluster', 'backend-service') ?? '',
      /:v1\.2\.0$/,
    );

    // The services are back; the thread now offers the migration rollback as its own decision.
    await waitForText('Migration rollback of backend v1.3.0-bad', 30_000);
    await panel.getByTestId('action-rollback_approve').last().click();
    await page.getByTestId('confirm-yes').click();
    await waitForText('Migration rolled back in', 60_000);
    await shot('07-migration-rolled-back');
  });
});
