import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../src/logging/logger';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import type { FakeMessage } from '../../src/sandbox/fake-slack/types';

type Json = Record<string, unknown>;

/**
 * Monitoring as a team meets it: the whole sandbox (Redis, the AWS emulator,
 * a service with ordinary noise — ~50 requests a second, background 5xx,
 * jitter, drifting traffic, tasks replaced — the fake Slack and the bot over
 * signed HTTP), driven through the workspace's own HTTP API the page uses.
 * A healthy release must run its window without a word of rollback; bad ones
 * must be proposed with the evidence.
 */
describe('monitoring judges real traffic in the sandbox (real HTTP, Redis, emulator)', function () {
  this.timeout(600_000);
  let sandbox: Sandbox;
  let manualProposal: FakeMessage | undefined;

  before(async () => {
    sandbox = await startSandbox({
      uiPort: 0,
      logger: createLogger({ level: 'silent' }),
      windows: { window: '40s', interval: '5s', rollbackWindow: '10s' },
      // More churn than the default: several ordinary replacements inside each window.
      taskReplacementEveryMs: 15_000,
      timings: { rolloutMs: 3_000, crashEveryMs: 6_000 },
    });
    // The seeded 5xx alarm follows the -bad release's minutes a minute or two late, which would
    // land in whichever release runs then; these tests set alarms themselves (its evaluation
    // is pinned in test/integration/sandbox/aws-metric-alarms.test.ts).
    sandbox.emulator.putAlarm({
      name: 'social-analytics-target-5xx',
      state: 'OK',
      reason: 'held OK by this test',
    });
  });

  after(async () => {
    await sandbox?.stop();
  });

  async function post(path: string, body: Json): Promise<Json> {
    const res = await fetch(`${sandbox.uiUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await res.json()) as Json;
  }

  const command = (user: string, text: string) => post('/api/command', { user, text });

  async function waitFor<T>(what: string, find: () => T | undefined, timeoutMs = 120_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${channelTail()}`);
      await sleep(250);
    }
  }

  const textOf = (m: FakeMessage) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`;
  const top = () => sandbox.slack.messages('engineering');
  /** Every message of the channel, thread replies included (proposals are replies). */
  const everything = () => top().flatMap((m) => [m, ...(m.replies ?? [])]);

  function channelTail(): string {
    return top()
      .slice(-3)
      .map((m) => [m.text, ...(m.replies ?? []).slice(-4).map((r) => `  > ${r.text}`)].join('\n'))
      .join('\n');
  }

  /** The release message of `version`, newest first. */
  function releaseOf(version: string): FakeMessage | undefined {
    return [...top()].reverse().find((m) => m.text.includes(version) && !m.text.includes('Rollback'));
  }

  function elements(m: FakeMessage): { blockId: string; element: Json }[] {
    return ((m.blocks ?? []) as Json[]).flatMap((b) =>
      ((b.elements as Json[] | undefined) ?? [])
        .filter((e) => typeof e.action_id === 'string')
        .map((element) => ({ blockId: String(b.block_id), element })),
    );
  }

  /** Ticks the required items the way a person does (one group's whole selection), then presses Start. */
  async function tickAndStart(version: string): Promise<void> {
    for (const item of ['unit-tests', 'code-reviewed']) {
      const message = await waitFor(`the checklist of ${version}`, () => releaseOf(version));
      const group = elements(message).find((e) =>
        ((e.element.options as Json[] | undefined) ?? []).some((o) => o.value === item),
      );
      assert.ok(group, `no checklist option ${item}`);
      const already = ((group.element.initial_options as Json[] | undefined) ?? []).map((o) =>
        String(o.value),
      );
      await post('/api/action', {
        user: 'U0REQUESTER',
        ts: message.ts,
        actionId: group.element.action_id,
        blockId: group.blockId,
        selected: [...already, item],
      });
      await waitFor(`${item} ticked`, () =>
        elements(releaseOf(version) as FakeMessage).some((e) =>
          ((e.element.initial_options as Json[] | undefined) ?? []).some((o) => o.value === item),
        )
          ? true
          : undefined,
      );
    }
    const message = releaseOf(version) as FakeMessage;
    await waitFor(`Start enabled for ${version}`, () =>
      elements(releaseOf(version) as FakeMessage).some((e) => e.element.action_id === 'release_start')
        ? true
        : undefined,
    );
    const start = elements(releaseOf(version) as FakeMessage).find(
      (e) => e.element.action_id === 'release_start',
    );
    await post('/api/action', {
      user: 'U0REQUESTER',
      ts: message.ts,
      actionId: 'release_start',
      blockId: start?.blockId,
    });
  }

  const replies = (version: string) => releaseOf(version)?.replies ?? [];
  const proposalIn = (version: string) =>
    replies(version).find((r) => textOf(r).includes('rollback_approve'));

  async function release(version: string): Promise<void> {
    await command('U0REQUESTER', `/deploy ${version} --type hotfix`);
    await tickAndStart(version);
  }

  /** The release message says it finished (released, rolled back, failed). */
  const finished = (version: string) => {
    const message = releaseOf(version);
    return message && /Released in|Rolled back|failed/.test(textOf(message)) ? true : undefined;
  };

  it('a noisy but healthy release runs its whole window with no proposal, judged on the users’ requests', async () => {
    await release('v1.2.0');
    await waitFor(
      'v1.2.0 to finish',
      () => (/Released in/.test(textOf(releaseOf('v1.2.0') as FakeMessage)) ? true : undefined),
      180_000,
    );
    assert.equal(proposalIn('v1.2.0'), undefined, 'no rollback proposal on a healthy release');
    const status = replies('v1.2.0').map(textOf).join('\n');
    assert.match(status, /users' requests in the last 5s: [\d,]+ requests, 5xx/);
    assert.match(status, /error-rate: ok — 5xx \d+\.\d% of [\d,]+ requests in the last/);
    assert.ok(!/health probes only/.test(status), 'judged on real traffic, not on probes');
  });

  it('a -bad release is proposed with the real-traffic numbers', async () => {
    await release('v1.3.0-bad');
    const proposal = await waitFor(
      'a rollback proposal for v1.3.0-bad',
      () => proposalIn('v1.3.0-bad'),
      180_000,
    );
    assert.match(
      textOf(proposal),
      /error-rate: 5xx \d+\.\d% of [\d,]+ requests in the last \d+s vs \d+\.\d% of [\d,]+ at baseline \(limit 5%\)/,
    );
    // Roll back as the approver, then unlock for the next release.
    const approve = elements(proposal).find((e) => e.element.action_id === 'rollback_approve');
    await post('/api/action', {
      user: 'U0APPROVER',
      ts: proposal.ts,
      actionId: 'rollback_approve',
      blockId: approve?.blockId,
    });
    await waitFor(
      'the rollback to finish',
      // The release says "rolled back" only once its rollback finished.
      () => (/→ production: rolled back\b/.test(releaseOf('v1.3.0-bad')?.text ?? '') ? true : undefined),
      120_000,
    );
    await command('U0APPROVER', '/deploy unlock backend production');
  });

  it('an alarm that goes off is proposed with its name and reason, and the proposal is withdrawn when the window ends healthy', async () => {
    // A rollback asked for by hand now, approved only after v1.2.1 shipped: it must not undo v1.2.1.
    const seen = new Set(everything().map((m) => m.ts));
    await command('U0REQUESTER', '/rollback backend production');
    manualProposal = await waitFor('the manual rollback proposal', () =>
      everything().find((m) => !seen.has(m.ts) && textOf(m).includes('rollback_approve')),
    );
    sandbox.emulator.putAlarm({
      name: 'social-analytics-e2e-checkout',
      state: 'OK',
      reason: 'Threshold Crossed: no datapoints were breaching',
    });
    await release('v1.2.1');
    await waitFor(
      'monitoring of v1.2.1',
      () => (replies('v1.2.1').some((r) => r.text.includes('Monitoring: sample')) ? true : undefined),
      120_000,
    );
    sandbox.emulator.setAlarmState(
      'social-analytics-e2e-checkout',
      'ALARM',
      'Threshold Crossed: 1 out of the last 1 datapoints [42.0] was greater than the threshold (10.0)',
    );
    const proposal = await waitFor('an alarm proposal', () => proposalIn('v1.2.1'), 120_000);
    assert.match(
      textOf(proposal),
      /alarms: alarm social-analytics-e2e-checkout is ALARM \(OK at baseline\): Threshold Crossed: 1 out of the last 1 datapoints \[42\.0\]/,
    );
    sandbox.emulator.setAlarmState(
      'social-analytics-e2e-checkout',
      'OK',
      'Threshold Crossed: no datapoints were breaching',
    );
    await waitFor('v1.2.1 to finish', () => finished('v1.2.1'), 180_000);
    const closed = await waitFor(
      'the proposal withdrawn',
      () => {
        const p = sandbox.slack.findMessage(proposal.ts);
        return p && /[Ww]ithdrawn/.test(textOf(p)) ? p : undefined;
      },
      30_000,
    );
    assert.ok(!textOf(closed).includes('rollback_approve'), 'a withdrawn proposal has no buttons');
    assert.match(textOf(closed), /stayed healthy/);
  });

  it('an approval of a proposal a newer release superseded changes nothing in ECS and says why', async () => {
    assert.ok(manualProposal, 'made in the previous test');
    const before = sandbox.emulator.runningImage('social-analytics-cluster', 'backend-service');
    assert.match(before ?? '', /:v1\.2\.1$/);
    const approve = elements(manualProposal).find((e) => e.element.action_id === 'rollback_approve');
    const updatesBefore = sandbox.emulator.calls.filter((c) => c.action === 'UpdateService').length;
    await post('/api/action', {
      user: 'U0APPROVER',
      ts: manualProposal.ts,
      actionId: 'rollback_approve',
      blockId: approve?.blockId,
    });
    const refusal = await waitFor('the refusal', () =>
      sandbox.slack.ephemerals('U0APPROVER').find((e) => /superseded/i.test(e.text)),
    );
    assert.match(refusal.text, /superseded by v1\.2\.1/);
    const closed = sandbox.slack.findMessage(manualProposal.ts);
    assert.ok(closed && /Superseded by v1\.2\.1/.test(textOf(closed)), closed && textOf(closed));
    assert.ok(!textOf(closed).includes('rollback_approve'), 'no buttons left');
    assert.equal(sandbox.emulator.calls.filter((c) => c.action === 'UpdateService').length, updatesBefore);
    assert.equal(sandbox.emulator.runningImage('social-analytics-cluster', 'backend-service'), before);
  });

  it('a crashing build is proposed with its tasks’ stop reason', async () => {
    await release('v1.3.0-crashy');
    const proposal = await waitFor('a crash proposal', () => proposalIn('v1.3.0-crashy'), 240_000);
    assert.match(
      textOf(proposal),
      /crashes: \d+ tasks of the new revision crashed \(limit 2\): (backend|worker)-service: Essential container in task exited/,
    );
  });
});
