import assert from 'node:assert/strict';
import { SIGNING_SECRET, SlackHarness } from '../../support/slack-harness';
import {
  blockActionsPayload,
  interactionBody,
  postToBolt,
  slashCommandBody,
  TEAM,
} from '../../support/slack-requests';

/**
 * Slack shows the person an error unless an interaction is answered within 3
 * seconds; Bolt's own fallback answers 404 after 3 s. Each request here must be
 * acknowledged well within that: the request gives up (and the test fails) at 2.5 s.
 */
const WITHIN_SLACKS_BUDGET = { timeoutMs: 2500 };

describe('interactions no listener handles are acknowledged at once', function () {
  this.timeout(20_000);
  let h: SlackHarness;

  before(async () => {
    h = new SlackHarness();
    await h.start();
  });
  after(async () => {
    await h.stop();
  });

  const user = { id: 'U0DEPLOYER', username: 'dana', team_id: TEAM.id };
  const post = (payload: unknown) =>
    postToBolt(h.url, SIGNING_SECRET, interactionBody(payload), WITHIN_SLACKS_BUDGET);

  it('an unknown action id', async () => {
    const payload = blockActionsPayload(
      {
        user_id: 'U0DEPLOYER',
        message: { ts: '1764262000.000100', blocks: [] },
        response_url: h.slack.newResponseUrl(),
      },
      { type: 'button', action_id: 'no_such_action', block_id: 'b1', value: 'x' },
    );
    const answer = await post(payload);
    assert.equal(answer.status, 200);
  });

  it('a view submission and a view closed', async () => {
    const view = { id: 'V0VIEW', type: 'modal', callback_id: 'no_such_view', state: { values: {} } };
    for (const type of ['view_submission', 'view_closed']) {
      const answer = await post({ type, user, team: { id: TEAM.id }, api_app_id: 'A0DEPLOYBOT', view });
      assert.equal(answer.status, 200, type);
    }
  });

  it('a global shortcut and a message shortcut', async () => {
    const shortcut = {
      type: 'shortcut',
      user,
      team: { id: TEAM.id },
      callback_id: 'nope',
      trigger_id: '1.2.abc',
    };
    assert.equal((await post(shortcut)).status, 200);
    const messageAction = {
      ...shortcut,
      type: 'message_action',
      channel: { id: 'C0ENGINEER', name: 'engineering' },
      message: { ts: '1764262000.000100', text: 'hi' },
      response_url: h.slack.newResponseUrl(),
    };
    assert.equal((await post(messageAction)).status, 200);
  });

  it('an options load for a menu we never posted', async () => {
    const suggestion = {
      type: 'block_suggestion',
      user,
      team: { id: TEAM.id },
      action_id: 'menu',
      block_id: 'b',
      value: 'ab',
    };
    assert.equal((await post(suggestion)).status, 200);
  });

  it('a slash command we do not serve, and an event type we do not listen to', async () => {
    const command = slashCommandBody({
      command: '/nope',
      text: 'x',
      user_id: 'U0DEPLOYER',
      response_url: h.slack.newResponseUrl(),
    });
    assert.equal((await postToBolt(h.url, SIGNING_SECRET, command, WITHIN_SLACKS_BUDGET)).status, 200);
    const event = {
      type: 'event_callback',
      team_id: TEAM.id,
      api_app_id: 'A0DEPLOYBOT',
      event: {
        type: 'reaction_added',
        user: 'U0DEPLOYER',
        reaction: 'tada',
        item: { type: 'message', channel: 'C0ENGINEER', ts: '1.2' },
      },
      event_id: 'Ev0001',
      event_time: 1,
    };
    assert.equal(
      (await postToBolt(h.url, SIGNING_SECRET, JSON.stringify(event), WITHIN_SLACKS_BUDGET)).status,
      200,
    );
  });

  it('while handled requests keep their own answer', async () => {
    const help = await h.command('U0DEPLOYER', 'help');
    assert.equal(help.status, 200);
    assert.match(JSON.stringify(help.json), /\/deploy status/);
  });
});
