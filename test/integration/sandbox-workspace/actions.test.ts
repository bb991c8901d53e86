import assert from 'node:assert/strict';
import { Rig } from './support';

type Json = Record<string, unknown>;

const OPTIONS = [
  { text: { type: 'plain_text', text: 'Migrations reviewed', emoji: true }, value: 'migrations' },
  {
    text: { type: 'plain_text', text: 'Rollback plan', emoji: true },
    value: 'rollback-plan',
    description: { type: 'mrkdwn', text: 'ticked by <@U0REQUESTER>' },
  },
  { text: { type: 'plain_text', text: 'On-call told', emoji: true }, value: 'oncall' },
];

const BLOCKS = [
  { type: 'header', text: { type: 'plain_text', text: 'backend v1.2.0 → production' } },
  {
    type: 'actions',
    block_id: 'checklist-pre-release-0',
    elements: [
      {
        type: 'checkboxes',
        action_id: 'checklist:1',
        options: OPTIONS,
        initial_options: [OPTIONS[1]],
      },
    ],
  },
  {
    type: 'actions',
    block_id: 'release-buttons',
    elements: [
      {
        type: 'button',
        text: { type: 'plain_text', text: 'Start' },
        action_id: 'release_start',
        value: 'rel-7',
        style: 'primary',
      },
      {
        type: 'button',
        text: { type: 'plain_text', text: 'Cancel' },
        action_id: 'release_cancel',
        value: 'rel-7',
        style: 'danger',
        confirm: {
          title: { type: 'plain_text', text: 'Cancel?' },
          text: { type: 'plain_text', text: 'Really?' },
          confirm: { type: 'plain_text', text: 'Cancel release' },
          deny: { type: 'plain_text', text: 'Keep' },
          style: 'danger',
        },
      },
    ],
  },
];

