import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { ROOT } from '../support/spawn';
import { MISLEADING_WATCH } from './misleading-texts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = join(ROOT, 'test-output', 'browser');

/**
 * The README's first story, as written, in a real browser: a good release from
 * checklist to "Released" (and the app busy until its monitoring window ends),
 * a bad one that monitoring catches, a refused outsider, the approver's
 * rollback, the lock it leaves, the migration rollback, the unlock, and a
 * crashing build. Throughout, texts that misled people before (issue 10) must
 * never appear on the page. A screenshot of each stage goes to test-output/browser/.
 */
describe('the sandbox in a browser, following the README', function () {
  this.timeout(600_000);
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
      // The story's timings, shortened: the same waits, in seconds rather than minutes.
      timings: { rolloutMs: 1_500, snapshotMs: 800, taskPendingMs: 300, taskRunMs: 600, crashEveryMs: 4_000 },
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
    // Watches every change of the page from the first paint, so that a misleading
    // text shown for a moment and then replaced is caught too.
    await page.addInitScript(MISLEADING_WATCH);
    await page.goto(sandbox.uiUrl);
  });

  afterEach(async function () {
    // What the page showed when a step failed, for whoever reads the CI output.
    if (this.currentTest?.state === 'failed' && page)
      await shot(`failed-${this.currentTest.title.slice(0, 40)}`);
    await assertNothingMisleading();
  });

  after(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: join(OUTPUT, `${name}.png`), fullPage: true });
  }

  /** Every misleading text the page ever showed, with the moment's page text around it. */
  async function assertNothingMisleading(): Promise<void> {
    const seen = await page.evaluate('window.__misleading || []');
    assert.deepEqual(seen, [], `the page showed misleading texts:\n${JSON.stringify(seen, null, 2)}`);
  }

  async function bodyText(): Promise<string> {
    return page.locator('body').innerText();
  }

  /** Waits until the page shows `text` anywhere (channel, thread or ephemeral). */
  async function waitForText(text: string, timeout = 15_000): Promise<void> {
    await page.waitForFunction(`document.body.innerText.includes(${JSON.stringify(text)})`, undefined, {
      timeout,
    });
  }

  async function be(userId: string): Promise<void> {
    await page.getByTestId(`persona-${userId}`).click();
    await page.waitForFunction(
      // Until the channel drawn is theirs: their own ephemerals, not the last persona's.
      `document.getElementById('messages').dataset.viewer === ${JSON.stringify(userId)}`,
    );
  }

  /**
   * Waits until a message in the channel about `subject` states `state` in words
   * (`State` ↩️ rolled back), the way a reader without emoji sees it too.
   */
  async function waitForState(subject: string, state: string, timeout: number): Promise<void> {
    // "State: ✅ succeeded · …" in a context line, "State" above "⏪ rolling back" in a field.
    const stated = `State:?[ \\t]*\\n?[^\\n]*\\b${state}\\b`;
    await page.waitForFunction(
      `[...document.querySelectorAll('#messages .message')].some((m) =>
        m.innerText.includes(${JSON.stringify(subject)}) && new RegExp(${JSON.stringify(stated)}).test(m.innerText))`,
      undefined,
      { timeout },
    );
  }

  const ephemerals = () => page.locator('#messages .message.ephemeral');

  async function type(command: string): Promise<void> {
    await page.getByTestId('composer').fill(command);
    await page.getByTestId('send').click();
  }

  /** Sends `command` and answers the bot's reply to it alone (an ephemeral). */
  async function ask(command: string): Promise<string> {
    const before = await ephemerals().count();
    await type(command);
    await page.waitForFunction(
      `document.querySelectorAll('#messages .message.ephemeral').length > ${before}`,
      undefined,
      { timeout: 15_000 },
    );
    return ephemerals().last().innerText();
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

  /** README: tick "All unit tests passing" and "Code reviewed", then Start deployment and confirm. */
  async function tickAndStart(): Promise<void> {
    await tick('unit-tests', 1);
    await tick('code-reviewed', 2);
    await newestWith('release_start').getByTestId('action-release_start').click();
    await page.getByTestId('confirm-yes').click();
  }

  /** Opens the thread of `version`'s release until it offers "Approve rollback". */
  async function waitForProposal(version: string, timeoutMs: number): Promise<void> {
    const panel = page.getByTestId('thread-panel');
    const approve = panel.getByTestId('action-rollback_approve');
    const deadline = Date.now() + timeoutMs;
    while (!(await approve.isVisible())) {
      const seen = await bodyText();
      // Say why, not just "timed out": a refused start, a failed step or a window that saw nothing.
      assert.ok(
        !/Released in/.test(seen.slice(seen.lastIndexOf(version))),
        `${version} completed without a rollback proposal:\n${tail(seen)}`,
      );
      assert.ok(Date.now() < deadline, `no rollback proposal for ${version} in time:\n${tail(seen)}`);
      // The release's own message (the channel comes before the thread panel), and its thread.
      const release = page.locator('[data-testid^="message-"]', {
        hasText: `backend ${version} → production`,
      });
      const link = release.first().locator('[data-testid^="thread-"]');
      if ((await link.count()) > 0) await link.first().click();
      // The next look is after the page next changes (a sample, a post), not after a fixed pause.
      await page
        .waitForFunction(`document.body.innerText !== ${JSON.stringify(seen)}`, undefined, {
          timeout: 10_000,
        })
        .catch(() => undefined);
    }
  }

  /** The end of what the page shows, for a failure message. */
  function tail(text: string): string {
    return text.slice(-2000);
  }

  it('shows on each persona what they may do', async () => {
    await page.waitForSelector('text=engineering');
    assert.equal(await page.getByTestId('may-U0OUTSIDER').innerText(), 'watch only');
    assert.match(await page.getByTestId('may-U0APPROVER').innerText(), /tick.*approve rollbacks.*unlock/);
    assert.match(await page.getByTestId('may-U0REQUESTER').innerText(), /deploy & start, tick/);
  });

  it('1–2: releases v1.2.0 from the checklist to "Released", busy until its monitoring window ends', async () => {
    await be('U0REQUESTER');
    await shot('01-empty-channel');
    await type('/deploy v1.2.0');
    const message = newestWith('release_start');
    await message.waitFor();
    // Preflight ticks its own items; people tick the rest.
    await message.getByText('Image pushed to ECR').first().waitFor();
    await tickAndStart();
    await shot('02-started');

    // Until the monitoring window ends the app is busy; once monitoring runs, the refusal says when it frees up.
    let refusal = await ask('/deploy v1.3.0-bad --type hotfix');
    while (!/frees up/.test(refusal)) {
      assert.match(refusal, /backend\/production is busy with release/);
      assert.doesNotMatch(await bodyText(), /Released in/, 'v1.2.0 finished before any refusal said when');
      await page.waitForFunction(`document.body.innerText.includes('monitor')`);
      await page
        .waitForFunction(`document.body.innerText.length !== ${(await bodyText()).length}`, undefined, {
          timeout: 10_000,
        })
        .catch(() => undefined);
      refusal = await ask('/deploy v1.3.0-bad --type hotfix');
    }
    assert.match(refusal, /v1\.2\.0, monitoring/);
    assert.match(refusal, /@riley/);
    await shot('03-busy-until-monitoring-ends');

    await waitForText('Released in', 120_000);
    await shot('04-released');
    const text = await bodyText();
    for (const step of ['preflight', 'backup', 'baseline', 'migrate', 'deploy', 'verify', 'monitor']) {
      assert.match(text, new RegExp(step));
    }
  });

  it('3–4: catches v1.3.0-bad, refuses the outsider and rolls back on the approver’s click', async () => {
    await type('/deploy v1.3.0-bad --type hotfix');
    await newestWith('release_start').getByText('v1.3.0-bad').first().waitFor();
    await tickAndStart();

    await waitForProposal('v1.3.0-bad', 150_000);
    await shot('05-rollback-proposed');
    // The users' requests, quoted as the README shows them.
    assert.match(await bodyText(), /5xx [\d.]+% of [\d,]+ requests in the last/);

    const panel = page.getByTestId('thread-panel');
    await be('U0OUTSIDER');
    await panel.getByTestId('action-rollback_approve').click();
    await page.getByTestId('confirm-yes').click();
    await waitForText('may approve rollbacks');
    await shot('06-outsider-refused');

    await be('U0APPROVER');
    await panel.getByTestId('action-rollback_approve').click();
    await page.getByTestId('confirm-yes').click();
    // "rolling back" until the rollback has deployed v1.2.0 again and watched it; only then "rolled back".
    await waitForState('backend v1.3.0-bad → production', 'rolling back', 30_000);
    await waitForState('backend v1.3.0-bad → production', 'rolled back', 90_000);
    assert.match(
      sandbox.emulator.runningImage('social-analytics-cluster', 'backend-service') ?? '',
      /:v1\.2\.0$/,
      'the release reads "rolled back" before its rollback deployed the previous revision',
    );
    await shot('07-rolled-back');
  });

  it('5: announces the lock with its unlock command, then rolls the migration back as its own decision', async () => {
    await waitForText('/deploy unlock backend production', 30_000);
    await waitForText('Migration rollback of backend v1.3.0-bad', 30_000);
    await page.getByTestId('thread-panel').getByTestId('action-rollback_approve').last().click();
    await page.getByTestId('confirm-yes').click();
    await waitForState('Migration rollback of backend v1.3.0-bad', 'succeeded', 60_000);
    await shot('08-migration-rolled-back');
  });

  it('6: refuses a release while locked, lets only the approver unlock, then proposes rolling back a crashing build', async () => {
    await be('U0REQUESTER');
    const locked = await ask('/deploy v1.3.1');
    assert.match(locked, /backend\/production is locked/);
    assert.match(locked, /\/deploy unlock backend production/);

    await be('U0OUTSIDER');
    const outsider = await ask('/deploy unlock backend production');
    // Refused by the unlock rule, not by the rule for deploying.
    assert.match(outsider, /may\b[^\n]*unlock/);
    assert.doesNotMatch(outsider, /may deploy to/);

    // The unlock is said in the channel, for everyone.
    await be('U0APPROVER');
    await type('/deploy unlock backend production');
    await waitForText('unlocked by @alex');
    await shot('09-unlocked');

    await be('U0REQUESTER');
    await type('/deploy v1.3.0-crashy');
    await newestWith('release_start').getByText('v1.3.0-crashy').first().waitFor();
    await tickAndStart();
    await waitForProposal('v1.3.0-crashy', 150_000);
    assert.match(await page.getByTestId('thread-panel').innerText(), /crashed/);
    await shot('10-crashy-proposed');
  });
});
