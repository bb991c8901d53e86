import assert from 'node:assert/strict';
import type { HomeView } from '@slack/types';
import { WebClient } from '@slack/web-api';
import pino from 'pino';
import { registerHome } from '../../commands/home';
import { TeamViewGatherer } from '../../src/engine/team-view';
import { systemClock } from '../../src/ports/clock';
import { appHomeOpenedBody } from '../../src/sandbox/fake-slack/events-api';
import { HomePublisher } from '../../src/slack/home/home-publisher';
import { homeViewProblems } from '../../src/slack/home/home-view-limits';
import { UsergroupDirectory } from '../../src/slack/usergroups';
import { SIGNING_SECRET, SlackHarness } from '../support/slack-harness';
import { postToBolt } from '../support/slack-requests';
import { testConfig } from '../support/test-config';

type Json = Record<string, unknown>;

/** The mrkdwn of the section under `title` in a published Home view. */
function sectionUnder(view: Json | undefined, title: string): string {
  const blocks = (view?.blocks as Json[] | undefined) ?? [];
  const found = blocks.find((b) => String((b.text as Json | undefined)?.text ?? '').includes(title));
  return String((found?.text as Json | undefined)?.text ?? '');
}

describe('the App Home tab over real HTTP', function () {
  this.timeout(30_000);
  let h: SlackHarness;
  let home: HomePublisher;

  beforeEach(async () => {
    const config = testConfig();
    config.apps.backend!.environments.production!.rollback.twoPersonRule = true;
    config.apps.backend!.environments.production!.approvers = ['S0APPROVERS', 'U0REQUESTER'];
    h = new SlackHarness(config);
    await h.start();
    // What src/slack/app.ts and src/main.ts wire in production, on the harness's Bolt app.
    const client = new WebClient(['xoxb', 'test', 'token'].join('-'), { slackApiUrl: h.slack.apiUrl });
    const { engine } = h.engine;
    home = new HomePublisher({
      publish: (user, view: HomeView) => client.views.publish({ user_id: user, view }),
      gatherer: new TeamViewGatherer({
        config,
        store: engine.store,
        locks: engine.locks,
        groups: new UsergroupDirectory(client, () => Date.now()),
        clock: systemClock,
      }),
      redis: h.engine.client,
      prefix: h.engine.prefix,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      minIntervalMs: 200,
      settleMs: 20,
    });
    registerHome(h.app, { home, logger: pino({ level: 'silent' }) });
  });
  afterEach(async () => {
    home.close();
    await h.stop();
  });

  /** `user` opens the Home tab: Slack's signed event to the bot; answers the view published after it. */
  async function openHome(user: string): Promise<Json> {
    const before = h.slack.homeView(user)?.at ?? -1;
    const answer = await postToBolt(h.url, SIGNING_SECRET, appHomeOpenedBody(user));
    assert.equal(answer.status, 200);
    const published = await h.slack.waitFor(() => {
      const view = h.slack.homeView(user);
      return view && view.at > before ? view : undefined;
    });
    return published.view;
  }

  it('shows an approver the rollback waiting for their approval and what runs; a non-approver sees none', async () => {
    const { service } = h.engine.engine;
    const release = await service.request({
      version: 'v1.2.0',
      app: 'backend',
      environment: 'production',
      type: 'hotfix',
      requestedBy: 'U0REQUESTER',
    });
    await h.engine.waitFor(release.id, (r) => r.steps[0]?.state === 'succeeded');
    await service.tick(release.id, 'U0REQUESTER', { 'unit-tests': true, 'code-reviewed': true });
    await service.start(release.id, 'U0REQUESTER');
    assert.equal((await h.engine.waitForEnd(release.id)).state, 'succeeded');
    await h.command('U0DEPLOYER', 'backend production', '/rollback');
    const rollback = await h.engine.waitFor(await waitForRollbackId(), (r) => r.state === 'awaiting_start');

    const approverView = await openHome('U0APPROVER');
    assert.deepEqual(homeViewProblems(approverView), []);
    const waiting = sectionUnder(approverView, 'Waiting for your approval');
    assert.match(waiting, /Rollback of \*backend\* `v1\.2\.0` → \*production\*/);
    assert.match(waiting, /awaiting approval/);
    assert.match(waiting, /proposed by <@U0DEPLOYER>/);
    assert.ok(waiting.includes(rollback.id));
    assert.match(JSON.stringify(approverView), /\*production\*\\n🟢 runs `v1\.2\.0` since/);

    const outsiderView = await openHome('U0OUTSIDER');
    assert.match(
      sectionUnder(outsiderView, 'Waiting for your approval'),
      /Nothing is waiting for your approval/,
    );
    assert.doesNotMatch(sectionUnder(outsiderView, 'Waiting for your approval'), /Rollback/);
    // An approver, but the author of v1.2.0: the two-person rule leaves its rollback to someone else.
    const authorView = await openHome('U0REQUESTER');
    assert.match(sectionUnder(authorView, 'Waiting for your approval'), /Nothing is waiting/);

    // Approved elsewhere: the approver's open Home tab drops it on the next change.
    await service.approveRollback(rollback.id, 'U0APPROVER');
    home.changed();
    await h.slack.waitFor(
      () =>
        /Nothing is waiting for your approval/.test(
          sectionUnder(h.slack.homeView('U0APPROVER')?.view, 'Waiting'),
        ),
      10_000,
    );
  });

  async function waitForRollbackId(): Promise<string> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = (await h.engine.engine.store.history('backend')).find((r) => r.rollbackOf);
      if (found) return found.id;
      assert.ok(Date.now() < deadline, 'no rollback proposed');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
});
