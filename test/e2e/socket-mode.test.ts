import assert from 'node:assert/strict';
import type { FakeMessage, FakeSocketAck } from '../../src/sandbox/fake-slack/types';
import { buttonClickPayload, slashCommandBody } from '../support/slack-requests';
import { SocketModeHarness } from '../support/socket-mode-harness';

function textOf(value: unknown): string {
  return JSON.stringify(value);
}

describe('/deploy in Slack over Socket Mode (a real WebSocket to the fake Slack)', function () {
  this.timeout(40_000);
  let h: SocketModeHarness;

  beforeEach(async () => {
    h = new SocketModeHarness();
    await h.start();
  });
  afterEach(async () => {
    await h.stop();
  });

  async function releaseMessage(): Promise<FakeMessage> {
    return h.slack.waitFor(() => h.channelMessages().find((m) => textOf(m.blocks).includes('release_start')));
  }

  async function waitForMessage(ts: string, predicate: (text: string) => boolean): Promise<FakeMessage> {
    return h.slack.waitFor(() => {
      const message = h.slack.findMessage(ts);
      return message && predicate(textOf(message.blocks)) ? message : undefined;
    }, 15_000);
  }

  /** Sends Slack's `disconnect` and waits until the app is connected again on a new socket. */
  async function reconnect(reason: 'warning' | 'refresh_requested'): Promise<string> {
    const before = h.slack.socketMode.current?.id;
    h.slack.socketMode.disconnect(reason);
    const next = await h.slack.waitFor(() => {
      const current = h.slack.socketMode.current;
      return current && current.id !== before ? current.id : undefined;
    }, 15_000);
    assert.equal(h.slack.socketMode.connections.filter((c) => c.open).length, 1, 'the old socket is closed');
    return next;
  }

  /** Each envelope sent was acknowledged exactly once. */
  function assertEachEnvelopeAckedOnce(): void {
    const counts = new Map<string, number>();
    for (const ack of h.slack.socketMode.acks)
      counts.set(ack.envelope_id, (counts.get(ack.envelope_id) ?? 0) + 1);
    for (const envelope of h.slack.socketMode.envelopes) {
      assert.equal(counts.get(envelope.envelope_id), 1, `${envelope.type} ${envelope.envelope_id} acks`);
    }
    assert.equal(h.slack.socketMode.acks.length, h.slack.socketMode.envelopes.length, 'no stray acks');
  }

  it('runs a release from /deploy to the end, reconnecting twice on Slack’s request along the way', async () => {
    const first = h.slack.socketMode.current?.id;
    const answer = await h.command('U0DEPLOYER', 'v1.2.0 backend production --type hotfix');
    assert.equal(answer.connection, first);
    const message = await releaseMessage();
    const [release] = await h.engine.engine.store.history('backend');
    const preflighted = await h.engine.waitFor(
      release!.id,
      (r) => r.steps[0]?.state === 'succeeded' && r.chat?.ts !== undefined,
    );
    assert.equal(preflighted.chat?.ts, message.ts);

    // Slack warns that this socket will go; the client reconnects, and the ticks arrive on the new one.
    const second = await reconnect('warning');
    await h.tick('U0REQUESTER', message.ts, ['unit-tests', 'code-reviewed']);
    await waitForMessage(message.ts, (t) => t.includes('ticked by <@U0REQUESTER>'));
    assert.equal(
      (await h.engine.engine.store.get(release!.id))?.checklist['code-reviewed']?.by,
      'U0REQUESTER',
    );

    const third = await reconnect('refresh_requested');
    const started = await h.click('U0DEPLOYER', message.ts, 'release_start');
    assert.equal(started.connection, third);
    assert.notEqual(second, third);
    const done = await h.engine.waitForEnd(release!.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));

    const final = await waitForMessage(message.ts, (t) => t.includes('Released in'));
    assert.equal(final.ts, message.ts, 'the same message, updated in place');
    assert.equal(h.channelMessages().length, 1, 'one release message');
    assert.equal((await h.engine.engine.store.history('backend')).length, 1, 'one release');
    assert.match(textOf(h.slack.findMessage(message.ts)?.replies), /alembic upgrade head/);
    assert.deepEqual(
      h.slack.socketMode.connections.map((c) => c.id),
      [first, second, third],
    );
    assertEachEnvelopeAckedOnce();
  });

  it('answers a malformed command in the ack payload, the reply Slack shows at once', async () => {
    const answer = await h.command('U0DEPLOYER', 'v1.2');
    assert.match(textOf(answer.payload), /\\"v1.2\\" is not a release version/);
    assert.match(textOf(answer.payload), /"response_type":"ephemeral"/);
    assert.equal(await h.engine.engine.queue.count(), 0);
  });

  it('handles a command redelivered with the same trigger_id once', async () => {
    const triggerId = '1111111111.222222222222.sockettest';
    await h.command('U0DEPLOYER', 'v1.2.0 backend production', { triggerId });
    await h.command('U0DEPLOYER', 'v1.2.0 backend production', { triggerId });
    await releaseMessage();
    // The second delivery's listener has finished: a later command was answered after it.
    await h.command('U0DEPLOYER', 'help');
    assert.equal((await h.engine.engine.store.history('backend')).length, 1);
    assert.equal(h.channelMessages().length, 1);
    assertEachEnvelopeAckedOnce();
  });

  it('acks once what no listener handles: an unknown button, a view submission, a command we do not serve', async () => {
    const unknownButton = buttonClickPayload({
      user_id: 'U0DEPLOYER',
      message: { ts: '1764262000.000100', blocks: [] },
      response_url: h.slack.newResponseUrl('C0ENGINEER', 'U0DEPLOYER'),
      action_id: 'not_ours',
      block_id: 'b1',
    });
    const viewSubmission = {
      type: 'view_submission',
      user: { id: 'U0DEPLOYER', username: 'dana', name: 'dana', team_id: 'T0SANDBOX' },
      api_app_id: 'A0DEPLOYBOT',
      team: { id: 'T0SANDBOX', domain: 'deploybot-sandbox' },
      trigger_id: '1111111111.222222222222.viewtest',
      view: { id: 'V0TEST', type: 'modal', callback_id: 'not_ours', state: { values: {} } },
    };
    const otherCommand = Object.fromEntries(
      new URLSearchParams(
        slashCommandBody({
          command: '/weather',
          text: 'today',
          user_id: 'U0DEPLOYER',
          response_url: h.slack.newResponseUrl('C0ENGINEER', 'U0DEPLOYER'),
        }),
      ),
    );
    const acks: FakeSocketAck[] = [
      await h.slack.socketMode.interaction(unknownButton),
      await h.slack.socketMode.interaction(viewSubmission),
      await h.slack.socketMode.slashCommand(otherCommand),
    ];
    assert.equal(acks.length, 3);
    await h.command('U0DEPLOYER', 'help');
    assertEachEnvelopeAckedOnce();
    // Only the three went unhandled: /deploy help was acked by its listener, and a second ack was refused.
    const unhandled = h.logged('slack request had no listener; acknowledged');
    assert.deepEqual(
      unhandled.map((line) => line.id),
      ['not_ours', 'not_ours', '/weather'],
    );
  });

  it('acks malformed envelopes without handing them to Bolt, and keeps serving', async () => {
    const { socketMode } = h.slack;
    const refused = [
      await socketMode.deliver('interactive', null),
      await socketMode.deliver('interactive', { type: 'block_actions', actions: [] }),
      await socketMode.deliver('slash_commands', { command: '/deploy', text: 'help' }),
      await socketMode.deliver('slash_commands', 'command=/deploy'),
      await socketMode.deliver('hello_there', { anything: true }),
      await socketMode.deliver('interactive', nested(100)),
    ];
    for (const ack of refused) assert.equal(ack.payload === undefined || textOf(ack.payload) === '{}', true);
    // Not JSON at all: the client drops it (there is no envelope id to ack).
    socketMode.sendRaw('{"type":');
    const help = await h.command('U0DEPLOYER', 'help');
    assert.match(textOf(help.payload), /\/deploy history/);
    assert.equal(await h.engine.engine.queue.count(), 0);
    assertEachEnvelopeAckedOnce();
    const reasons = h.logged('slack envelope refused').map((line) => line.reason);
    assert.deepEqual(reasons, [
      'payload is not an object',
      'payload has no user',
      'user_id is not a Slack id',
      'payload is not an object',
      'envelope type is unknown',
      'payload is nested too deeply',
    ]);
    assert.ok(!JSON.stringify(h.logs).includes('command=/deploy'), 'no envelope content is logged');
  });
});

/** An object nested `depth` levels deep. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { type: 'block_actions' };
  for (let i = 0; i < depth; i += 1) value = { type: 'block_actions', inner: value };
  return value;
}
