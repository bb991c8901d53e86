import assert from 'node:assert/strict';
import { WorkspaceServer, type WorkspaceState } from '../../../src/sandbox/workspace';
import { openEvents, Rig, SECRET } from './support';

describe('sandbox workspace: page, state and live updates', function () {
  let rig: Rig;

  beforeEach(async () => {
    rig = await new Rig().start();
  });
  afterEach(async () => rig.stop());

  it('serves the page with the composer, the send button, the persona switch and its scripts', async () => {
    const response = await fetch(`${rig.workspace.url}/`);
    assert.equal(response.status, 200);
    assert.match(String(response.headers.get('content-type')), /^text\/html/);
    const html = await response.text();
    for (const id of ['composer', 'send', 'thread-panel', 'confirm-yes', 'confirm-no']) {
      assert.match(html, new RegExp(`data-testid="${id}"`), id);
    }
    for (const user of ['U0REQUESTER', 'U0DEPLOYER', 'U0APPROVER', 'U0OUTSIDER']) {
      assert.match(html, new RegExp(`data-testid="persona-${user}"`), user);
    }
    assert.match(html, /Riley[\s\S]*requester/);
    assert.match(html, /#engineering/);
    const settings = /<script id="workspace-config" type="application\/json">([\s\S]*?)<\/script>/.exec(html);
    assert.equal(JSON.parse(String(settings?.[1])).channel.id, 'C0ENGINEER');
    for (const src of [...html.matchAll(/(?:src|href)="(\/static\/[^"]+)"/g)].map((m) => m[1])) {
      const file = await fetch(`${rig.workspace.url}${src}`);
      assert.equal(file.status, 200, src);
      assert.ok((await file.text()).length > 100, src);
    }
    assert.equal((await fetch(`${rig.workspace.url}/static/../server.ts`)).status, 404);
    assert.equal((await fetch(`${rig.workspace.url}/nope`)).status, 404);
  });

  it('writes persona names into the page escaped', async () => {
    const page = new WorkspaceServer({
      slack: rig.slack,
      botEventsUrl: rig.bot.url,
      signingSecret: SECRET,
      personas: [{ id: 'U0REQUESTER', name: '<img src=x onerror=alert(1)> $&', role: 'requester' }],
    });
    await page.start();
    try {
      const html = await (await fetch(`${page.url}/`)).text();
      assert.doesNotMatch(html, /<img src=x/);
      assert.match(html, /&#60;img src=x onerror=alert\(1\)&#62; \$&#38;/);
      assert.match(html, /\\u003cimg src=x/);
    } finally {
      await page.stop();
    }
  });

  it('gives the channel with threads, only this person’s ephemerals, and names for mentions', async () => {
    const root = await rig.slackCall('chat.postMessage', {
      channel: 'C0ENGINEER',
      text: 'Release <@U0REQUESTER>',
    });
    await rig.slackCall('chat.postMessage', {
      channel: 'C0ENGINEER',
      thread_ts: root.ts,
      text: 'preflight done',
    });
    await rig.slackCall('chat.postMessage', {
      channel: 'C0ENGINEER',
      thread_ts: root.ts,
      text: 'backup done',
    });
    await rig.slackCall('chat.postEphemeral', {
      channel: 'C0ENGINEER',
      user: 'U0OUTSIDER',
      text: 'Not allowed',
    });
    await rig.slackCall('chat.postEphemeral', { channel: 'C0ENGINEER', user: 'U0REQUESTER', text: 'Yours' });

    const read = async (user: string): Promise<WorkspaceState> => {
      const response = await fetch(`${rig.workspace.url}/api/state?user=${user}`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      return (await response.json()) as WorkspaceState;
    };
    const outsider = await read('U0OUTSIDER');
    assert.equal(outsider.me, 'U0OUTSIDER');
    assert.deepEqual(outsider.channel, { id: 'C0ENGINEER', name: 'engineering' });
    assert.equal(outsider.messages.length, 1);
    assert.equal(outsider.messages[0]?.reply_count, 2);
    assert.deepEqual(
      outsider.messages[0]?.replies.map((r) => r.text),
      ['preflight done', 'backup done'],
    );
    assert.deepEqual(
      outsider.ephemerals.map((e) => e.text),
      ['Not allowed'],
    );
    assert.deepEqual(
      (await read('U0REQUESTER')).ephemerals.map((e) => e.text),
      ['Yours'],
    );
    assert.deepEqual(
      outsider.personas.map((p) => `${p.name}:${p.role}`),
      ['Riley:requester', 'Dana:deployer', 'Alex:approver', 'Sam:outsider'],
    );
    assert.equal(outsider.users.U0REQUESTER?.name, 'riley');
    assert.deepEqual(outsider.usergroups.S0APPROVERS, { handle: 'approvers', members: ['U0APPROVER'] });
    assert.equal(outsider.bot.name, 'deploybot');
    // Without a user the first persona's view; a stranger is refused.
    assert.equal(
      ((await (await fetch(`${rig.workspace.url}/api/state`)).json()) as WorkspaceState).me,
      'U0REQUESTER',
    );
    assert.equal((await fetch(`${rig.workspace.url}/api/state?user=U0NOBODY`)).status, 400);
  });

  it('streams one "changed" event per burst of changes in the fake Slack', async () => {
    const stream = await openEvents(`${rig.workspace.url}/api/events`);
    try {
      assert.equal(stream.status, 200);
      assert.match(stream.type, /^text\/event-stream/);
      await rig.slack.waitFor(() => stream.events.length >= 1);
      assert.deepEqual(stream.events, ['hello']);
      // Three changes in one tick: one burst, whatever the machine's load.
      rig.slack.reset();
      rig.slack.reset();
      rig.slack.reset();
      await rig.slack.waitFor(() => stream.events.length >= 2);
      // A later change is a burst of its own. The server numbers its events: had the first
      // burst sent two, this one's would be the third.
      rig.slack.reset();
      await rig.slack.waitFor(() => stream.events.length >= 3);
      assert.deepEqual(stream.events, ['hello', 'changed', 'changed']);
      assert.deepEqual(stream.seqs.slice(1), [1, 2]);
    } finally {
      stream.close();
    }
  });

  it('stops with event streams still open', async () => {
    const stream = await openEvents(`${rig.workspace.url}/api/events`);
    const started = Date.now();
    await rig.workspace.stop();
    // Closing waits for no page: an open stream would hold it until the test's timeout.
    assert.ok(Date.now() - started < 5000);
    stream.close();
    await rig.workspace.start();
  });

  it('refuses a channel or a persona the fake Slack does not have', () => {
    assert.throws(
      () =>
        new WorkspaceServer({
          slack: rig.slack,
          botEventsUrl: rig.bot.url,
          signingSecret: SECRET,
          personas: [{ id: 'U0GHOST', name: 'Ghost', role: 'nobody' }],
        }),
      /persona U0GHOST is not a user/,
    );
    assert.throws(
      () =>
        new WorkspaceServer({
          slack: rig.slack,
          botEventsUrl: rig.bot.url,
          signingSecret: SECRET,
          channelId: 'C0NOPE',
        }),
      /no channel C0NOPE/,
    );
  });
});
