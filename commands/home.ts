import type { App } from '@slack/bolt';
import type { Logger } from '../src/logging/logger';
import type { HomePublisher } from '../src/slack/home/home-publisher';

export interface HomeDeps {
  home: Pick<HomePublisher, 'opened'>;
  logger: Logger;
}

/**
 * The App Home tab: whenever someone opens it, publish their view (their
 * approvals are theirs alone) and remember them for refreshes. Bolt has
 * acknowledged an Events API request before any listener runs, so the work
 * here never races Slack's 3 seconds. The Messages tab fires the same event
 * and needs nothing.
 */
export function registerHome(app: App, deps: HomeDeps): void {
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    try {
      await deps.home.opened(event.user);
    } catch (error) {
      deps.logger.warn({ err: error }, 'home tab not published');
    }
  });
}
