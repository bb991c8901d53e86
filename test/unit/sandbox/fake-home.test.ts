import assert from 'node:assert/strict';
import { WebClient, type WebAPIPlatformError } from '@slack/web-api';
import { FakeSlackApi } from '../../../src/sandbox/fake-slack-api';
import { appHomeOpenedBody } from '../../../src/sandbox/fake-slack/events-api';
import { judgeRequestBody } from '../../../src/slack/request-shape';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('the fake Slack’s App Home', () => {
  let api: FakeSlackApi;
  let slack: WebClient;

  before(async () => {
    api = new FakeSlackApi();
    await api.start();
    slack = new WebClient(['xoxb', 'fake', 'home'].join('-'), {
      slackApiUrl: api.apiUrl,
      retryConfig: { retries: 0 },
    });
  });
  after(async () => api.stop());

  async function refusal(blocks: unknown[]): Promise<string> {
    const error = (await slack.views
      .publish({ user_id: 'U0APPROVER', view: { type: 'home', blocks: blocks as never } })
      .then(
        () => undefined,
        (e: unknown) => e,
      )) as WebAPIPlatformError | undefined;
    return error?.data.error ?? 'accepted';
  }

  it('takes a Home view of 100 blocks, as Slack does, and refuses 101 or a block over its own limits', async () => {
    const hundred = Array.from({ length: 100 }, (_, i) => section(`app ${i}`));
    assert.equal(await refusal(hundred), 'accepted');
    assert.equal(api.homeView('U0APPROVER')?.view.blocks instanceof Array, true);
    assert.equal(await refusal([...hundred, section('one more')]), 'invalid_blocks');
    const tooLong = [...hundred.slice(0, 60), section('x'.repeat(3001))];
    assert.equal(await refusal(tooLong), 'invalid_blocks');
    assert.equal((api.homeView('U0APPROVER')?.view.blocks as unknown[]).length, 100);
  });

  it('sends app_home_opened as an Events API body the bot’s request guard lets through', () => {
    const body = appHomeOpenedBody('U0APPROVER');
    assert.deepEqual(judgeRequestBody('application/json', Buffer.from(body)), {
      forward: true,
      mediaType: 'application/json',
      kind: 'event_callback',
    });
    const parsed = JSON.parse(body) as { event: Record<string, unknown> };
    assert.equal(parsed.event.type, 'app_home_opened');
    assert.equal(parsed.event.user, 'U0APPROVER');
    assert.equal(parsed.event.tab, 'home');
  });
});
