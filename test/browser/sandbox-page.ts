import type { Page } from 'playwright-core';

/**
 * What a person does on the sandbox page, for browser tests: the same steps
 * test/browser/sandbox.test.ts takes (be someone, type a command, tick the
 * checklist and start), on any page.
 */
export class SandboxPage {
  constructor(readonly page: Page) {}

  async be(userId: string): Promise<void> {
    await this.page.getByTestId(`persona-${userId}`).click();
    await this.page.waitForFunction(
      // Until the channel drawn is theirs: their own ephemerals, not the last persona's.
      `document.getElementById('messages').dataset.viewer === ${JSON.stringify(userId)}`,
    );
  }

  async type(command: string): Promise<void> {
    await this.page.getByTestId('composer').fill(command);
    await this.page.getByTestId('send').click();
  }

  /** Waits until the page shows `text` anywhere. */
  async waitForText(text: string, timeout = 15_000): Promise<void> {
    await this.page.waitForFunction(`document.body.innerText.includes(${JSON.stringify(text)})`, undefined, {
      timeout,
    });
  }

  /** The newest release message in the channel that offers `actionId`. */
  newestWith(actionId: string) {
    return this.page
      .locator('[data-testid^="message-"]', { has: this.page.getByTestId(`action-${actionId}`) })
      .last();
  }

  /** Ticks a checklist item of the newest startable release and waits for the bot to show it ticked. */
  async tick(item: string, ticksExpected: number): Promise<void> {
    await this.newestWith('release_start').getByTestId(`option-${item}`).check();
    const ticks = `(() => {
      const all = [...document.querySelectorAll('[data-testid^="message-"]')]
        .filter((m) => m.querySelector('[data-testid="action-release_start"]'));
      const last = all[all.length - 1];
      return last ? (last.innerText.match(/ticked by/g) || []).length : 0;
    })() >= ${ticksExpected}`;
    await this.page.waitForFunction(ticks, undefined, { timeout: 30_000 });
  }

  /** README: tick "All unit tests passing" and "Code reviewed", then Start deployment and confirm. */
  async tickAndStart(): Promise<void> {
    await this.tick('unit-tests', 1);
    await this.tick('code-reviewed', 2);
    await this.newestWith('release_start').getByTestId('action-release_start').click();
    await this.page.getByTestId('confirm-yes').click();
  }
}