describe('sandbox workspace: clicks and ticks on messages', function () {
  let rig: Rig;
  let ts: string;

  beforeEach(async () => {
    rig = await new Rig().start();
    const posted = await rig.slackCall('chat.postMessage', {
      channel: 'C0ENGINEER',
      text: 'backend v1.2.0 → production',
      blocks: BLOCKS,
    });
    ts = String(posted.ts);
  });
  afterEach(async () => rig.stop());

  it('sends a button click as a signed block_actions payload built from the message as stored', async () => {
    // A value from the page is not trusted: the payload carries the stored button's.
    const answer = await rig.api('/api/action', {
      user: 'U0APPROVER',
      ts,
      blockId: 'release-buttons',
      actionId: 'release_cancel',
      value: 'forged',
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.json.ok, true);
    assert.equal(rig.bot.rejected, 0);
    const [request] = rig.bot.received;
    assert.equal(request?.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.deepEqual([...(request?.form.keys() ?? [])], ['payload']);
    const payload = request?.payload as Json;
    assert.equal(payload.type, 'block_actions');
    assert.deepEqual(payload.user, {
      id: 'U0APPROVER',
      username: 'alex',
      name: 'alex',
      team_id: 'T0SANDBOX',
    });
    assert.deepEqual(payload.container, {
      type: 'message',
      message_ts: ts,
      channel_id: 'C0ENGINEER',
      is_ephemeral: false,
    });
    assert.deepEqual(payload.channel, { id: 'C0ENGINEER', name: 'engineering' });
    const message = payload.message as Json;
    assert.equal(message.ts, ts);
    assert.equal(message.text, 'backend v1.2.0 → production');
    assert.deepEqual(message.blocks, BLOCKS);
    assert.match(String(payload.trigger_id), /^\d+\.\d+\.[0-9a-f]{32}$/);
    const [action, ...others] = payload.actions as Json[];
    assert.equal(others.length, 0);
    assert.deepEqual(
      { ...action, action_ts: undefined },
      {
        type: 'button',
        action_id: 'release_cancel',
        block_id: 'release-buttons',
        text: { type: 'plain_text', text: 'Cancel', emoji: true },
        value: 'rel-7',
        style: 'danger',
        action_ts: undefined,
      },
    );
    assert.match(String(action?.action_ts), /^\d{10}\.\d{6}$/);
    // state.values mirrors the ticks the message shows.
    assert.deepEqual(payload.state, {
      values: {
        'checklist-pre-release-0': {
          'checklist:1': { type: 'checkboxes', selected_options: [OPTIONS[1]] },
        },
      },
    });

    // The response_url is bound to the clicked message: replace_original edits it.
    await fetch(String(payload.response_url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replace_original: true, text: 'Cancelled by <@U0APPROVER>' }),
    });
    assert.equal(rig.slack.findMessage(ts)?.text, 'Cancelled by <@U0APPROVER>');
  });

  it("sends a checkbox change with the element's whole new selection, options as the message has them", async () => {
    const answer = await rig.api('/api/action', {
      user: 'U0REQUESTER',
      ts,
      blockId: 'checklist-pre-release-0',
      actionId: 'checklist:1',
      selected: ['migrations', 'oncall'],
    });
    assert.equal(answer.status, 200);
    const payload = rig.bot.received[0]?.payload as Json;
    const [action] = payload.actions as Json[];
    assert.equal(action?.type, 'checkboxes');
    assert.equal(action?.action_id, 'checklist:1');
    assert.equal(action?.block_id, 'checklist-pre-release-0');
    const selected = action?.selected_options as { text: unknown; value: string }[];
    assert.deepEqual(
      selected.map((o) => o.value),
      ['migrations', 'oncall'],
    );
    for (const option of selected) {
      assert.deepEqual(option.text, OPTIONS.find((o) => o.value === option.value)?.text);
    }
    const values = (payload.state as { values: Record<string, Record<string, Json>> }).values;
    assert.deepEqual(values['checklist-pre-release-0']?.['checklist:1']?.selected_options, selected);
    assert.equal((payload.user as Json).id, 'U0REQUESTER');
  });

  it('sends an empty selection when the last box is unticked', async () => {
    await rig.api('/api/action', {
      user: 'U0REQUESTER',
      ts,
      blockId: 'checklist-pre-release-0',
      actionId: 'checklist:1',
      selected: [],
    });
    const [action] = (rig.bot.received[0]?.payload as Json).actions as Json[];
    assert.deepEqual(action?.selected_options, []);
  });

  it('says which thread a clicked reply is in', async () => {
    const reply = await rig.slackCall('chat.postMessage', {
      channel: 'C0ENGINEER',
      thread_ts: ts,
      text: 'Migration failed',
      blocks: [
        {
          type: 'actions',
          block_id: 'step',
          elements: [
            { type: 'button', text: { type: 'plain_text', text: 'Retry' }, action_id: 'retry', value: 's1' },
          ],
        },
      ],
    });
    await rig.api('/api/action', { user: 'U0DEPLOYER', ts: reply.ts, blockId: 'step', actionId: 'retry' });
    const payload = rig.bot.received[0]?.payload as Json;
    assert.equal((payload.container as Json).message_ts, reply.ts);
    assert.equal((payload.container as Json).thread_ts, ts);
    assert.equal((payload.message as Json).thread_ts, ts);
  });

  it('marks a click on an ephemeral message as Slack does, without the message itself', async () => {
    await rig.slackCall('chat.postEphemeral', {
      channel: 'C0ENGINEER',
      user: 'U0OUTSIDER',
      text: 'Retry?',
      blocks: [
        {
          type: 'actions',
          block_id: 'retry',
          elements: [
            { type: 'button', text: { type: 'plain_text', text: 'Retry' }, action_id: 'retry', value: '1' },
          ],
        },
      ],
    });
    const [ephemeral] = rig.slack.ephemerals('U0OUTSIDER');
    assert.ok(ephemeral);
    // Someone else cannot click what only the outsider sees.
    const other = await rig.api('/api/action', {
      user: 'U0REQUESTER',
      ts: ephemeral.ts,
      blockId: 'retry',
      actionId: 'retry',
    });
    assert.equal(other.status, 404);
    const answer = await rig.api('/api/action', {
      user: 'U0OUTSIDER',
      ts: ephemeral.ts,
      blockId: 'retry',
      actionId: 'retry',
    });
    assert.equal(answer.status, 200);
    const payload = rig.bot.received[0]?.payload as Json;
    assert.equal((payload.container as Json).is_ephemeral, true);
    assert.equal(payload.message, undefined);
    assert.equal((payload.actions as Json[])[0]?.value, '1');
  });

  it('sends nothing for a message, element or option that is not there', async () => {
    const cases: [Json, number, string][] = [
      [{ ts: '1.000001', blockId: 'release-buttons', actionId: 'release_start' }, 404, 'message_not_found'],
      [{ ts, blockId: 'release-buttons', actionId: 'release_deploy' }, 409, 'element_not_found'],
      [
        { ts, blockId: 'checklist-pre-release-0', actionId: 'checklist:1', selected: ['nope'] },
        400,
        'unknown_option',
      ],
      [
        { ts, blockId: 'checklist-pre-release-0', actionId: 'checklist:1', selected: 'migrations' },
        400,
        'selected_must_be_values',
      ],
      [{ blockId: 'release-buttons', actionId: 'release_start' }, 400, 'ts_and_action_id_required'],
    ];
    for (const [body, status, error] of cases) {
      const answer = await rig.api('/api/action', { user: 'U0APPROVER', ...body });
      assert.equal(answer.status, status, JSON.stringify(body));
      assert.equal(answer.json.error, error);
    }
    assert.equal(rig.bot.received.length, 0);
  });
});
